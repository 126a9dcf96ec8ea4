/**
 * The tslab compile cache (src/notebook/tslab-cache.cjs): a second kernel reuses what the first
 * compiled, byte for byte, and any change of a project file's content is compiled and checked again
 * (a type error is reported, an edit runs). Each "kernel" is a child process driving tslab's own
 * (patched) converter on a cell that imports two files of a temporary project folder.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runNotebook } from '../../src/notebook/runner';

const root = path.resolve(__dirname, '..', '..');
const tslabDir = path.join(root, 'node_modules', 'tslab');
// The project files must lie under the kernel's working directory (tslab's rootDir): runs/ is ignored by git.
const proj = path.join(root, 'runs', `tslab-cache-test-${process.pid}`);
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslab-cache-'));
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslab-cache-run-'));
after(() => {
  for (const d of [proj, cacheDir, outDir]) fs.rmSync(d, { recursive: true, force: true });
});

interface Converted {
  stats: { hits: number; misses: number; checkedFiles: number; reusedFiles: number };
  diagnostics: Array<{ messageText: string; fileName?: string }>;
  sideOutputs: Array<{ path: string; data: string }>;
  installed: boolean;
}

/** One fresh "kernel": tslab's converter, patched with the cache, compiles `cell`. */
function convert(cell: string, env: NodeJS.ProcessEnv = {}): Converted {
  const script = `
    const path = require('node:path');
    const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [${JSON.stringify(tslabDir)}] }));
    ts.sys.watchDirectory = () => ({ close() {} });
    const stats = require(${JSON.stringify(path.join(root, 'src', 'notebook', 'tslab-cache.cjs'))}).installTslabCache({ root: ${JSON.stringify(root)}, tslabDir: ${JSON.stringify(tslabDir)} });
    const { createConverter } = require(path.join(${JSON.stringify(tslabDir)}, 'dist', 'converter.js'));
    const conv = createConverter({ isJS: false, isBrowser: false });
    const r = conv.convert('', ${JSON.stringify(cell)});
    conv.close();
    process.stdout.write(JSON.stringify({ stats: stats || {}, installed: !!stats, diagnostics: r.diagnostics, sideOutputs: r.sideOutputs || [] }));
  `;
  const res = spawnSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, INFORM_TSLAB_CACHE_DIR: cacheDir, ...env }, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as Converted;
}

const rel = path.relative(root, proj).split(path.sep).join('/');
const cell = `import { twice } from './${rel}/b';\ntwice`;
const write = (name: string, text: string) => fs.writeFileSync(path.join(proj, name), text);
const outputOf = (r: Converted, name: string) => r.sideOutputs.find((o) => o.path === path.join(proj, name))?.data;

test('a second kernel reuses the checked, emitted project files; edits are compiled and checked again', () => {
  fs.mkdirSync(proj, { recursive: true });
  write('a.ts', 'export const base: number = 1;\n');
  write('b.ts', "import { base } from './a';\nexport const twice = (): number => 2 * base;\n");

  const first = convert(cell);
  assert.equal(first.installed, true, "the patch applies to the installed tslab's converter");
  assert.deepEqual(first.diagnostics, []);
  assert.deepEqual(first.stats, { hits: 0, misses: 1, checkedFiles: 2, reusedFiles: 0 });
  assert.match(outputOf(first, 'a.js') ?? '', /base = 1/);

  const second = convert(cell);
  assert.deepEqual(second.stats, { hits: 1, misses: 0, checkedFiles: 0, reusedFiles: 2 }, 'nothing checked or emitted again');
  assert.deepEqual(second.sideOutputs, first.sideOutputs, 'the same JavaScript, at the same paths');

  // A type error in a dependency is found although the previous version was recorded clean.
  write('a.ts', "export const base: number = 'one';\n");
  const broken = convert(cell);
  assert.equal(broken.stats.checkedFiles, 2);
  assert.ok(broken.diagnostics.some((d) => d.fileName === `${rel}/a.ts` && /not assignable to type 'number'/.test(d.messageText)), JSON.stringify(broken.diagnostics));

  // An edit runs: the new content is emitted, not the cached one.
  write('a.ts', 'export const base: number = 21;\n');
  const edited = convert(cell);
  assert.deepEqual(edited.diagnostics, []);
  assert.match(outputOf(edited, 'a.js') ?? '', /base = 21/);
  assert.equal(edited.stats.misses, 1);

  // Off switch: plain tslab.
  const off = convert(cell, { INFORM_TSLAB_CACHE: '0' });
  assert.equal(off.installed, false);
  assert.match(outputOf(off, 'a.js') ?? '', /base = 21/);
});

test('kernels started by the runner use the cache (entries appear under INFORM_TSLAB_CACHE_DIR)', async () => {
  const dir = fs.mkdtempSync(path.join(cacheDir, 'kernel-'));
  const r = await runNotebook(path.join(root, 'test', 'fixtures', 'notebooks', 'file-change.ipynb'), { outDir, log: () => {}, env: { ...process.env, INFORM_TSLAB_CACHE_DIR: dir } });
  assert.equal(r.ok, true);
  const entries = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(entries.length >= 1, 'the kernel wrote a cache entry');
  const entry = JSON.parse(fs.readFileSync(path.join(dir, entries[0]), 'utf8')) as { clean: string[]; outputs: Record<string, string> };
  assert.ok(entry.clean.includes('src/notebook/nbformat.ts') && typeof entry.outputs['src/notebook/nbformat.js'] === 'string', Object.keys(entry.outputs).join(', '));
});
