/**
 * Matrix products between host arrays and tfjs tensors for the hand-differentiated ops
 * (encode-kernel.ts, route-kernel.ts): the product runs as a tfjs matMul (the wasm backend's
 * XNNPACK SIMD GEMM), operands are transposed on the host (transpose-simd.ts) rather than with
 * matMul's transpose flags (which the wasm backend runs ~10x slower), and results come back as
 * host arrays.
 */
import { hostView, tf } from './backend';
import { transpose, transposeView } from './transpose-simd';

export { transpose };

/** A copy of a tensor's values (a view would move with the wasm heap). */
export function values(t: tf.Tensor): Float32Array {
  return new Float32Array(hostView(t));
}

/**
 * Reusable host buffers for operands built here (allocating and zeroing a fresh [768, 256] array
 * cost more than filling it); two slots, for the two operands of one product.
 */
const scratch: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
function scratchOf(n: number, slot: 0 | 1 = 0): Float32Array {
  if (scratch[slot].length < n) scratch[slot] = new Float32Array(Math.max(n, 2 * scratch[slot].length));
  return scratch[slot].subarray(0, n);
}

/** A tensor from a host array that may be a scratch view (the wasm backend copies; others keep the array). */
function tensorFrom(v: Float32Array, shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(tf.getBackend() === 'wasm' ? v : v.slice(), shape);
}

/**
 * A tensor [cols, rows] holding a [rows, cols] transposed. The wasm backend copies a new
 * tensor's values into its heap, so the transpose's scratch view is handed over as is; other
 * backends keep the array, so they get a copy.
 */
function transposedTensor(a: Float32Array, rows: number, cols: number): tf.Tensor2D {
  const v = transposeView(a, rows, cols);
  return tf.tensor2d(tf.getBackend() === 'wasm' ? v : v.slice(), [cols, rows]);
}

/**
 * a [rows, inner] (host) @ W [inner, cols] (tensor) -> host [rows, cols], computed as
 * (W^T a^T)^T with W^T built on the host. The wasm backend packs the second operand of every
 * matMul for XNNPACK (cached per tensor, but a weight is a new tensor every step), so `a @ W`
 * re-packed W on every call, ~2-3x the product itself (measured, docs/performance.md). As the
 * first operand W^T is read as is and only the small a^T is packed; the SIMD transpose of W
 * costs a small fraction of that packing.
 */
export function mmHost(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  const cols = W.shape[1] as number;
  const wT = transposedTensor(hostView(W), inner, cols);
  const aT = transposedTensor(a, rows, inner);
  const r = tf.matMul(wT, aT);
  const out = transpose(hostView(r), cols, rows);
  tf.dispose([wT, aT, r]);
  return out;
}

/** a^T b for host a [rows, m], b [rows, n] -> tensor [m, n] (a weight gradient). */
export function mmTransposedA(a: Float32Array, rows: number, m: number, b: Float32Array, n: number): tf.Tensor2D {
  const at = transposedTensor(a, rows, m);
  const bt = tf.tensor2d(b, [rows, n]);
  const r = tf.matMul(at, bt);
  tf.dispose([at, bt]);
  return r as tf.Tensor2D;
}

/** dY [rows, out] (host) W^T for W [in, out] (tensor) -> host [rows, in], as (W dY^T)^T. */
export function mmBackHost(dY: Float32Array, rows: number, out: number, W: tf.Tensor, inDim: number): Float32Array {
  const dyT = transposedTensor(dY, rows, out);
  const r = tf.matMul(W as tf.Tensor2D, dyT);
  const res = transpose(hostView(r), inDim, rows);
  tf.dispose([dyT, r]);
  return res;
}

/**
 * a [rows, inner] (host) @ W_i [inner, cols] for several weights of one shape, as ONE product:
 * the stacked W_i^T [k cols, inner] times a^T. Fewer, larger products: each tfjs matMul and its
 * operands cost ~0.1-0.3 ms of set-up beside the arithmetic at these sizes (docs/performance.md).
 */
export function mmHostMany(a: Float32Array, rows: number, inner: number, Ws: tf.Tensor[]): Float32Array[] {
  const cols = Ws[0].shape[1] as number;
  for (const W of Ws) if (W.shape[0] !== inner || W.shape[1] !== cols) throw new Error(`mmHostMany: weights of shape [${W.shape}], expected [${inner}, ${cols}]`);
  const block = cols * inner;
  const stack = scratchOf(Ws.length * block);
  Ws.forEach((W, i) => stack.set(transposeView(hostView(W), inner, cols), i * block));
  const wT = tensorFrom(stack, [Ws.length * cols, inner]);
  const aT = transposedTensor(a, rows, inner);
  const r = tf.matMul(wT, aT);
  const all = hostView(r);
  const outs = Ws.map((_, i) => transpose(all.subarray(i * cols * rows, (i + 1) * cols * rows), cols, rows));
  tf.dispose([wT, aT, r]);
  return outs;
}

/**
 * sum_i dY_i [rows, out] (host) W_i^T for weights W_i [in, out] -> host [rows, in], as ONE
 * product (W_1 | ... | W_k) (dY_1^T; ...; dY_k^T), the sum done by the product's inner dimension.
 */
export function mmBackHostSum(dYs: Float32Array[], rows: number, out: number, Ws: tf.Tensor[], inDim: number): Float32Array {
  const k = Ws.length;
  const wide = k * out;
  const cat = scratchOf(inDim * wide, 1);
  Ws.forEach((W, i) => {
    if (W.shape[0] !== inDim || W.shape[1] !== out) throw new Error(`mmBackHostSum: weight of shape [${W.shape}], expected [${inDim}, ${out}]`);
    const w = hostView(W);
    for (let r = 0; r < inDim; r++) cat.set(w.subarray(r * out, (r + 1) * out), r * wide + i * out);
  });
  const dyT = scratchOf(wide * rows);
  dYs.forEach((dY, i) => dyT.set(transposeView(dY, rows, out), i * out * rows));
  const catT = tensorFrom(cat, [inDim, wide]);
  const dyTT = tensorFrom(dyT, [wide, rows]);
  const r = tf.matMul(catT, dyTT);
  const res = transpose(hostView(r), inDim, rows);
  tf.dispose([catT, dyTT, r]);
  return res;
}

/**
 * a^T b_i for host a [rows, m] and several b_i [rows, n] -> tensors [m, n], as ONE product
 * a^T (b_1 | ... | b_k) whose columns are then split on the host.
 */
export function mmTransposedAMany(a: Float32Array, rows: number, m: number, bs: Float32Array[], n: number): tf.Tensor2D[] {
  const k = bs.length;
  const wide = k * n;
  const cat = scratchOf(rows * wide);
  bs.forEach((b, i) => {
    for (let r = 0; r < rows; r++) cat.set(b.subarray(r * n, (r + 1) * n), r * wide + i * n);
  });
  const at = transposedTensor(a, rows, m);
  const bt = tensorFrom(cat, [rows, wide]);
  const r = tf.matMul(at, bt);
  const part = scratchOf(m * n, 1);
  const grads = bs.map((_, i) => {
    const all = hostView(r); // taken again: creating the previous part's tensor may have moved the heap
    for (let row = 0; row < m; row++) part.set(all.subarray(row * wide + i * n, row * wide + (i + 1) * n), row * n);
    return tensorFrom(part, [m, n]);
  });
  tf.dispose([at, bt, r]);
  return grads;
}
