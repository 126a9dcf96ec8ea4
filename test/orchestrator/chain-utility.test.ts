/**
 * The utility loss reads the chain's final output: solo correctness for a one-expert chain, the
 * graded pair "j after i" for the last two experts of a longer one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { disposeBatch, toBatch } from '../../src/orchestrator/dataset';
import { compositeLoss, exactTwoStepCorrectness, expectedChainCorrectness, expectedChainCorrectnessExact } from '../../src/orchestrator/losses';
import { forward } from '../../src/orchestrator/model';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { tinyInstance } from './tiny';

/** The routed quantities and grades the exact utilities are computed from, as plain arrays. */
function readAll(c: ReturnType<typeof forward>, batch: ReturnType<typeof tinyInstance>['batch']) {
  return {
    s: c.s.arraySync() as number[][],
    base: c.baseScore.arraySync() as number[][],
    logC: c.logC.arraySync() as number[][][],
    stop: c.stopLogit.arraySync() as number[],
    solo: batch.correct.arraySync() as number[][],
    P: batch.pairCorrect.arraySync() as number[][][],
  };
}

test('expected chain correctness = P(K=1) y1.c + sum_t P(K=t) y_{t-1}^T P y_t, by hand', async () => {
  await ensureBackend();
  const { model, batch, steps, tau } = tinyInstance(9);
  const c = forward(model, batch, { steps, tau });
  const y = c.relaxedSelection.arraySync() as number[][][];
  const halt = c.halting.arraySync() as number[][];
  const solo = batch.correct.arraySync() as number[][];
  const P = batch.pairCorrect.arraySync() as number[][][];
  const got = expectedChainCorrectness(c, batch.correct, batch.pairCorrect).arraySync() as number[];
  y.forEach((yb, b) => {
    let e = halt[b][0] * yb[0].reduce((a, x, j) => a + x * solo[b][j], 0);
    for (let t = 1; t < steps; t++) for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) e += halt[b][t] * yb[t - 1][i] * P[b][i][j] * yb[t][j];
    assert.ok(Math.abs(e - got[b]) < 1e-6, `item ${b}: ${got[b]} vs ${e}`);
  });
});

test("changing a pair's grade changes the utility loss; without pairs it is the solo utility", async () => {
  await ensureBackend();
  const { model, steps, tau, settings } = tinyInstance(9);
  const ds = syntheticRoutingDataset({ seed: 9, nItems: 3, nExperts: 4, dim: 12, nDomains: 2 });
  const utilityOf = (items: typeof ds.items) =>
    tf.tidy(() => {
      const b = toBatch(items, 12);
      const u = compositeLoss(forward(model, b, { steps, tau }), b, settings).terms.utility.dataSync()[0];
      disposeBatch(b);
      return u;
    });
  // the pair the rolled-out chain weighs most: its first two steps
  const chosen = tf.tidy(() => {
    const b = toBatch(ds.items, 12);
    const r = forward(model, b, { steps, tau }).chosen.arraySync() as number[][];
    disposeBatch(b);
    return r;
  });
  const [i, j] = chosen[0];
  const withPairs = ds.items.map((it) => ({ ...it, pairCorrect: it.correct.map((_, a) => it.correct.map((cj, bb) => (a === bb ? null : cj))) }));
  // pairs equal to the successor's solo grade: the same utility as with no pairs at all
  const noPairs = utilityOf(ds.items);
  assert.ok(Math.abs(utilityOf(withPairs) - noPairs) < 1e-6);
  // flip the grade of "j after i" on item 0
  const flipped = withPairs.map((it, n) => (n === 0 ? { ...it, pairCorrect: it.pairCorrect.map((row, a) => row.map((p, bb) => (a === i && bb === j ? 1 - (p as number) : p))) } : it));
  const changed = utilityOf(flipped);
  console.log(`utility: solo-only ${noPairs.toFixed(6)}, with pair ${i}->${j} of item 0 flipped ${changed.toFixed(6)}`);
  assert.ok(Math.abs(changed - noPairs) > 1e-3, `flipping pair ${i}->${j} left the utility at ${changed}`);
  // a pair the chain never reaches in order (j before i where i came first) moves it much less
  const reverse = withPairs.map((it, n) => (n === 0 ? { ...it, pairCorrect: it.pairCorrect.map((row, a) => row.map((p, bb) => (a === j && bb === i ? 1 - (p as number) : p))) } : it));
  assert.ok(Math.abs(utilityOf(reverse) - noPairs) < Math.abs(changed - noPairs));
});

test('with pairs, the utility reaches C through the successor term too (its gradient w.r.t. collab.Wq changes)', async () => {
  await ensureBackend();
  const { model, batch, steps, tau, settings } = tinyInstance(9);
  const onlyUtility = { ...settings, weights: { utility: 1, distillation: 0, symmetry: 0, sparsity: 0, oracle: 0, diversity: 0, selection: 0, length: 0 } };
  const gradNorm = (withPairs: boolean) =>
    tf.tidy(() => {
      const targets = withPairs ? batch : { ...batch, pairCorrect: undefined };
      const { grads } = tf.variableGrads(() => compositeLoss(forward(model, batch, { steps, tau }), targets, onlyUtility).total, [model.params['collab.Wq']]);
      return tf.norm(Object.values(grads)[0]).dataSync()[0];
    });
  const solo = gradNorm(false);
  const pairs = gradNorm(true);
  console.log(`|d utility / d collab.Wq|: solo-only ${solo.toExponential(3)}, with pairs ${pairs.toExponential(3)}`);
  assert.ok(pairs > 0 && Math.abs(pairs - solo) > 1e-4 * Math.max(pairs, solo));
});

test("'exact-two-step' utility = sum_i s_i [P(stop|i) c_i + sum_j P(j|i) P_ij], by hand from the model's own logits", async () => {
  await ensureBackend();
  const { model, batch, steps, tau } = tinyInstance(9);
  const gamma = model.config.lengthPenalty;
  const c = forward(model, batch, { steps, tau });
  const { s, base, logC, stop, solo, P } = readAll(c, batch);
  const got = exactTwoStepCorrectness(c, batch.correct, batch.pairCorrect, gamma).arraySync() as number[];
  s.forEach((sb, b) => {
    let e = 0;
    for (let i = 0; i < 4; i++) {
      // the second step's joint distribution over the other experts and stopping
      const logits = [0, 1, 2, 3].filter((j) => j !== i).map((j) => ({ j, l: base[b][j] - 2 * gamma + logC[b][i][j] }));
      const z = logits.reduce((a, { l }) => a + Math.exp(l), Math.exp(stop[b]));
      e += sb[i] * ((Math.exp(stop[b]) / z) * solo[b][i] + logits.reduce((a, { j, l }) => a + (Math.exp(l) / z) * P[b][i][j], 0));
    }
    assert.ok(Math.abs(e - got[b]) < 1e-5, `item ${b}: ${got[b]} vs ${e}`);
  });
});

test("'exact-two-step': flipping ANY pair's grade moves the utility, and every row of C gets a utility gradient", async () => {
  await ensureBackend();
  const { model, batch, steps, tau, settings } = tinyInstance(9);
  const exact = { ...settings, utility: 'exact-two-step' as const, lengthPenalty: model.config.lengthPenalty };
  const utilityOf = (pairCorrect: tf.Tensor3D) => tf.tidy(() => compositeLoss(forward(model, batch, { steps, tau }), { ...batch, pairCorrect }, exact).terms.utility.dataSync()[0]);
  const P = batch.pairCorrect.arraySync() as number[][][];
  const before = utilityOf(batch.pairCorrect);
  // every off-diagonal pair of item 0, not only the one the sampled rollout takes
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      if (i === j) continue;
      const flipped = P.map((m, b) => m.map((row, a) => row.map((p, bb) => (b === 0 && a === i && bb === j ? 1 - p : p))));
      const t = tf.tensor3d(flipped);
      const after = utilityOf(t);
      t.dispose();
      assert.ok(Math.abs(after - before) > 1e-5, `flipping pair ${i}->${j} left the exact utility at ${after}`);
    }
  // d utility / d logC has a non-zero entry in every row (the rollout form reaches only sampled rows)
  const onlyUtility = { ...exact, weights: { utility: 1, distillation: 0, symmetry: 0, sparsity: 0, oracle: 0, diversity: 0, selection: 0, length: 0 } };
  const gLogC = tf.tidy(() => {
    const c = forward(model, batch, { steps, tau });
    return tf.grad((lc: tf.Tensor) => compositeLoss({ ...c, logC: lc as tf.Tensor3D }, batch, onlyUtility).total)(c.logC).arraySync() as number[][][];
  });
  gLogC[0].forEach((row, i) => assert.ok(row.some((g, j) => j !== i && Math.abs(g) > 1e-7), `row ${i} of C got no utility gradient`));
});

test("'expected-chain' utility = the sum over every chain up to N experts (no immediate repeat) of P(chain) x its last pair's grade, by enumeration", async () => {
  await ensureBackend();
  const { model, batch, steps, tau } = tinyInstance(9);
  const gamma = model.config.lengthPenalty;
  const eps = 0.3;
  const N = 4;
  const c = forward(model, batch, { steps, tau });
  const { s, base, logC, stop, solo, P } = readAll(c, batch);
  const got = expectedChainCorrectnessExact(c, batch.correct, batch.pairCorrect, gamma, eps).arraySync() as number[];
  const ones = tf.tidy(() => expectedChainCorrectnessExact(c, tf.onesLike(batch.correct), tf.onesLike(batch.pairCorrect), gamma, eps).arraySync() as number[]);
  ones.forEach((e, b) => assert.ok(Math.abs(e - 1) < 1e-5, `item ${b}: chains' probabilities sum to ${e}`));
  s.forEach((sb, b) => {
    // P_t(j | i) and P_t(stop | i); at step N + 1 the chain stops
    const step = (t: number, i: number) => {
      if (t > N) return { stop: 1, next: [0, 0, 0, 0] };
      const w = [0, 1, 2, 3].map((j) => (j === i ? 0 : Math.exp(base[b][j] - gamma * t + logC[b][i][j])));
      const z = w.reduce((a, x) => a + x, Math.exp(stop[b]));
      return { stop: Math.exp(stop[b]) / z, next: w.map((x) => x / z) };
    };
    let e = 0;
    const walk = (chain: number[], p: number) => {
      const last = chain[chain.length - 1];
      const { stop: ps, next } = step(chain.length + 1, last);
      e += p * ps * (chain.length === 1 ? solo[b][last] : P[b][chain[chain.length - 2]][last]);
      next.forEach((pj, j) => pj > 0 && walk([...chain, j], p * pj));
    };
    sb.forEach((si, i) => walk([i], (1 - eps) * si + eps / N));
    assert.ok(Math.abs(e - got[b]) < 1e-5, `item ${b}: ${got[b]} vs enumerated ${e}`);
  });
});
