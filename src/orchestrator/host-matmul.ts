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
