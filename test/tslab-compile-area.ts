/**
 * Notebooks import src/<area> through tslab, which compiles local .ts files with its own
 * settings: not strict (so zod's inferred types have optional properties), declarations emitted,
 * lib es2022 without DOM. `assertCompilesLikeTslab` compiles one area the same way and fails on
 * any error reported inside it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function assertCompilesLikeTslab(area: string): void {
  const root = path.join(__dirname, '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `${area}-tslab-`));
  try {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      tsc, '--declaration', '--emitDeclarationOnly', '--outDir', out,
      '--module', 'esnext', '--moduleResolution', 'node10', '--esModuleInterop', '--target', 'es2022', '--lib', 'es2022',
      '--experimentalDecorators', '--resolveJsonModule', '--skipLibCheck', '--types', 'node',
      path.join(root, 'src', area, 'index.ts'),
    ];
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    const mine = (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith(`src/${area}/`));
    assert.deepEqual(mine, [], mine.join('\n'));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
