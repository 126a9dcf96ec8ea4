/**
 * a [rows, inner] (host) @ W [inner, cols] (a model's weight) -> host [rows, cols], as a plain
 * tfjs matMul with the weight as the second operand.
 *
 * Why not host-matmul.ts's mmHost: in training a weight is a new tensor every step, so mmHost
 * puts the weight first and lets the wasm backend pack the (smaller) activations. A probe pass
 * reads one frozen checkpoint: the backend packs a weight into XNNPACK's layout once and keeps it
 * with the tensor, so with the weight second nothing is packed again, and the large activation
 * matrices of a pass (thousands of rows) are not packed at all. Same GEMM: the values were equal
 * to mmHost's bit for bit in every shape measured ([2660, 768] x [768, 256] etc.; 10-40% less CPU).
 */
import { hostView, tf } from '../orchestrator/backend';

export function mmFrozen(a: Float32Array, rows: number, inner: number, W: tf.Tensor): Float32Array {
  if (W.shape.length !== 2 || W.shape[0] !== inner) throw new Error(`mmFrozen: weight of shape [${W.shape}], expected [${inner}, cols]`);
  if (a.length !== rows * inner) throw new Error(`mmFrozen: ${a.length} values for [${rows}, ${inner}]`);
  const at = tf.tensor2d(a, [rows, inner]);
  const y = tf.matMul(at, W as tf.Tensor2D);
  const out = new Float32Array(hostView(y));
  tf.dispose([at, y]);
  return out;
}
