/**
 * The fused routing op (route-kernel.ts, what `route` runs) against `routeByOps`, the same
 * computation written op by op with tfjs's autodiff: every field of the routed cache, and the
 * gradients of a random weighted sum of all of them with respect to h, ctx and every parameter,
 * under each route option (Gumbel noise, masked experts, forced choices, a C override, the
 * score-part ablations, the r.h read-out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { encode, route, routeByOps, type RouteOptions, type Routed } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { tinyInstance } from './tiny';

const FLOAT_FIELDS = ['collabLogits', 'logC', 'C', 'connectivity', 'intrinsicScore', 'baseScore', 'stopLogit', 'stepLogits', 'stepProbs', 'expertLogProbs', 'relaxedSelection', 'logProbSelected', 'stepMask', 'stopProb', 'halting', 'finalDist', 'expectedLength', 's'] as const;

/** Masked logits are ~ -1e9: compare them relatively, everything else absolutely. */
function close(a: number, b: number): boolean {
  if (Math.abs(b) > 1e6) return Math.abs(a - b) <= 1e-6 * Math.abs(b);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 2e-6 + 2e-6 * Math.abs(b);
}

function gumbelNoise(B: number, k: number, N: number, seed: number): tf.Tensor3D {
  const rng = new Rng(seed);
  return tf.tensor3d(rng.fill(B * k * N, (r) => r.gumbel()), [B, k, N]);
}

interface Case {
  name: string;
  opts: (B: number, N: number) => RouteOptions;
  readsH?: boolean;
}

const CASES: Case[] = [
  { name: 'deterministic', opts: () => ({ steps: 3, tau: 0.7 }) },
  { name: 'Gumbel noise, tau 0.5', opts: (B, N) => ({ steps: 4, tau: 0.5, gumbel: gumbelNoise(B, 4, N, 5) }) },
  { name: 'a masked expert', opts: (B, N) => ({ steps: 4, tau: 1, available: [true, false, true, true], gumbel: gumbelNoise(B, 4, N, 6) }) },
  { name: 'forced choices', opts: () => ({ steps: 3, tau: 1, forcedChain: [[2, 1, 0], [3, 0], [1]] }) },
  { name: 'C override', opts: (_B, N) => ({ steps: 3, tau: 1, collabOverride: tf.tidy(() => tf.div(tf.sub(tf.ones([N, N]), tf.eye(N)), N - 1)) }) },
  { name: 'relational-only', opts: () => ({ steps: 3, tau: 0.8, scoreParts: 'relational-only' }) },
  { name: 'intrinsic-only', opts: () => ({ steps: 3, tau: 0.8, scoreParts: 'intrinsic-only' }) },
  { name: 'r.h read-out on', opts: (B, N) => ({ steps: 4, tau: 0.9, gumbel: gumbelNoise(B, 4, N, 7) }), readsH: true },
];

for (const c of CASES) {
  test(`fused route = op-by-op route, values and gradients (${c.name})`, async () => {
    await ensureBackend();
    const inst = tinyInstance(13, true, { selectionReadsH: c.readsH });
    const { model, batch } = inst;
    const { h, ctx } = tf.tidy(() => encode(model, batch));
    const [B, N] = h.shape;
    const opts = c.opts(B, N);

    const fused = route(model, h, ctx, opts);
    const plain = routeByOps(model, h, ctx, opts);
    assert.equal(fused.steps, plain.steps);
    assert.deepEqual(fused.chosen.arraySync(), plain.chosen.arraySync(), 'chosen chain');
    for (const f of FLOAT_FIELDS) {
      const a = (fused[f] as tf.Tensor).dataSync();
      const b = (plain[f] as tf.Tensor).dataSync();
      assert.deepEqual(fused[f].shape, plain[f].shape, `${f} shape`);
      for (let i = 0; i < b.length; i++) assert.ok(close(a[i], b[i]), `${f}[${i}]: fused ${a[i]} vs ops ${b[i]}`);
    }

    // A random weighted sum of every float output, so each output's backward path is exercised.
    const rng = new Rng(21);
    const weights = Object.fromEntries(FLOAT_FIELDS.filter((f) => f !== 'stepMask').map((f) => [f, tf.tensor(rng.fill(plain[f].size, (r) => r.normal()), plain[f].shape)]));
    const objective = (r: Routed) => tf.addN(Object.entries(weights).map(([f, w]) => tf.sum(tf.mul(tf.clipByValue(r[f as keyof Routed] as tf.Tensor, -1e3, 1e3), w))));
    const names = Object.keys(model.params);
    const gradsOf = (fn: typeof route) => {
      const { grads } = tf.variableGrads(() => objective(fn(model, h, ctx, opts)) as tf.Scalar, names.map((n) => model.params[n]));
      const [gh, gctx] = tf.grads((hh: tf.Tensor, cc: tf.Tensor) => objective(fn(model, hh as tf.Tensor3D, cc as tf.Tensor2D, opts)))([h, ctx]);
      return { grads, gh, gctx };
    };
    const gf = gradsOf(route);
    const gp = gradsOf(routeByOps);
    const compare = (label: string, a: tf.Tensor | undefined, b: tf.Tensor | undefined) => {
      if (!a || !b) {
        assert.equal(!!a, !!b, `${label}: gradient present in one implementation only`);
        return;
      }
      const av = a.dataSync();
      const bv = b.dataSync();
      const scale = Math.max(1e-3, ...Array.from(bv, Math.abs));
      for (let i = 0; i < bv.length; i++) assert.ok(Math.abs(av[i] - bv[i]) <= 1e-4 * scale, `${label}[${i}]: fused ${av[i]} vs ops ${bv[i]}`);
    };
    compare('d/dh', gf.gh, gp.gh);
    compare('d/dctx', gf.gctx, gp.gctx);
    let checked = 0;
    for (const n of names) {
      const v = model.params[n].name;
      compare(`d/d ${n}`, gf.grads[v], gp.grads[v]);
      if (gp.grads[v]) checked++;
    }
    assert.ok(checked >= 5, `only ${checked} parameters reached`);
    assert.ok(tf.norm(gp.gh).dataSync()[0] > 1e-3, 'the objective does not depend on h');
  });
}

test('fused route: a forced expert the chain already took is an error, as op by op', async () => {
  await ensureBackend();
  const { model, batch } = tinyInstance(13);
  const { h, ctx } = tf.tidy(() => encode(model, batch));
  const free = tf.tidy(() => route(model, h, ctx, { steps: 2 }).chosen.arraySync() as number[][]);
  const forcedChain = free.map((row) => [-1, row[0]]);
  assert.throws(() => route(model, h, ctx, { steps: 2, forcedChain }), /already took/);
  assert.throws(() => routeByOps(model, h, ctx, { steps: 2, forcedChain }), /already took/);
});
