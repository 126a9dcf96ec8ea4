/**
 * Large products shared out over threads (src/orchestrator/gemm-threads.ts, reached through
 * host-matmul.ts's `product`): the same bits as on one thread, on the probe pass's shapes and on
 * ragged ones (rows not a multiple of 4, columns not a multiple of 8, A stored transposed, two
 * terms, a tensor result, a result read in place); small products stay on the calling thread; a process with an idle pool
 * exits; the thread setting is checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ensureBackend, hostView, tf } from '../../src/orchestrator/backend';
import { gemmJs, type ProductTerm } from '../../src/orchestrator/gemm-simd';
import { MIN_MULTIPLY_ADDS, setGemmThreads, threadedProducts, threadsFromEnv } from '../../src/orchestrator/gemm-threads';
import { product, productInto } from '../../src/orchestrator/host-matmul';

function random(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  });
}

test('threaded products have the bits of one thread (and of the scalar loop), for 2 and 3 threads', async () => {
  await ensureBackend('wasm', () => undefined);
  // [M, K, N, terms]: a probe pass's adapter and q/k products, then ragged ones above the threshold
  const shapes: Array<[number, number, number, number]> = [[2660, 768, 256, 1], [2926, 256, 256, 1], [1001, 129, 250, 1], [733, 300, 96, 2]];
  try {
    shapes.forEach(([M, K, N, nTerms], i) => {
      assert.ok(M * K * N * nTerms >= MIN_MULTIPLY_ADDS, `[${M}, ${K}, ${N}] is above the threshold`);
      for (const aStored of ['MK', 'KM'] as const) {
        const terms: ProductTerm[] = Array.from({ length: nTerms }, (_, t) => ({ a: random(M * K, 10 * i + 2 * t + 1), aStored, b: random(K * N, 10 * i + 2 * t + 2) }));
        setGemmThreads(1);
        const before = threadedProducts();
        const one = product(terms, M, K, N);
        assert.equal(threadedProducts(), before, 'one thread: the pool is not used');
        for (const threads of [2, 3]) {
          setGemmThreads(threads);
          const n0 = threadedProducts();
          const many = product(terms, M, K, N);
          assert.equal(threadedProducts(), n0 + 1, `${threads} threads: the product ran on the pool`);
          assert.deepEqual(many, one, `[${M}, ${K}] x [${K}, ${N}] ${aStored}, ${nTerms} term(s), ${threads} threads`);
          const t = product(terms, M, K, N, true);
          assert.deepEqual(new Float32Array(hostView(t)), one, 'as a tensor');
          t.dispose();
          // read in place (rows of ldc >= N floats), then copied here
          const inPlace = productInto(terms, M, K, N, (C, ldc) => {
            const out = new Float32Array(M * N);
            for (let m = 0; m < M; m++) out.set(C.subarray(m * ldc, m * ldc + N), m * N);
            return out;
          });
          assert.deepEqual(inPlace, one, 'productInto');
        }
        setGemmThreads(1);
        assert.deepEqual(productInto(terms, M, K, N, (C, ldc) => Float32Array.from({ length: M * N }, (_, x) => C[Math.floor(x / N) * ldc + (x % N)])), one, 'productInto on one thread');
        if (M * K * N <= 40e6) assert.deepEqual(one, gemmJs(terms, M, K, N), 'the scalar loop');
      }
    });
  } finally {
    setGemmThreads(threadsFromEnv(process.env.INFORM_GEMM_THREADS, 2));
  }
});

test('a training step\'s products stay on the calling thread', async () => {
  await ensureBackend('wasm', () => undefined);
  setGemmThreads(2);
  const n0 = threadedProducts();
  // [22, 768] x [768, 256]: a step's adapter product at batch 2 (4.3 M multiply-adds)
  product([{ a: random(22 * 768, 5), aStored: 'MK', b: random(768 * 256, 6) }], 22, 768, 256);
  assert.equal(threadedProducts(), n0);
});

test('a process whose pool sits idle exits on its own, and a threaded product there is right', () => {
  const root = path.resolve(__dirname, '..', '..');
  const script = `
    const { ensureBackend } = require('./src/orchestrator/backend');
    const { product } = require('./src/orchestrator/host-matmul');
    const { threadedProducts } = require('./src/orchestrator/gemm-threads');
    ensureBackend('wasm', () => undefined).then(() => {
      const a = Float32Array.from({ length: 512 * 512 }, (_, i) => (i % 7) - 3);
      const c = product([{ a, aStored: 'MK', b: a }], 512, 512, 512);
      let want = 0;
      for (let k = 0; k < 512; k++) want += a[k] * a[k * 512 + 3];
      console.log(JSON.stringify({ threaded: threadedProducts(), c3: c[3], want }));
    });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, INFORM_GEMM_THREADS: '2' } });
  assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.threaded, 1);
  assert.equal(out.c3, out.want);
});

test('the thread setting: unset takes the cores (at most 8); a bad value names the variable', () => {
  assert.equal(threadsFromEnv(undefined, 2), 2);
  assert.equal(threadsFromEnv('', 32), 8);
  assert.equal(threadsFromEnv(undefined, 1), 1);
  assert.equal(threadsFromEnv('1', 16), 1);
  assert.equal(threadsFromEnv('12', 2), 12);
  for (const bad of ['0', '-2', '1.5', 'two', '65']) assert.throws(() => threadsFromEnv(bad, 2), /INFORM_GEMM_THREADS must be an integer from 1 to 64, got/);
  assert.throws(() => setGemmThreads(0), /setGemmThreads: expected an integer from 1 to 64, got 0/);
});
