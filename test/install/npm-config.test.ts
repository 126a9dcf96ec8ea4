/**
 * npm commands in this checkout run without config warnings: `.npmrc` holds only keys npm knows.
 * (onnxruntime-node's CUDA download is skipped by denying its install script in `allowScripts`;
 * `npm ci` on a scratch copy was checked by hand, see docs/decisions.md.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('npm reads the project .npmrc without "Unknown project config" warnings', () => {
  const r = spawnSync('npm', ['config', 'get', 'fund'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'false', '.npmrc is read');
  assert.doesNotMatch(r.stderr, /Unknown (project|user|global) config/, r.stderr);
});

test("onnxruntime-node's install script (its only job: downloading CUDA binaries) stays denied", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  // the script reads its skip setting only from ONNXRUNTIME_NODE_INSTALL_CUDA / npm_config_* / argv,
  // so a denied script is what keeps `npm ci` offline-safe on Linux x64
  const script = fs.readFileSync(path.join(ROOT, 'node_modules/onnxruntime-node/script/install.js'), 'utf8');
  assert.match(script, /process\.env\.ONNXRUNTIME_NODE_INSTALL_CUDA/);
});
