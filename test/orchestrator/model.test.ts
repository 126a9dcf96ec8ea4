/** Unit tests of the model's mechanics, the schedules and the RNG. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { resolveTrainConfig } from '../../src/orchestrator/config';
import { inferChains } from '../../src/orchestrator/evaluate';
import { disposeCache, encode, forward, route, selectionLogProbFromH } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { advanceSchedule, initialSchedule, learningRateAt, topKForConfidence } from '../../src/orchestrator/schedule';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { tinyInstance } from './tiny';

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol;

test('the RNG continues the same stream from a saved state', () => {
  const a = new Rng(42);
  for (let i = 0; i < 10; i++) a.uniform();
  const b = Rng.fromState(a.state());
  assert.deepEqual(Array.from({ length: 5 }, () => b.normal()), Array.from({ length: 5 }, () => a.normal()));
  assert.notDeepEqual(new Rng(1).state(), new Rng(2).state());
});

test('schedules: warmup then cosine, tau floor, k falls with confidence and never rises', () => {
  const cfg = resolveTrainConfig({});
  assert.ok(close(learningRateAt(0, 100, cfg), 1e-4, 1e-12)); // warmup: 10 steps
  assert.ok(close(learningRateAt(9, 100, cfg), 1e-3, 1e-12));
  assert.ok(close(learningRateAt(55, 100, cfg), 0.5e-3, 1e-12)); // halfway through the cosine
  assert.ok(learningRateAt(99, 100, cfg) < 1e-5);
  assert.equal(topKForConfidence(0.1, 10), 10);
  assert.equal(topKForConfidence(1, 10), 1);
  let s = initialSchedule(cfg, 10);
  const ks: number[] = [];
  for (let i = 0; i < 2000; i++) {
    s = advanceSchedule(s, i < 1000 ? 0.9 : 0.1, cfg, 10);
    ks.push(s.k);
  }
  assert.equal(s.tau, 0.5);
  assert.ok(ks.every((k, i) => i === 0 || k <= ks[i - 1]), 'k grew back');
  assert.equal(ks[999], 2); // confidence 0.9 -> k = round(10 - 9 * 0.889) = 2
});

test('forward: distributions normalise, masking and forced choices are honoured, h-gradients exist', async () => {
  await ensureBackend();
  const { model, batch } = tinyInstance(9);
  const c = forward(model, batch, { steps: 3, tau: 1 });
  const rows = (t: tf.Tensor) => (tf.sum(t, -1).arraySync() as number[] | number[][]).flat();
  rows(c.C).forEach((x) => assert.ok(close(x, 1)));
  rows(c.s).forEach((x) => assert.ok(close(x, 1)));
  rows(c.halting).forEach((x) => assert.ok(close(x, 1)));
  rows(c.finalDist).forEach((x) => assert.ok(close(x, 1)));
  (tf.sum(tf.mul(c.C, tf.eye(4)), [1, 2]).arraySync() as number[]).forEach((x) => assert.equal(x, 0)); // no self-transition
  (c.stopProb.arraySync() as number[][]).forEach((r) => assert.equal(r[0], 0)); // cannot stop before the first expert
  (c.chosen.arraySync() as number[][]).forEach((r) => assert.equal(new Set(r).size, r.length)); // no expert twice
  disposeCache(c);

  const masked = forward(model, batch, { steps: 3, available: [true, false, true, true] });
  (masked.s.arraySync() as number[][]).forEach((r) => assert.equal(r[1], 0));
  (masked.C.arraySync() as number[][][]).forEach((m) => m.forEach((r) => assert.equal(r[1], 0)));
  (masked.chosen.arraySync() as number[][]).forEach((r) => assert.ok(!r.includes(1)));
  disposeCache(masked);

  const forced = forward(model, batch, { steps: 2, forcedChain: [[1, -1], [2, 0], [-1, -1]] });
  const ch = forced.chosen.arraySync() as number[][];
  assert.equal(ch[0][0], 1);
  assert.deepEqual(ch[1], [2, 0]);
  disposeCache(forced);
  assert.throws(() => forward(model, batch, { steps: 2, forcedChain: [[1, 1], [-1, -1], [-1, -1]] }), /forcedChain\[0\] uses expert 1 twice/);
  assert.throws(() => forward(model, batch, { steps: 2, available: [true, false, true, true], forcedChain: [[1], [-1], [-1]] }), /forces expert 1, which is masked/);
  // Forcing, at step 2, the expert the model itself picked at step 1 would put it in the chain twice.
  const free = forward(model, batch, { steps: 1 });
  const firstPick = (free.chosen.arraySync() as number[][])[0][0];
  disposeCache(free);
  assert.throws(() => forward(model, batch, { steps: 2, forcedChain: [[-1, firstPick], [-1, -1], [-1, -1]] }), new RegExp(`forcedChain\\[0\\]\\[1\\] forces expert ${firstPick}, which item 0's chain already took`));

  // Gradients of log P(chosen) with respect to every h_i (the intrinsic-importance probe).
  const { h, ctx } = encode(model, batch);
  const g = tf.grad((hh: tf.Tensor) => tf.sum(selectionLogProbFromH(model, hh as tf.Tensor3D, ctx, { steps: 3 })))(h);
  assert.deepEqual(g.shape, h.shape);
  assert.ok(tf.norm(g).dataSync()[0] > 0);

  // The ablations' overrides: a uniform static C makes every expert's connectivity equal.
  const uniform = tf.div(tf.sub(tf.ones([4, 4]), tf.eye(4)), 3);
  const r = route(model, h, ctx, { steps: 2, collabOverride: uniform });
  (r.connectivity.arraySync() as number[][]).forEach((row) => row.forEach((x) => assert.ok(close(x, 1))));
});

test('inference: argmax is deterministic, sampling is seeded, masked experts are never called', async () => {
  await ensureBackend();
  const { model } = tinyInstance(9);
  const ds = syntheticRoutingDataset({ seed: 3, nItems: 20, nExperts: 4, dim: 12 });
  const a = inferChains(model, ds.items);
  assert.deepEqual(inferChains(model, ds.items), a);
  const s1 = inferChains(model, ds.items, { mode: 'sample', seed: 5 });
  assert.deepEqual(inferChains(model, ds.items, { mode: 'sample', seed: 5 }), s1);
  assert.notDeepEqual(inferChains(model, ds.items, { mode: 'sample', seed: 6 }).map((c) => c.chain), s1.map((c) => c.chain));
  const m = inferChains(model, ds.items, { available: [false, true, true, true], maxSteps: 2 });
  m.forEach((c) => {
    assert.ok(!c.chain.includes(0));
    assert.ok(c.chain.length >= 1 && c.chain.length <= 2);
  });
});
