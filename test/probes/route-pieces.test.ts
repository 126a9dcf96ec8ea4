/**
 * Reads and h-gradients from the routing pieces (computed once per encoding) against `route` and
 * tf.grad through it: the same chains, C, s and stop probabilities up to float32 rounding, the same gradient norms, under
 * masks, a static C, the score ablations, forced chains and the r . h read-out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { resolveModelConfig } from '../../src/orchestrator/config';
import { createModel, disposeModel, initialParameters, route, type ScoreParts } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { readFromPieces, routePieces, selectionGradNorms } from '../../src/probes/route-pieces';
import { disposeEncoded, encodeItems } from '../../src/probes/routing-read';

const N = 8;

function model(opts: { selectionReadsH: boolean; backbone: boolean; hidden: number; heads: number; stopBias: number }) {
  const cfg = resolveModelConfig({ inputDim: 16, nExperts: N, hidden: opts.hidden, heads: opts.heads, dropout: 0, backbone: opts.backbone, selectionReadsH: opts.selectionReadsH });
  const values = initialParameters(cfg, new Rng(11));
  values['stop.b'] = new Float32Array([opts.stopBias]);
  values['collab.lambda'] = new Float32Array([0.7]);
  values['select.phi'] = Float32Array.from({ length: N }, (_, i) => 0.1 * Math.sin(i + 1));
  return createModel(cfg, values);
}

const variants: Array<{ name: string; available?: boolean[]; override?: number[][]; parts?: ScoreParts }> = [
  { name: 'full' },
  { name: 'masked', available: [true, false, true, true, true, true, false, true] },
  { name: 'relational-only', parts: 'relational-only' },
  { name: 'intrinsic-only', parts: 'intrinsic-only' },
  { name: 'static C', override: Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? 0 : (1 + ((i + 2 * j) % 3)) / 13))) },
];

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('reads from the pieces equal route: C, s, chosen experts, stop probabilities (forced prefixes too)', async () => {
  await ensureBackend();
  let worst = 0;
  const ds = syntheticRoutingDataset({ seed: 8, nItems: 7, nExperts: N, dim: 16, nDomains: 2 });
  for (const m of [
    { selectionReadsH: false, backbone: true, hidden: 8, heads: 2, stopBias: 0 },
    { selectionReadsH: true, backbone: false, hidden: 9, heads: 3, stopBias: -2 },
  ]) {
    const mdl = model(m);
    try {
      for (const v of variants) {
        const enc = encodeItems(mdl, ds.items, { available: v.available });
        try {
          const P = routePieces(mdl, enc.h, enc.ctx);
          for (const forced of [undefined, [2, 4]]) {
            const steps = 5;
            const idx = [0, 1, 2, 3, 4, 5, 6];
            const forcedChain = forced ? idx.map(() => forced) : undefined;
            const got = readFromPieces(P, idx, { steps, available: v.available, collabOverride: v.override, scoreParts: v.parts, forcedChain });
            const want = tf.tidy(() => {
              const override = v.override ? tf.tensor2d(v.override) : undefined;
              const r = route(mdl, enc.h, enc.ctx, { steps, available: v.available, collabOverride: override, scoreParts: v.parts, forcedChain });
              return { C: r.C.arraySync() as number[][][], s: r.s.arraySync() as number[][], chosen: r.chosen.arraySync() as number[][], stopProb: r.stopProb.arraySync() as number[][] };
            });
            const tag = `${JSON.stringify(m)} ${v.name} forced ${forced}`;
            // the pieces take q_i . k_j as h_i (Wq Wk^T) . h_j: equal to route's up to float32 rounding
            assert.deepEqual(got.chosen, want.chosen, tag);
            for (const [name, g, w] of [['C', got.C.flat(2), want.C.flat(2)], ['s', got.s.flat(), want.s.flat()], ['stopProb', got.stopProb.flat(), want.stopProb.flat()]] as const) {
              assert.equal(g.length, w.length, `${tag} ${name}`);
              g.forEach((x, i) => assert.ok(Math.abs(x - w[i]) <= 1e-6, `${tag} ${name}[${i}]: ${x} vs route's ${w[i]}`));
              worst = Math.max(worst, ...g.map((x, i) => Math.abs(x - w[i])));
            }
          }
        } finally {
          disposeEncoded(enc);
        }
      }
    } finally {
      disposeModel(mdl);
    }
  }
  console.log(`largest difference from route's C, s and stop probabilities: ${worst.toExponential(2)}`);
});

test('selection gradient norms from the pieces equal tf.grad through route, row by row', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 9, nItems: 5, nExperts: N, dim: 16, nDomains: 2 });
  for (const m of [
    { selectionReadsH: false, backbone: true, hidden: 8, heads: 2, stopBias: -1 },
    { selectionReadsH: true, backbone: true, hidden: 9, heads: 3, stopBias: -1 },
  ]) {
    const mdl = model(m);
    try {
      for (const v of variants) {
        const enc = encodeItems(mdl, ds.items, { available: v.available });
        try {
          const P = routePieces(mdl, enc.h, enc.ctx);
          const free = v.available ? v.available.map((a, i) => (a ? i : -1)).filter((i) => i >= 0) : Array.from({ length: N }, (_, i) => i);
          // chains of different lengths, including the model's own first choice and arbitrary ones
          const chains = [[free[0]], [free[1], free[0], free[2]], [free[3], free[1]], [free[2], free[4], free[0], free[1]], [free[4]]];
          const rowItem: number[] = [];
          const rowStep: number[] = [];
          chains.forEach((c, b) => c.forEach((_, t) => (rowItem.push(b), rowStep.push(t))));
          const got = selectionGradNorms(P, rowItem, rowItem.map((b) => chains[b]), rowStep, { available: v.available, collabOverride: v.override, scoreParts: v.parts });
          let nonzero = 0;
          rowItem.forEach((b, r) => {
            const t = rowStep[r];
            const want = tf.tidy(() => {
              const h = enc.h.slice([b, 0, 0], [1, -1, -1]) as tf.Tensor3D;
              const ctx = enc.ctx.slice([b, 0], [1, -1]) as tf.Tensor2D;
              const override = v.override ? tf.tensor2d(v.override) : undefined;
              const f = (hh: tf.Tensor) => route(mdl, hh as tf.Tensor3D, ctx, { steps: chains[b].length, forcedChain: [chains[b]], available: v.available, collabOverride: override, scoreParts: v.parts }).logProbSelected.slice([0, t], [1, 1]).sum();
              const g = tf.grad(f)(h);
              return tf.sqrt(tf.sum(tf.square(g), -1)).arraySync() as number[][];
            })[0];
            want.forEach((x, i) => {
              assert.ok(close(got[r][i], x, 2e-5), `${JSON.stringify(m)} ${v.name} item ${b} step ${t} expert ${i}: ${got[r][i]} vs ${x}`);
              if (x > 1e-6) nonzero++;
            });
          });
          // h reaches the objective through C (unless C is static or unused) or through r . h
          const readsH = m.selectionReadsH || (v.parts !== 'intrinsic-only' && !v.override);
          assert.equal(nonzero > 0, readsH, `${v.name}: gradient nonzero exactly when the score reads h`);
        } finally {
          disposeEncoded(enc);
        }
      }
    } finally {
      disposeModel(mdl);
    }
  }
});

test('the pieces refuse a bad item, step or mask', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 9, nItems: 2, nExperts: N, dim: 16, nDomains: 2 });
  const mdl = model({ selectionReadsH: false, backbone: false, hidden: 8, heads: 2, stopBias: 0 });
  const enc = encodeItems(mdl, ds.items);
  try {
    const P = routePieces(mdl, enc.h, enc.ctx);
    assert.throws(() => readFromPieces(P, [2], { steps: 2 }), /item 2 is not in 0\.\.1/);
    assert.throws(() => readFromPieces(P, [0], { steps: 2, available: new Array(N).fill(false) }), /every expert is masked/);
    assert.throws(() => selectionGradNorms(P, [0], [[1, 2]], [2]), /step 2 is outside chain/);
    assert.throws(() => readFromPieces(P, [0], { steps: 2, forcedChain: [[3, 3]] }), /already took/);
  } finally {
    disposeEncoded(enc);
    disposeModel(mdl);
  }
});

test('the pieces keep C per mask and item: reads under one mask share it, and a mask array reused for another mask reads the new one', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 5, nItems: 6, nExperts: N, dim: 16, nDomains: 2 });
  const mdl = model({ selectionReadsH: false, backbone: false, hidden: 8, heads: 2, stopBias: 0 });
  const enc = encodeItems(mdl, ds.items);
  try {
    const P = routePieces(mdl, enc.h, enc.ctx);
    const idx = [0, 1, 2, 3, 4, 5];
    const fresh = (available: boolean[]) => readFromPieces(routePieces(mdl, enc.h, enc.ctx), idx, { steps: 3, available });
    const mask = new Array<boolean>(N).fill(true);
    mask[2] = false;
    const first = readFromPieces(P, idx, { steps: 3, available: mask });
    assert.deepEqual(readFromPieces(P, idx, { steps: 3, available: mask }), first, 'the same read again');
    assert.deepEqual(first, fresh([...mask]));
    mask[2] = true; // the caller's array, now another mask
    mask[5] = false;
    const second = readFromPieces(P, idx, { steps: 3, available: mask });
    assert.deepEqual(second, fresh([...mask]), 'the mutated array is read as the new mask');
    assert.ok(second.C.some((c) => c[0][5] === 0) && first.C.every((c) => c[0][5] > 0), 'the two masks give different C');
    assert.deepEqual(P.rows.size, 2, 'one set of rows per mask');
  } finally {
    disposeEncoded(enc);
    disposeModel(mdl);
  }
});

test('the pieces follow a weight variable assigned a new value (the cached Wq Wk^T is keyed by the values, not the variable)', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 6, nItems: 5, nExperts: N, dim: 16, nDomains: 2 });
  const mdl = model({ selectionReadsH: false, backbone: false, hidden: 8, heads: 2, stopBias: 0 });
  const enc = encodeItems(mdl, ds.items);
  const idx = [0, 1, 2, 3, 4];
  const maxDiff = () => {
    const got = readFromPieces(routePieces(mdl, enc.h, enc.ctx), idx, { steps: 3 });
    const want = tf.tidy(() => route(mdl, enc.h, enc.ctx, { steps: 3 }).C.arraySync() as number[][][]);
    return Math.max(...got.C.flat(2).map((x, i) => Math.abs(x - want.flat(2)[i])));
  };
  try {
    assert.ok(maxDiff() <= 1e-6);
    const Wq = mdl.params['collab.Wq'] as tf.Variable;
    assert.ok(Wq instanceof tf.Variable, 'the weights are variables, as in training');
    const before = readFromPieces(routePieces(mdl, enc.h, enc.ctx), idx, { steps: 3 }).C;
    tf.tidy(() => Wq.assign(tf.mul(Wq, 3)));
    assert.ok(maxDiff() <= 1e-6, 'after assign, the pieces read the new Wq');
    assert.notDeepEqual(readFromPieces(routePieces(mdl, enc.h, enc.ctx), idx, { steps: 3 }).C, before, 'the new Wq changes C');
  } finally {
    disposeEncoded(enc);
    disposeModel(mdl);
  }
});
