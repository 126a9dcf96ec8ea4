/**
 * The WebAssembly SIMD product (src/orchestrator/gemm-simd.ts, run by host-matmul.ts's `product`)
 * against the scalar loop in the same order (bit for bit) and against float64 sums, on the
 * training step's shapes and on ragged ones (rows not a multiple of 4, columns not a multiple of
 * 8), with A stored transposed, with several terms summed, with a weight read in place in the
 * wasm heap and a result written into a new tensor, and on the cpu backend (a memory of its own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, hostView, tf } from '../../src/orchestrator/backend';
import { gemmJs, type ProductTerm } from '../../src/orchestrator/gemm-simd';
import { batchedProducts, itemProductsABt, mmHost, mmTransposedA, product, productUsesSimd } from '../../src/orchestrator/host-matmul';

const gemm = (terms: ProductTerm[], M: number, K: number, N: number) => product(terms, M, K, N);

function random(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  });
}

/** sum_t a_t b_t in float64, straight from the definition. */
function reference(terms: ProductTerm[], M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (const t of terms) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += (t.aStored === 'MK' ? t.a[m * K + k] : t.a[k * M + m]) * t.b[k * N + n];
        out[m * N + n] += s;
      }
    }
  }
  return out;
}

function assertClose(got: Float32Array, want: Float64Array, K: number, what: string): void {
  assert.equal(got.length, want.length, what);
  // float32 sums of K products of numbers in [-0.5, 0.5]: errors grow like K eps.
  const tol = 4 * K * 2 ** -24;
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}: [${i}] ${got[i]} vs ${want[i]}`);
}

test('the SIMD kernel assembles and validates here (Node has WebAssembly SIMD)', async () => {
  await ensureBackend('wasm', () => undefined);
  assert.equal(productUsesSimd(), true);
});

test('gemm equals the scalar loop bit for bit, and float64 sums within float32 error, on training and ragged shapes', () => {
  // [M, K, N]: the encode and route products of a training step, then ragged ones.
  const shapes: Array<[number, number, number]> = [[22, 768, 256], [22, 256, 256], [20, 256, 512], [256, 22, 256], [5, 7, 9], [1, 1, 1], [4, 3, 8], [13, 40, 24], [3, 16, 30]];
  shapes.forEach(([M, K, N], i) => {
    for (const aStored of ['MK', 'KM'] as const) {
      const terms = [{ a: random(M * K, 3 * i + 1), aStored, b: random(K * N, 3 * i + 2) }];
      const got = gemm(terms, M, K, N);
      assert.deepEqual(got, gemmJs(terms, M, K, N), `[${M}, ${K}] x [${K}, ${N}] ${aStored}`);
      assertClose(got, reference(terms, M, K, N), K, `[${M}, ${K}] x [${K}, ${N}] ${aStored}`);
    }
  });
});

test('several terms are summed (the input gradient through stacked weights)', () => {
  const [M, K, N] = [256, 22, 22];
  const terms = [0, 1, 2].map((t) => ({ a: random(M * K, 10 + t), aStored: 'MK' as const, b: random(K * N, 20 + t) }));
  const got = gemm(terms, M, K, N);
  assert.deepEqual(got, gemmJs(terms, M, K, N));
  assertClose(got, reference(terms, M, K, N), 3 * K, 'three terms');
});

test('each call returns an array of its own', () => {
  const a = random(8 * 8, 1);
  const first = gemm([{ a, aStored: 'MK', b: a }], 8, 8, 8);
  const copy = first.slice();
  gemm([{ a: random(8 * 8, 2), aStored: 'MK', b: a }], 8, 8, 8);
  assert.deepEqual(first, copy);
});

test('a short operand is an error naming the shape', () => {
  assert.throws(() => gemm([{ a: new Float32Array(10), aStored: 'MK', b: new Float32Array(16) }], 4, 4, 4), /10 values for a \[4, 4\] operand/);
  assert.throws(() => gemm([{ a: new Float32Array(16), aStored: 'MK', b: new Float32Array(15) }], 4, 4, 4), /15 values for a \[4, 4\] operand/);
});

test('a weight is read in place in the wasm heap, and a gradient written into a new tensor, with the same bits', async () => {
  await ensureBackend('wasm', () => undefined);
  const [M, K, N] = [22, 768, 256];
  const W = tf.tensor2d(random(K * N, 31), [K, N]);
  const a = random(M * K, 32);
  const want = gemmJs([{ a, aStored: 'MK', b: random(K * N, 31) }], M, K, N);
  assert.deepEqual(mmHost(a, M, K, W), want);
  const dY = random(M * N, 33);
  const g = mmTransposedA(a, M, K, dY, N);
  assert.deepEqual(g.shape, [K, N]);
  assert.deepEqual(new Float32Array(hostView(g)), gemmJs([{ a, aStored: 'KM', b: dY }], K, M, N));
  tf.dispose([W, g]);
});

test('on the cpu backend the kernel runs in a memory of its own, with the same bits', async () => {
  await ensureBackend('cpu', () => undefined);
  try {
    const [M, K, N] = [9, 40, 24];
    const W = tf.tensor2d(random(K * N, 41), [K, N]);
    const a = random(M * K, 42);
    assert.deepEqual(mmHost(a, M, K, W), gemmJs([{ a, aStored: 'MK', b: random(K * N, 41) }], M, K, N));
    const g = mmTransposedA(a, M, K, random(M * N, 43), N);
    assert.deepEqual(new Float32Array(g.dataSync()), gemmJs([{ a, aStored: 'KM', b: random(M * N, 43) }], K, M, N));
    tf.dispose([W, g]);
  } finally {
    await ensureBackend('wasm', () => undefined);
  }
});

test('per-item products A_b B_b^T equal one product per item bit for bit (the routing pair dots, all items at once)', async () => {
  await ensureBackend('wasm', () => undefined);
  for (const [count, M, K, N] of [
    [1, 10, 256, 10],
    [266, 10, 256, 10],
    [7, 3, 5, 9],
    [4, 8, 16, 16],
  ]) {
    const a = random(count * M * K, 11 + count);
    const bt = random(count * N * K, 29 + M);
    const got = itemProductsABt(a, bt, count, M, K, N);
    assert.equal(got.length, count * M * N);
    for (let b = 0; b < count; b++) {
      const bT = new Float32Array(K * N);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) bT[k * N + n] = bt[(b * N + n) * K + k];
      const one = gemmJs([{ a: a.subarray(b * M * K, (b + 1) * M * K), aStored: 'MK', b: bT }], M, K, N);
      assert.deepEqual(got.subarray(b * M * N, (b + 1) * M * N), one, `item ${b} of ${count} x [${M}, ${K}] x [${N}, ${K}]^T`);
    }
  }
  assert.throws(() => itemProductsABt(new Float32Array(10), new Float32Array(100), 2, 10, 10, 10), /itemProductsABt: 10 and 100 values for 2 items/);
});

test('batched products equal one product per job bit for bit (the intrinsic-importance per-item products)', async () => {
  await ensureBackend('wasm', () => undefined);
  for (const [K, N] of [
    [10, 256],
    [7, 16],
    [5, 9], // not whole blocks of 8 columns: one product per job
  ]) {
    const jobs = [3, 20, 1, 40].map((M, j) => ({ M, terms: Array.from({ length: 1 + (j % 2) }, (_, t) => ({ a: random(M * K, 3 + j + 10 * t), b: random(K * N, 5 + j + 10 * t) })) }));
    const got = batchedProducts(jobs, K, N, (C) => C.slice()); // a copy: the view is valid only inside the callback
    assert.equal(got.length, jobs.reduce((a, j) => a + j.M, 0) * N);
    let row = 0;
    for (const j of jobs) {
      const one = product(j.terms.map((t) => ({ ...t, aStored: 'MK' as const })), j.M, K, N);
      assert.deepEqual(got.subarray(row * N, (row + j.M) * N), one, `K ${K}, N ${N}, a job of ${j.M} rows and ${j.terms.length} terms`);
      row += j.M;
    }
  }
  assert.throws(() => batchedProducts([{ M: 2, terms: [{ a: new Float32Array(3), b: new Float32Array(4) }] }], 2, 2, (C) => C), /gemm: 3 values for a \[2, 2\] operand/);
});
