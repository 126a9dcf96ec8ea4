/**
 * Adam with global-norm gradient clipping, written out (rather than tf.train.adam) so that its
 * moments are plain named tensors a checkpoint can save and restore exactly. The update is
 * PyTorch's: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
import { tf } from './backend';

export interface AdamSettings {
  beta1: number;
  beta2: number;
  eps: number;
  /** clip the global gradient norm to this value */
  clipNorm: number;
}

/** Optimizer state: step count and first/second moments per parameter name. */
export interface AdamState {
  t: number;
  m: Record<string, tf.Variable>;
  v: Record<string, tf.Variable>;
}

/** Zero moments for the given parameters (or the given saved values). */
export function createAdamState(params: Record<string, tf.Variable>, saved?: { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> }): AdamState {
  const m: Record<string, tf.Variable> = {};
  const v: Record<string, tf.Variable> = {};
  for (const [name, p] of Object.entries(params)) {
    const mk = (vals?: Float32Array) => {
      if (vals && vals.length !== p.size) throw new Error(`Adam state for '${name}' has ${vals.length} values, expected ${p.size}`);
      const init = vals ? tf.tensor(vals, p.shape) : tf.zerosLike(p);
      const variable = tf.variable(init, false);
      init.dispose(); // the variable holds its own reference to the data
      return variable;
    };
    m[name] = mk(saved?.m[name]);
    v[name] = mk(saved?.v[name]);
  }
  return { t: saved?.t ?? 0, m, v };
}

/** Copies the moments out (for a checkpoint). */
export function readAdamState(state: AdamState): { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> } {
  const pick = (r: Record<string, tf.Variable>) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, x.dataSync().slice() as Float32Array]));
  return { t: state.t, m: pick(state.m), v: pick(state.v) };
}

export function disposeAdamState(state: AdamState): void {
  for (const x of [...Object.values(state.m), ...Object.values(state.v)]) x.dispose();
}

/**
 * Clips `grads` to the global norm and applies one Adam step at learning rate `lr`.
 * Parameters missing from `grads` (or with a null gradient) are skipped. Returns the gradient norm before clipping.
 */
export function adamStep(params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor | null | undefined>, state: AdamState, lr: number, s: AdamSettings): number {
  state.t += 1;
  const t = state.t;
  // A parameter the loss does not reach (e.g. the stop head when the chain is one step long) has
  // no gradient; like PyTorch's Adam it is then left alone, moments included.
  const names = Object.keys(params).filter((n) => grads[n] != null);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))).dataSync()[0]);
  const scale = Math.min(1, s.clipNorm / (norm + 1e-6));
  const bc1 = 1 - Math.pow(s.beta1, t);
  const bc2sqrt = Math.sqrt(1 - Math.pow(s.beta2, t));
  tf.tidy(() => {
    for (const n of names) {
      const g = scale < 1 ? tf.mul(grads[n]!, scale) : grads[n]!;
      const m = tf.add(tf.mul(state.m[n], s.beta1), tf.mul(g, 1 - s.beta1));
      const v = tf.add(tf.mul(state.v[n], s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
      state.m[n].assign(m);
      state.v[n].assign(v);
      const denom = tf.add(tf.div(tf.sqrt(v), bc2sqrt), s.eps);
      params[n].assign(tf.sub(params[n], tf.mul(lr / bc1, tf.div(m, denom))));
    }
  });
  return norm;
}
