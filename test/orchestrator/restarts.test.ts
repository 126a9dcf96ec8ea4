/**
 * Random restarts chosen on a validation carve-out: the carve is a fixed function of the item
 * ids, restart seeds never overlap between base seeds, the kept model is the best on validation,
 * and the test items are not read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend } from '../../src/orchestrator/backend';
import { disposeModel } from '../../src/orchestrator/model';
import { recipeDataset, recipeTrainOptions, trainingRecipe } from '../../src/orchestrator/recipes';
import { inValidationCarve, trainWithRestarts } from '../../src/orchestrator/restarts';
import { hiddenBitDataset } from './hidden-bit';

test('the validation carve is a fixed function of the id, near the share asked for', () => {
  const ids = Array.from({ length: 2000 }, (_, n) => `item-${n}`);
  const carved = ids.filter((id) => inValidationCarve(id, 0.2));
  assert.ok(carved.length > 340 && carved.length < 460, `${carved.length} of 2000`);
  assert.deepEqual(ids.filter((id) => inValidationCarve(id, 0.2)), carved);
  assert.ok(carved.every((id) => inValidationCarve(id, 0.5)), 'a larger share keeps every item of a smaller one');
});

test('restarts: one score per seed, seeds seed*R + r, the best on validation kept, test items never read', async () => {
  await ensureBackend();
  const recipe = trainingRecipe('content');
  const base = recipeDataset(recipe, hiddenBitDataset(240, 5));
  // poison the test items: a NaN encoding would fail any forward pass that read them
  const dataset = { ...base, items: base.items.map((it) => (it.split === 'test' ? { ...it, outputs: it.outputs.map((o) => o.map(() => NaN)) } : it)) };
  const { model, train } = recipeTrainOptions(recipe, { model: { hidden: 16, heads: 2 }, train: { epochs: 3, batchSize: 4 } });
  const rr = await trainWithRestarts({ dataset, model, train, infer: recipe.infer, restarts: 2, seed: 3 });
  try {
    assert.deepEqual(rr.scores.map((s) => s.seed), [6, 7]);
    const best = Math.max(...rr.scores.map((s) => s.accuracy));
    assert.equal(rr.best.trainConfig.seed, rr.scores.find((s) => s.accuracy === best)!.seed);
    const bestNc = Math.max(...rr.scores.map((s) => s.noContentAccuracy));
    assert.equal(rr.bestNoContent.trainConfig.seed, rr.scores.find((s) => s.noContentAccuracy === bestNc)!.seed);
    const nTrain = dataset.items.filter((it) => it.split === 'train').length;
    assert.equal(rr.nValidation, dataset.items.filter((it) => it.split === 'train' && inValidationCarve(it.id, 0.2)).length);
    assert.ok(rr.nValidation > 0 && rr.nValidation < nTrain);
  } finally {
    disposeModel(rr.best.model);
    if (rr.bestNoContent !== rr.best) disposeModel(rr.bestNoContent.model);
  }
});

test('restarts: bad counts and shares are refused', async () => {
  const dataset = hiddenBitDataset(40, 1);
  await assert.rejects(trainWithRestarts({ dataset, model: {}, train: {}, restarts: 0, seed: 0 }), /restarts must be an integer >= 1 \(got 0\)/);
  await assert.rejects(trainWithRestarts({ dataset, model: {}, train: {}, restarts: 1, seed: 0, validationShare: 0 }), /a validation share of 0 leaves 0 of 30 train items/);
});
