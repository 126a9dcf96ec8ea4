/** The probes' routing read against the orchestrator's own inference, and the shared encoding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { resolveModelConfig } from '../../src/orchestrator/config';
import { inferChains } from '../../src/orchestrator/evaluate';
import { createModel, disposeModel, initialParameters } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { intrinsicImportance } from '../../src/probes/intrinsic';
import { disposeEncoded, encodeItems, gatherRows, readRouting } from '../../src/probes/routing-read';

function longChainModel(stopBias: number) {
  const cfg = resolveModelConfig({ inputDim: 16, nExperts: 8, hidden: 8, heads: 2, dropout: 0 });
  const values = initialParameters(cfg, new Rng(5));
  values['stop.b'] = new Float32Array([stopBias]);
  return createModel(cfg, values);
}

test('readRouting gives the chains of inferChains (argmax, stop at P >= 1/2), also past its first short rollout', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 5, nItems: 12, nExperts: 8, dim: 16, nDomains: 2 });
  for (const stopBias of [-30, 0, 30]) {
    const model = longChainModel(stopBias);
    try {
      const mine = readRouting(model, ds.items, { batchSize: 5 }).chains;
      const theirs = inferChains(model, ds.items).map((c) => c.chain);
      assert.deepEqual(mine, theirs, `stop bias ${stopBias}`);
      if (stopBias === -30) assert.ok(mine.every((c) => c.length === 8), 'a stop logit of -30 never stops: 8-step chains, beyond the first 4-step rollout');
      if (stopBias === 30) assert.ok(mine.every((c) => c.length === 1));
      const masked = [true, true, false, true, true, true, true, true];
      assert.deepEqual(readRouting(model, ds.items, { available: masked }).chains, inferChains(model, ds.items, { available: masked }).map((c) => c.chain));
    } finally {
      disposeModel(model);
    }
  }
});

test('a shared encoding gives the same reads and gradients; another mask or other items are refused', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 6, nItems: 9, nExperts: 8, dim: 16, nDomains: 2 });
  const model = longChainModel(0);
  const encoded = encodeItems(model, ds.items, { batchSize: 4 });
  try {
    const fresh = readRouting(model, ds.items);
    const shared = readRouting(model, ds.items, { encoded });
    assert.deepEqual(shared.chains, fresh.chains);
    shared.s.forEach((row, b) => row.forEach((x, i) => assert.ok(Math.abs(x - fresh.s[b][i]) < 1e-6)));
    const a = intrinsicImportance(model, ds.items, fresh.chains);
    const b = intrinsicImportance(model, ds.items, fresh.chains, { encoded });
    a.mean.forEach((x, i) => assert.ok(Math.abs(x - b.mean[i]) < 1e-5));
    assert.throws(() => readRouting(model, ds.items, { encoded, available: [false, true, true, true, true, true, true, true] }), /another mask/);
    assert.throws(() => readRouting(model, ds.items.slice(1), { encoded }), /other items/);
  } finally {
    disposeEncoded(encoded);
    disposeModel(model);
  }
});

test('gatherRows copies whole rows like tf.gather, repeats included, and names a bad index', async () => {
  await ensureBackend();
  const t = tf.tensor3d(Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 0.5), [4, 3, 2]);
  const idx = [3, 0, 3, 1];
  const got = gatherRows(t, idx);
  assert.deepEqual(got.shape, [4, 3, 2]);
  assert.deepEqual(got.arraySync(), tf.gather(t, tf.tensor1d(idx, 'int32')).arraySync());
  assert.deepEqual(gatherRows(tf.tensor2d([[1, 2], [3, 4]]), [1]).arraySync(), [[3, 4]]);
  assert.throws(() => gatherRows(t, [4]), /index 4 is not in 0\.\.3/);
});
