/**
 * Matrix products between host arrays and tfjs tensors for the hand-differentiated ops
 * (encode-kernel.ts, route-kernel.ts): the product runs as a tfjs matMul (the wasm backend's
 * XNNPACK SIMD GEMM), operands are transposed on the host rather than with matMul's transpose
 * flags (which the wasm backend runs ~10x slower), and results come back as host arrays.
 */
import { hostView, tf } from './backend';

/** A copy of a tensor's values (a view would move with the wasm heap). */
export function values(t: tf.Tensor): Float32Array {
  return new Float32Array(hostView(t));
}

/**
 * a [rows, inner] (host) @ W [inner, cols] (tensor) -> host [rows, cols], computed as
 * (W^T a^T)^T with W^T built on the host. The wasm backend packs the second operand of every
 * matMul for XNNPACK (cached per tensor, but a weight is a new tensor every step), so `a @ W`
 * re-packed W on every call, ~2-3x the product itself (measured, docs/performance.md). As the
 * first operand W^T is read as is and only the small a^T is packed; the host transpose costs
 * about as much as the packing for [768, 256] and ~half of it for [256, 256].
 */
export function mmHost(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  const cols = W.shape[1] as number;
  const wT = tf.tensor2d(transpose(hostView(W), inner, cols), [cols, inner]);
  const aT = tf.tensor2d(transpose(a, rows, inner), [inner, rows]);
  const r = tf.matMul(wT, aT);
  const out = transpose(hostView(r), cols, rows);
  tf.dispose([wT, aT, r]);
  return out;
}

/** a^T b for host a [rows, m], b [rows, n] -> tensor [m, n] (a weight gradient). */
export function mmTransposedA(a: Float32Array, rows: number, m: number, b: Float32Array, n: number): tf.Tensor2D {
  const at = tf.tensor2d(transpose(a, rows, m), [m, rows]);
  const bt = tf.tensor2d(b, [rows, n]);
  const r = tf.matMul(at, bt);
  tf.dispose([at, bt]);
  return r as tf.Tensor2D;
}

/** dY [rows, out] (host) W^T for W [in, out] (tensor) -> host [rows, in], as (W dY^T)^T. */
export function mmBackHost(dY: Float32Array, rows: number, out: number, W: tf.Tensor, inDim: number): Float32Array {
  const dyT = tf.tensor2d(transpose(dY, rows, out), [out, rows]);
  const r = tf.matMul(W as tf.Tensor2D, dyT);
  const res = transpose(values(r), inDim, rows);
  tf.dispose([dyT, r]);
  return res;
}

export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
