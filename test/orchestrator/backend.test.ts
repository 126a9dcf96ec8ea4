/** The backend selector: a failed request does not poison later ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

test('after a backend that cannot load is asked for, the one in use stays and switching still works', { skip: installed('@tensorflow/tfjs-node-gpu') && 'tfjs-node-gpu is installed here' }, async () => {
  const quiet = () => undefined;
  assert.equal(await ensureBackend('cpu', quiet), 'cpu');
  await assert.rejects(ensureBackend('tensorflow', quiet), /tfjs backend 'tensorflow' is not available here/);
  assert.equal(await ensureBackend(undefined, quiet), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(await ensureBackend('wasm', quiet), 'wasm');
  assert.equal(await ensureBackend(undefined, quiet), 'wasm');
});
