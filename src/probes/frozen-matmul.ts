/**
 * a [rows, inner] (host) @ W [inner, cols] (a model's weight) -> host [rows, cols], for the probes'
 * host reads of a frozen checkpoint. The same product as training's mmHost (gemm-simd.ts), so the
 * probes' values are the kernels' bit for bit.
 */
import { hostView, tf } from '../orchestrator/backend';
import { gemm } from '../orchestrator/gemm-simd';

export function mmFrozen(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  if (W.shape.length !== 2 || W.shape[0] !== inner) throw new Error(`mmFrozen: weight of shape [${W.shape}], expected [${inner}, cols]`);
  if (a.length !== rows * inner) throw new Error(`mmFrozen: ${a.length} values for [${rows}, ${inner}]`);
  return gemm([{ a, aStored: 'MK', b: hostView(W) }], rows, inner, W.shape[1] as number);
}
