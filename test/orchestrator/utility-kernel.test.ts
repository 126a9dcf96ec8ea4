/**
 * The fused utility and distillation terms (utility-kernel.ts: 'exact-two-step' and
 * 'adapter-cosine', the training defaults), as compositeLoss runs them, against
 * utilityAndDistillationByOps (the same definitions op by op): values, and gradients of a random
 * weighting of the two with respect to every parameter, through the whole forward pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, hostView, tf } from '../../src/orchestrator/backend';
import { utilityAndDistillationByOps } from '../../src/orchestrator/losses';
import { forward, type ForwardCache } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { utilityDistillationKernel } from '../../src/orchestrator/utility-kernel';
import { assertGradientsAgree, tinyInstance } from './tiny';

const CASES = [
  { name: 'one item without an oracle, no exploration, no length penalty', noOracle: false, exploration: 0, gamma: 0, steps: 3 },
  { name: 'no oracle at all, eps 0.3, gamma 0.2', noOracle: true, exploration: 0.3, gamma: 0.2, steps: 4 },
  { name: 'two steps, eps 0.1, gamma 0.5', noOracle: false, exploration: 0.1, gamma: 0.5, steps: 2 },
];

for (const c of CASES) {
  test(`fused utility and distillation = op by op, values and gradients (${c.name})`, async () => {
    await ensureBackend();
    const { model, batch } = tinyInstance(29);
    const targets = c.noOracle ? { ...batch, hasOracle: tf.zerosLike(batch.hasOracle) as tf.Tensor1D } : batch;
    const rng = new Rng(9);
    const gumbel = tf.tensor3d(rng.fill(3 * c.steps * 4, (r) => r.gumbel()), [3, c.steps, 4]);
    const opts = { steps: c.steps, tau: 0.7, gumbel };
    const settings = { utility: 'exact-two-step' as const, distillation: 'adapter-cosine' as const, lengthPenalty: c.gamma, exploration: c.exploration };
    const fused = (cache: ForwardCache) =>
      utilityDistillationKernel(
        { s: cache.s, baseScore: cache.baseScore, logC: cache.logC, stopLogit: cache.stopLogit, finalDist: cache.finalDist, hAdapter: cache.hAdapter, hOracle: cache.hOracle! },
        { correct: hostView(targets.correct).slice(), pairCorrect: hostView(targets.pairCorrect!).slice(), hasOracle: hostView(targets.hasOracle).slice(), gamma: c.gamma, exploration: c.exploration },
      );
    const byOps = (cache: ForwardCache) => utilityAndDistillationByOps(cache, targets, settings);
    const cache = forward(model, batch, opts);
    const a = fused(cache).dataSync();
    const b = byOps(cache).dataSync();
    ['utility', 'distillation'].forEach((n, i) => assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 + 1e-5 * Math.abs(b[i]), `${n}: fused ${a[i]} vs ops ${b[i]}`));
    assert.ok(a[0] > 0, 'utility is -log of a probability below 1');
    if (c.noOracle) assert.equal(a[1], 0);
    else assert.ok(a[1] > 0);

    const w = tf.tensor1d(rng.fill(2, (r) => r.normal()));
    const names = Object.keys(model.params);
    const gradsOf = (f: (c: ForwardCache) => tf.Tensor) => tf.variableGrads(() => tf.sum(tf.mul(f(forward(model, batch, opts)), w)) as tf.Scalar, names.map((n) => model.params[n])).grads;
    const gf = gradsOf(fused);
    const gp = gradsOf(byOps);
    assertGradientsAgree(model, gf, gp);
  });
}
