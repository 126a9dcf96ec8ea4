/**
 * Matrix products for the hand-differentiated ops (encode-kernel.ts, route-kernel.ts) and the
 * probes' host reads. Every product runs in gemm-simd.ts's kernel.
 *
 * The kernel runs in wasm-arena.ts's memory: on the wasm backend the backend's own heap, where a
 * weight is read where its tensor lives and a weight gradient is written straight into a new
 * tensor, so neither is copied (at the paper's size ~1.4 M weight floats read and ~0.9 M gradient
 * floats written per training step). Host arrays (activations) are copied into a scratch region.
 * Products of more than ~16 M multiply-adds (a probe pass's whole split, not a training step at the
 * paper's size) are shared out by rows over threads instead (gemm-threads.ts; the same bits).
 */
import { hostView, tf } from './backend';
import { checkTerm, createGemm, gemmJs, rowsPerCall, unpadRows, type GemmRun, type ProductTerm } from './gemm-simd';
import { threadedProduct, usesThreads } from './gemm-threads';
import { currentArena, f32, offsetOf, type Arena } from './wasm-arena';
import { transpose, transposeView } from './transpose-simd';

export type { ProductTerm };

/** A copy of a tensor's values (a view would move with the wasm heap). */
export function values(t: tf.Tensor): Float32Array {
  return new Float32Array(hostView(t));
}

const kernels = new WeakMap<Arena, GemmRun | null>();

/** The arena products run in and the kernel over it; null without WebAssembly SIMD (products then run as gemmJs). */
function gemmArena(): { ar: Arena; run: GemmRun } | null {
  const ar = currentArena();
  if (!kernels.has(ar)) kernels.set(ar, createGemm(ar.memory));
  const run = kernels.get(ar);
  return run ? { ar, run } : null;
}

/**
 * sum_t a_t b_t, [M, N], for terms of the same shapes ([M, K] x [K, N]), each product summed in
 * float32 in order of k and the terms added in order (gemm-simd.ts; the same bits as gemmJs).
 * Returns a new host array, or with `asTensor` a new tensor.
 */
export function product(terms: ProductTerm[], M: number, K: number, N: number, asTensor: true): tf.Tensor2D;
export function product(terms: ProductTerm[], M: number, K: number, N: number, asTensor?: false): Float32Array;
export function product(terms: ProductTerm[], M: number, K: number, N: number, asTensor = false): Float32Array | tf.Tensor2D {
  const r = productCore(terms, M, K, N, asTensor, (F, at, ldc) => unpadRows(F, at, M, N, ldc));
  return r instanceof Float32Array ? (asTensor ? tf.tensor2d(r, [M, N]) : r) : r;
}

/**
 * As `product`, but C is handed to `consume` where the kernel wrote it (rows of ldc >= N floats,
 * a view valid only inside `consume`) and what `consume` returns is returned: no copy out, for a
 * result read once (the probes' W_o output, read by the final norm).
 */
export function productInto<T>(terms: ProductTerm[], M: number, K: number, N: number, consume: (C: Float32Array, ldc: number) => T): T {
  return productCore(terms, M, K, N, false, (F, at, ldc) => consume(F.subarray(at, at + M * ldc), ldc)) as T;
}

/** product's work: C to `consume` (F, float offset, row stride), or, with `asTensor` and N a multiple of 8, written straight into a new tensor. */
function productCore<T>(terms: ProductTerm[], M: number, K: number, N: number, asTensor: boolean, consume: (F: Float32Array, at: number, ldc: number) => T): T | tf.Tensor2D {
  for (const t of terms) checkTerm(t, M, K, N);
  // a large product (a probe pass's whole split) is shared out over threads: the same bits
  const threaded = usesThreads(M, K, N, terms.length) ? threadedProduct(terms, M, K, N, consume) : null;
  if (threaded !== null) return threaded;
  const k = gemmArena();
  if (!k) return consume(gemmJs(terms, M, K, N), 0, N);
  const N8 = Math.ceil(N / 8) * 8; // the kernel computes whole blocks of 8 columns
  // Operands already in the arena's memory (a weight in the wasm heap) are read in place; their
  // offsets are taken now, before any allocation below can grow the memory (growing keeps
  // offsets but detaches views). The others get a place in the scratch region: `at` counts from
  // its start until the region is allocated.
  interface Slot { data: Float32Array; inPlace: boolean; at: number; rows: number; cols: number; stride: number }
  let scratchBytes = 0;
  const slot = (data: Float32Array, rows: number, cols: number, stride: number, mayStayInPlace: boolean): Slot => {
    const off = offsetOf(k.ar, data);
    if (mayStayInPlace && off >= 0) return { data, inPlace: true, at: off, rows, cols, stride };
    const at = scratchBytes;
    scratchBytes += 16 * Math.ceil((4 * rows * stride) / 16);
    return { data, inPlace: false, at, rows, cols, stride };
  };
  const slots = terms.map((t) => ({ a: slot(t.a, 1, M * K, M * K, true), b: slot(t.b, K, N, N8, N8 === N) }));
  const out = asTensor && N8 === N ? k.ar.tensor([M, N]) : null;
  const cAt = scratchBytes;
  if (!out) scratchBytes += 4 * M * N8;
  const base = k.ar.scratch(scratchBytes);
  const F = f32(k.ar);
  for (const { a, b } of slots) {
    for (const s of [a, b]) {
      if (s.inPlace) continue;
      s.at += base;
      if (s.stride === s.cols) F.set(s.data.subarray(0, s.rows * s.cols), s.at / 4); // one copy, not one per row
      else for (let r = 0; r < s.rows; r++) F.set(s.data.subarray(r * s.cols, (r + 1) * s.cols), s.at / 4 + r * s.stride);
    }
  }
  const C = out ? out.at : base + cAt;
  // rows in chunks that stay in the L2 cache (rowsPerCall); each C[m, n] is summed as in one call
  const chunk = rowsPerCall(K);
  terms.forEach((t, i) => {
    const [sAr, sAk] = t.aStored === 'MK' ? [4 * K, 4] : [4, 4 * M];
    for (let m0 = 0; m0 < M; m0 += chunk) {
      k.run(slots[i].a.at + m0 * sAr, sAr, sAk, slots[i].b.at, 4 * N8, C + m0 * 4 * N8, 4 * N8, Math.min(chunk, M - m0), N8, K, i > 0 ? 1 : 0);
    }
  });
  if (out) return out.t as tf.Tensor2D;
  return consume(F, C / 4, N8);
}

/**
 * Per-item products C_b = A_b B_b^T for `count` items: a [count M, K] and bt [count N, K] hold item
 * b's rows from b M and b N; returns C [count, M, N], each entry summed as `product` sums it (the
 * same bits as one product per item). One transpose and one copy into the arena serve every item,
 * then the kernel runs once per item: per-call setup cost more than the arithmetic of a 10 x 10
 * item (~60 us against ~10 us, bench/profile-probes.ts).
 */
export function itemProductsABt(a: Float32Array, bt: Float32Array, count: number, M: number, K: number, N: number): Float32Array {
  if (a.length < count * M * K || bt.length < count * N * K) throw new Error(`itemProductsABt: ${a.length} and ${bt.length} values for ${count} items of [${M}, ${K}] x [${N}, ${K}]^T`);
  const out = new Float32Array(count * M * N);
  const k = gemmArena();
  if (!k) {
    for (let b = 0; b < count; b++) {
      const bT = transpose(bt.subarray(b * N * K, (b + 1) * N * K), N, K);
      out.set(gemmJs([{ a: a.subarray(b * M * K, (b + 1) * M * K), aStored: 'MK', b: bT }], M, K, N), b * M * N);
    }
    return out;
  }
  // B for all items as one [K, count N] matrix (item b's columns from b N). The kernel computes
  // whole blocks of 8 columns, so item b's block of N8 columns also reads the next item's first
  // columns (or, for the last item, a slack of N8 - N floats after B): C's extra columns are
  // dropped, and each kept C[m, n] is summed as in one product per item.
  const N8 = Math.ceil(N / 8) * 8;
  const B = transposeView(bt.subarray(0, count * N * K), count * N, K);
  const aBytes = 16 * Math.ceil((4 * count * M * K) / 16);
  const bBytes = 16 * Math.ceil((4 * (K * count * N + N8)) / 16);
  const base = k.ar.scratch(aBytes + bBytes + 4 * count * M * N8);
  const F = f32(k.ar);
  F.set(a.subarray(0, count * M * K), base / 4);
  F.set(B, (base + aBytes) / 4);
  F.fill(0, (base + aBytes) / 4 + K * count * N, (base + aBytes) / 4 + K * count * N + N8);
  const C = base + aBytes + bBytes;
  for (let b = 0; b < count; b++) k.run(base + 4 * b * M * K, 4 * K, 4, base + aBytes + 4 * b * N, 4 * count * N, C + 4 * b * M * N8, 4 * N8, M, N8, K, 0);
  const c0 = C / 4;
  for (let r = 0; r < count * M; r++) for (let j = 0; j < N; j++) out[r * N + j] = F[c0 + r * N8 + j];
  return out;
}

/**
 * Many small products at once: for each job j, sum_t a_t b_t of shape [M_j, N] (inner dimension
 * K, every term 'MK'), as `product` computes each (the same bits), end to end ([sum_j M_j, N]),
 * handed to `consume` and returned as what it returns. The results are read where the kernel
 * wrote them (a view valid only inside `consume`), and one copy into the arena serves every job:
 * per call, `product`'s setup cost more than the arithmetic of a probe's per-item products
 * ([~15, 10] x [10, 256]).
 */
export function batchedProducts<T>(jobs: ReadonlyArray<{ M: number; terms: ReadonlyArray<{ a: Float32Array; b: Float32Array }> }>, K: number, N: number, consume: (C: Float32Array) => T): T {
  const rows = jobs.reduce((acc, j) => acc + j.M, 0);
  for (const j of jobs) for (const t of j.terms) checkTerm({ ...t, aStored: 'MK' }, j.M, K, N);
  const k = gemmArena();
  if (!k || N % 8 !== 0) {
    const out = new Float32Array(rows * N);
    let at = 0;
    for (const j of jobs) {
      out.set(product(j.terms.map((t) => ({ ...t, aStored: 'MK' as const })), j.M, K, N), at);
      at += j.M * N;
    }
    return consume(out);
  }
  // layout: every job's terms (a [M_j, K], then b [K, N]), then C [rows, N]
  const align = (n: number) => 16 * Math.ceil(n / 16);
  let bytes = 0;
  for (const j of jobs) for (let i = 0; i < j.terms.length; i++) bytes += align(4 * j.M * K) + align(4 * K * N);
  const base = k.ar.scratch(bytes + 4 * rows * N);
  const F = f32(k.ar);
  const C = base + bytes;
  let at = base;
  let row = 0;
  for (const j of jobs) {
    j.terms.forEach((t, i) => {
      const [a, b] = [at, at + align(4 * j.M * K)];
      at = b + align(4 * K * N);
      F.set(t.a.subarray(0, j.M * K), a / 4);
      F.set(t.b.subarray(0, K * N), b / 4);
      k.run(a, 4 * K, 4, b, 4 * N, C + 4 * row * N, 4 * N, j.M, N, K, i > 0 ? 1 : 0);
    });
    if (j.terms.length === 0) F.fill(0, C / 4 + row * N, C / 4 + (row + j.M) * N);
    row += j.M;
  }
  return consume(F.subarray(C / 4, C / 4 + rows * N));
}

function checkWeight(fn: string, W: tf.Tensor, rows: number, cols?: number): void {
  if (W.shape.length !== 2 || W.shape[0] !== rows || (cols !== undefined && W.shape[1] !== cols)) throw new Error(`${fn}: weight of shape [${W.shape}], expected [${rows}, ${cols ?? 'cols'}]`);
}

/** a [rows, inner] (host) @ W [inner, cols] (tensor) -> host [rows, cols]. */
export function mmHost(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  checkWeight('mmHost', W, inner);
  return product([{ a, aStored: 'MK', b: hostView(W) }], rows, inner, W.shape[1] as number);
}

/** a [rows, inner] (host) @ W_i [inner, cols] for several weights of one shape. */
export function mmHostMany(a: Float32Array, rows: number, inner: number, Ws: tf.Tensor[]): Float32Array[] {
  return Ws.map((W) => mmHost(a, rows, inner, W));
}

/**
 * sum_i dY_i [rows, out] (host) W_i^T for weights W_i [in, out] -> host [rows, in]. Computed
 * transposed, sum_i W_i dY_i^T [in, rows], so that the weights are read as stored (only the
 * small dY_i and the result are transposed).
 */
export function mmBackHostSum(dYs: Float32Array[], rows: number, out: number, Ws: tf.Tensor[], inDim: number): Float32Array {
  Ws.forEach((W) => checkWeight('mmBackHostSum', W, inDim, out));
  const dyT = dYs.map((dY) => transpose(dY, rows, out));
  const terms = Ws.map((W, i) => ({ a: hostView(W), aStored: 'MK' as const, b: dyT[i] }));
  return transpose(product(terms, inDim, out, rows), inDim, rows);
}

/** dY [rows, out] (host) W^T for W [in, out] (tensor) -> host [rows, in]. */
export function mmBackHost(dY: Float32Array, rows: number, out: number, W: tf.Tensor, inDim: number): Float32Array {
  return mmBackHostSum([dY], rows, out, [W], inDim);
}

/** a^T b for host a [rows, m], b [rows, n] -> tensor [m, n] (a weight gradient). */
export function mmTransposedA(a: Float32Array, rows: number, m: number, b: Float32Array, n: number): tf.Tensor2D {
  return product([{ a, aStored: 'KM', b }], m, rows, n, true);
}

/** a^T b_i for host a [rows, m] and several b_i [rows, n] -> tensors [m, n]. */
export function mmTransposedAMany(a: Float32Array, rows: number, m: number, bs: Float32Array[], n: number): tf.Tensor2D[] {
  return bs.map((b) => mmTransposedA(a, rows, m, b, n));
}

/** Whether products run as WebAssembly SIMD on the current backend (else as the scalar loop gemmJs). */
export function productUsesSimd(): boolean {
  return gemmArena() !== null;
}
