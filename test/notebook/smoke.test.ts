/** The smoke notebook's workload outside a kernel: it learns, and frees every tensor it made. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { assertToyTrainingLearned, trainToyLogistic } from '../../src/notebook/smoke';

test('trainToyLogistic learns the two blobs and leaks no tensors', async () => {
  await ensureBackend(undefined, () => undefined);
  const before = tf.memory().numTensors;
  const result = await trainToyLogistic({ steps: 40, seed: 7 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(result.history.length, 40);
  assert.ok(Math.abs(result.history[0].loss - Math.log(2)) < 1e-6, 'zero start: first loss is ln 2');
  assertToyTrainingLearned(result);
});
