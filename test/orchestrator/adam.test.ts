/**
 * The host-loop Adam (src/orchestrator/adam.ts) against the same update written with tfjs ops
 * (the implementation it replaced, PyTorch's rule): several steps, with clipping active and not,
 * a parameter without a gradient, and a clone of a parameter that must not change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { adamStep, createAdamState, disposeAdamState, readAdamState, type AdamSettings } from '../../src/orchestrator/adam';
import { Rng } from '../../src/orchestrator/rng';

/** The reference: PyTorch's Adam with global-norm clipping, one tfjs op at a time. */
function referenceStep(params: Record<string, tf.Tensor>, grads: Record<string, tf.Tensor>, m: Record<string, tf.Tensor>, v: Record<string, tf.Tensor>, t: number, lr: number, s: AdamSettings): number {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))).dataSync()[0]);
  const scale = Math.min(1, s.clipNorm / (norm + 1e-6));
  const bc1 = 1 - Math.pow(s.beta1, t);
  const bc2sqrt = Math.sqrt(1 - Math.pow(s.beta2, t));
  for (const n of names) {
    const [pm, pv, pp] = tf.tidy(() => {
      const g = tf.mul(grads[n], scale);
      const mm = tf.add(tf.mul(m[n], s.beta1), tf.mul(g, 1 - s.beta1));
      const vv = tf.add(tf.mul(v[n], s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
      const p = tf.sub(params[n], tf.mul(lr / bc1, tf.div(mm, tf.add(tf.div(tf.sqrt(vv), bc2sqrt), s.eps))));
      return [mm, vv, p];
    });
    tf.dispose([m[n], v[n], params[n]]);
    [m[n], v[n], params[n]] = [pm, pv, pp];
  }
  return norm;
}

/** Largest difference relative to the reference array's largest entry (entries near 0 carry float32 cancellation). */
function maxRel(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let worst = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

for (const clipNorm of [0.5, 1e6]) {
  test(`adamStep matches the op-by-op Adam over 5 steps (clipNorm ${clipNorm})`, async () => {
    await ensureBackend();
    const rng = new Rng(11);
    const shapes: Record<string, number[]> = { W: [7, 5], b: [5], s: [], frozen: [3] };
    const init = Object.fromEntries(Object.entries(shapes).map(([n, sh]) => [n, rng.fill(sh.reduce((a, x) => a * x, 1), (r) => r.normal())]));
    const params = Object.fromEntries(Object.entries(shapes).map(([n, sh]) => [n, tf.variable(tf.tensor(init[n], sh))]));
    const frozenClone = params.frozen.clone(); // shares the variable's memory
    const refParams: Record<string, tf.Tensor> = Object.fromEntries(['W', 'b', 's'].map((n) => [n, tf.tensor(init[n], shapes[n])]));
    const refM: Record<string, tf.Tensor> = Object.fromEntries(['W', 'b', 's'].map((n) => [n, tf.zeros(shapes[n])]));
    const refV: Record<string, tf.Tensor> = Object.fromEntries(['W', 'b', 's'].map((n) => [n, tf.zeros(shapes[n])]));
    const state = createAdamState(params);
    const settings: AdamSettings = { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm };
    for (let t = 1; t <= 5; t++) {
      const grads: Record<string, tf.Tensor> = Object.fromEntries(['W', 'b', 's'].map((n) => [n, tf.tensor(rng.fill(init[n].length, (r) => r.normal()), shapes[n])]));
      const norm = adamStep(params, { ...grads, frozen: null }, state, 1e-2, settings);
      const refNorm = referenceStep(refParams, grads, refM, refV, t, 1e-2, settings);
      assert.ok(Math.abs(norm - refNorm) <= 1e-5 * refNorm, `step ${t}: norm ${norm} vs ${refNorm}`);
      if (clipNorm < 1) assert.ok(refNorm > clipNorm, 'the clipping branch is exercised');
      tf.dispose(Object.values(grads));
    }
    for (const n of ['W', 'b', 's']) {
      assert.ok(maxRel(params[n].dataSync(), refParams[n].dataSync()) < 1e-5, `${n} differs from the reference`);
      assert.ok(maxRel(state.m[n], refM[n].dataSync()) < 1e-5, `m of ${n} differs`);
      assert.ok(maxRel(state.v[n], refV[n].dataSync()) < 1e-5, `v of ${n} differs`);
    }
    assert.deepEqual(Array.from(params.frozen.dataSync()), Array.from(init.frozen), 'a parameter without a gradient moved');
    assert.deepEqual(Array.from(state.m.frozen), [0, 0, 0]);
    assert.deepEqual(Array.from(frozenClone.dataSync()), Array.from(init.frozen));
    // The checkpoint copy is a copy.
    const saved = readAdamState(state);
    saved.m.W[0] += 1;
    assert.notEqual(saved.m.W[0], state.m.W[0]);
    assert.equal(saved.t, 5);
    tf.dispose([frozenClone, ...Object.values(params), ...Object.values(refParams), ...Object.values(refM), ...Object.values(refV)]);
  });
}

test('adamStep leaves a clone of an updated parameter unchanged and leaks no tensor', async () => {
  await ensureBackend();
  const p = tf.variable(tf.tensor1d([1, 2, 3]));
  const clone = p.clone();
  const state = createAdamState({ p });
  const g = tf.tensor1d([1, 1, 1]);
  const before = tf.memory().numTensors;
  adamStep({ p }, { p: g }, state, 0.1, { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 100 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Array.from(clone.dataSync()), [1, 2, 3]);
  // First step: m/(sqrt(v)) = sign(g) after bias correction, so each entry moves by ~lr.
  Array.from(p.dataSync()).forEach((x, i) => assert.ok(Math.abs(x - ([1, 2, 3][i] - 0.1)) < 1e-6, `entry ${i}: ${x}`));
  tf.dispose([p, clone, g]);
});

test('the scalar fallback (a state without a SIMD workspace) matches the SIMD update', async () => {
  await ensureBackend();
  const rng = new Rng(5);
  const init = rng.fill(37, (r) => r.normal());
  const a = tf.variable(tf.tensor1d(init));
  const b = tf.variable(tf.tensor1d(init));
  const simd = createAdamState({ w: a });
  const plain = { t: 0, m: { w: new Float32Array(37) }, v: { w: new Float32Array(37) } }; // built by hand: no workspace
  const settings = { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 1 };
  for (let t = 0; t < 4; t++) {
    const g = tf.tensor1d(rng.fill(37, (r) => 3 * r.normal()));
    adamStep({ w: a }, { w: g }, simd, 1e-2, settings);
    adamStep({ w: b }, { w: g }, plain, 1e-2, settings);
    g.dispose();
  }
  assert.ok(maxRel(a.dataSync(), b.dataSync()) < 1e-6);
  assert.ok(maxRel(simd.m.w, plain.m.w) < 1e-5);
  tf.dispose([a, b]);
});

test('a value assigned to a parameter between steps (e.g. restored weights) is what the next step updates', async () => {
  await ensureBackend();
  const rng = new Rng(9);
  const init = rng.fill(21, (r) => r.normal());
  const p = tf.variable(tf.tensor1d(init));
  const state = createAdamState({ p });
  const settings = { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 100 };
  const g = tf.tensor1d(rng.fill(21, (r) => r.normal()));
  adamStep({ p }, { p: g }, state, 1e-2, settings);
  // Someone else writes the variable: the SIMD kernel's copy of the last update is stale now.
  const restored = rng.fill(21, (r) => 10 + r.normal());
  p.assign(tf.tensor1d(restored));
  const m = new Float32Array(state.m.p);
  const v = new Float32Array(state.v.p);
  adamStep({ p }, { p: g }, state, 1e-2, settings);
  // The second step from `restored` with the first step's moments, written out.
  const bc1 = 1 - 0.9 ** 2;
  const bc2sqrt = Math.sqrt(1 - 0.999 ** 2);
  const gv = g.dataSync();
  Array.from(p.dataSync()).forEach((x, i) => {
    const mi = 0.9 * m[i] + 0.1 * gv[i];
    const vi = 0.999 * v[i] + 0.001 * gv[i] * gv[i];
    const want = restored[i] - ((1e-2 / bc1) * mi) / (Math.sqrt(vi) / bc2sqrt + 1e-8);
    assert.ok(Math.abs(x - want) < 1e-5 * Math.max(1, Math.abs(want)), `entry ${i}: ${x} vs ${want}`);
  });
  tf.dispose([p, g]);
});

test('the moments stay readable when the wasm heap grows, and off the wasm backend the kernel runs in a memory of its own', async () => {
  const settings = { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 1 };
  for (const backend of ['wasm', 'cpu'] as const) {
    await ensureBackend(backend, () => undefined);
    try {
      const rng = new Rng(11);
      const init = rng.fill(37, (r) => r.normal());
      const a = tf.variable(tf.tensor1d(init));
      const b = tf.variable(tf.tensor1d(init));
      const simd = createAdamState({ w: a });
      const plain = { t: 0, m: { w: new Float32Array(37) }, v: { w: new Float32Array(37) } };
      for (let t = 0; t < 3; t++) {
        const g = tf.tensor1d(rng.fill(37, (r) => 3 * r.normal()));
        adamStep({ w: a }, { w: g }, simd, 1e-2, settings);
        adamStep({ w: b }, { w: g }, plain, 1e-2, settings);
        g.dispose();
      }
      const before = simd.m.w.slice();
      const big = tf.zeros([64 * 1024 * 1024]); // 256 MB: the wasm heap grows, detaching every view of it
      assert.deepEqual(simd.m.w, before, `${backend}: moments after the heap grew`);
      big.dispose();
      assert.ok(maxRel(a.dataSync(), b.dataSync()) < 1e-6, `${backend}: parameters`);
      assert.ok(maxRel(simd.v.w, plain.v.w) < 1e-5, `${backend}: second moments`);
      disposeAdamState(simd);
      tf.dispose([a, b]);
    } finally {
      await ensureBackend('wasm', () => undefined);
    }
  }
});
