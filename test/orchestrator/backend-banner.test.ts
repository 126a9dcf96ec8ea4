/** `bench train` and `--backend cpu` must not print tfjs's "install our node backend" banner. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('the cpu backend runs without the banner recommending tfjs-node; the selector names the backend', () => {
  // A fresh process: the banner is printed once, on the cpu backend's first tensor.
  const code = `
    const { ensureBackend, tf } = require('./src/orchestrator/backend');
    ensureBackend('cpu').then(() => { tf.tensor([1, 2, 3]).square().dataSync(); console.log('ok'); });
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
  assert.match(r.stderr, /tfjs backend: cpu/);
  assert.doesNotMatch(r.stderr, /install our node backend|tfjs-node/, r.stderr);
});
