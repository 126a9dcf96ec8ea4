/** Failures part-way (a throwing callback, a bad option) free every tensor they allocated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { evaluateModel, inferChains } from '../../src/orchestrator/evaluate';
import { createModel, disposeModel } from '../../src/orchestrator/model';
import { resolveModelConfig } from '../../src/orchestrator/config';
import { splitRoutingDataset } from '../../src/orchestrator/dataset';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { trainOrchestrator } from '../../src/orchestrator/train';

const dataset = splitRoutingDataset(syntheticRoutingDataset({ seed: 3, nItems: 12, nExperts: 4, dim: 16 }), { seed: 1 });

test('a training run that throws part-way leaks no tensors', async () => {
  await ensureBackend();
  const before = tf.memory().numTensors;
  let calls = 0;
  await assert.rejects(
    trainOrchestrator({
      dataset,
      model: { hidden: 8, heads: 2 },
      train: { epochs: 2, seed: 1 },
      progressBar: false,
      onProgress: () => {
        if (++calls === 3) throw new Error('stopped by the caller');
      },
    }),
    /stopped by the caller/,
  );
  assert.equal(tf.memory().numTensors, before, 'model, optimizer or step tensors leaked');
});

test('inference and evaluation that throw leak no tensors', async () => {
  await ensureBackend();
  const model = createModel(resolveModelConfig({ inputDim: 16, nExperts: 4, hidden: 8, heads: 2 }), 2);
  const before = tf.memory().numTensors;
  assert.throws(() => inferChains(model, dataset.items, { available: [false, false, false, false], mode: 'sample' }), /every expert is masked/);
  assert.throws(() => evaluateModel(model, dataset, 'all', { available: [false, false, false, false] }), /every expert is masked/);
  assert.throws(() => inferChains(model, dataset.items, { maxSteps: 0 }), /maxSteps must be an integer >= 1/);
  assert.equal(tf.memory().numTensors, before);
  disposeModel(model);
});
