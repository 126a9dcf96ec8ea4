/**
 * a [rows, inner] (host) @ W [inner, cols] (a model's weight) -> host [rows, cols], for the probes'
 * host reads of a frozen checkpoint: training's mmHost, so the probes' values are the fused ops'
 * bit for bit (the same kernel, gemm-simd.ts, summing in the same order).
 */
import { tf } from '../orchestrator/backend';
import { mmHost } from '../orchestrator/host-matmul';

export function mmFrozen(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  if (W.shape.length !== 2 || W.shape[0] !== inner) throw new Error(`mmFrozen: weight of shape [${W.shape}], expected [${inner}, cols]`);
  if (a.length !== rows * inner) throw new Error(`mmFrozen: ${a.length} values for [${rows}, ${inner}]`);
  return mmHost(a, rows, inner, W);
}
