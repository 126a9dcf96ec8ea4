/**
 * Matrix products between host arrays and tfjs tensors for the hand-differentiated ops
 * (encode-kernel.ts, route-kernel.ts). Every product runs in gemm-simd.ts, which reads a weight
 * as it is stored (no transposed copy, no packing) and A^T through its strides; results come back
 * as host arrays, weight gradients as tensors (what the gradient tape expects).
 */
import { hostView, tf } from './backend';
import { gemm } from './gemm-simd';
import { transpose } from './transpose-simd';

/** A copy of a tensor's values (a view would move with the wasm heap). */
export function values(t: tf.Tensor): Float32Array {
  return new Float32Array(hostView(t));
}

function checkWeight(fn: string, W: tf.Tensor, rows: number, cols?: number): void {
  if (W.shape.length !== 2 || W.shape[0] !== rows || (cols !== undefined && W.shape[1] !== cols)) throw new Error(`${fn}: weight of shape [${W.shape}], expected [${rows}, ${cols ?? 'cols'}]`);
}

/** a [rows, inner] (host) @ W [inner, cols] (tensor) -> host [rows, cols]. */
export function mmHost(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  checkWeight('mmHost', W, inner);
  return gemm([{ a, aStored: 'MK', b: hostView(W) }], rows, inner, W.shape[1] as number);
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
  const terms = Ws.map((W, i) => ({ a: hostView(W), aStored: 'MK' as const, b: transpose(dYs[i], rows, out) }));
  return transpose(gemm(terms, inDim, out, rows), inDim, rows);
}

/** dY [rows, out] (host) W^T for W [in, out] (tensor) -> host [rows, in]. */
export function mmBackHost(dY: Float32Array, rows: number, out: number, W: tf.Tensor, inDim: number): Float32Array {
  return mmBackHostSum([dY], rows, out, [W], inDim);
}

/** A tensor from a new host array (the wasm backend copies it into its heap; others keep it). */
function tensorOf(v: Float32Array, shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(v, shape);
}

/** a^T b for host a [rows, m], b [rows, n] -> tensor [m, n] (a weight gradient). */
export function mmTransposedA(a: Float32Array, rows: number, m: number, b: Float32Array, n: number): tf.Tensor2D {
  return tensorOf(gemm([{ a, aStored: 'KM', b }], m, rows, n), [m, n]);
}

/** a^T b_i for host a [rows, m] and several b_i [rows, n] -> tensors [m, n]. */
export function mmTransposedAMany(a: Float32Array, rows: number, m: number, bs: Float32Array[], n: number): tf.Tensor2D[] {
  return bs.map((b) => mmTransposedA(a, rows, m, b, n));
}
