/**
 * The fused structure terms (loss-kernel.ts: symmetry, sparsity, oracle alignment, diversity,
 * selection entropy, length), as compositeLoss runs them, against structureTermsByOps (the same
 * definitions op by op): values, and gradients of a random weighting of the six with respect to
 * every parameter, through the whole forward pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, hostView, tf } from '../../src/orchestrator/backend';
import { oracleTargetsHost, structureTermsKernel, STRUCTURE_TERMS } from '../../src/orchestrator/loss-kernel';
import { oracleTargets, structureTermsByOps, topKMembership } from '../../src/orchestrator/losses';
import { forward, type ForwardCache } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { assertGradientsAgree, tinyInstance } from './tiny';

const CASES = [
  { name: 'one item without an oracle, top-2', topK: 2, noOracle: false, steps: 3 },
  { name: 'no oracle at all, top-4', topK: 4, noOracle: true, steps: 4 },
  { name: 'top-1, one step', topK: 1, noOracle: false, steps: 1 },
];

for (const c of CASES) {
  test(`fused structure terms = op-by-op terms, values and gradients (${c.name})`, async () => {
    await ensureBackend();
    const { model, batch } = tinyInstance(23);
    const targets = c.noOracle ? { ...batch, hasOracle: tf.zerosLike(batch.hasOracle) as tf.Tensor1D } : batch;
    const rng = new Rng(8);
    const gumbel = tf.tensor3d(rng.fill(3 * c.steps * 4, (r) => r.gumbel()), [3, c.steps, 4]);
    const opts = { steps: c.steps, tau: 0.7, gumbel };
    const fused = (cache: ForwardCache) => {
      const [B, N] = cache.s.shape;
      const { cOracle, piOracle } = oracleTargetsHost(targets.outputs, targets.oracle);
      const inTopK = topKMembership(hostView(cache.s).slice(), B, N, c.topK);
      return structureTermsKernel(cache, { cOracle, piOracle, hasOracle: hostView(targets.hasOracle).slice(), inTopK, lengthAlpha: 0.25 });
    };
    const byOps = (cache: ForwardCache) => tf.stack(STRUCTURE_TERMS.map((n) => structureTermsByOps(cache, targets, { topK: c.topK, lengthAlpha: 0.25 })[n]));
    const cache = forward(model, batch, opts);
    const a = fused(cache).dataSync();
    const b = byOps(cache).dataSync();
    STRUCTURE_TERMS.forEach((n, i) => assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 + 1e-5 * Math.abs(b[i]), `${n}: fused ${a[i]} vs ops ${b[i]}`));
    if (c.noOracle) assert.equal(a[2], 0);
    // The host oracle targets equal the op-by-op ones.
    const host = oracleTargetsHost(batch.outputs, batch.oracle);
    const ops = oracleTargets(batch.outputs, batch.oracle);
    ops.cOracle.dataSync().forEach((x, i) => assert.ok(Math.abs(x - host.cOracle[i]) < 1e-5, `cOracle[${i}]`));
    ops.piOracle.dataSync().forEach((x, i) => assert.ok(Math.abs(x - host.piOracle[i]) < 1e-5, `piOracle[${i}]`));

    const w = tf.tensor1d(rng.fill(6, (r) => r.normal()));
    const names = Object.keys(model.params);
    const gradsOf = (f: (c: ForwardCache) => tf.Tensor) => tf.variableGrads(() => tf.sum(tf.mul(f(forward(model, batch, opts)), w)) as tf.Scalar, names.map((n) => model.params[n])).grads;
    const gf = gradsOf(fused);
    const gp = gradsOf(byOps);
    assertGradientsAgree(model, gf, gp);
  });
}

test('oracle targets remembered per item equal those computed from the batch, an item without an oracle included', async () => {
  await ensureBackend();
  const { syntheticRoutingDataset } = await import('../../src/orchestrator/synthetic');
  const { toBatch, disposeBatch } = await import('../../src/orchestrator/dataset');
  const { oracleTargetsOfItems } = await import('../../src/orchestrator/loss-kernel');
  const ds = syntheticRoutingDataset({ seed: 4, nItems: 5, nExperts: 4, dim: 12, nDomains: 2 });
  ds.items[1].oracle = null;
  for (const items of [ds.items.slice(0, 3), ds.items.slice(1, 5), ds.items.slice(0, 3)]) {
    const batch = toBatch(items, 12);
    const want = oracleTargetsHost(batch.outputs, batch.oracle);
    const got = oracleTargetsOfItems(items, 12);
    assert.deepEqual(got.cOracle, want.cOracle);
    assert.deepEqual(got.piOracle, want.piOracle);
    disposeBatch(batch);
  }
});
