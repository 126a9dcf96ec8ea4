/**
 * Adam with global-norm gradient clipping, written out (rather than tf.train.adam) so that its
 * moments are plain named arrays a checkpoint can save and restore exactly. The update is
 * PyTorch's: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 *
 * It runs as one host loop per parameter over the gradient's and the parameter's memory (no copy
 * on the wasm and cpu backends), with the moments kept as host arrays: the tfjs version issued
 * ~12 kernels per parameter (~330 per step for the paper's model), whose per-kernel overhead was
 * about as long as the whole update's arithmetic (docs/performance.md). The new parameter value is
 * a fresh tensor (never written in place: the wasm backend caches packed matMul weights by tensor
 * id, and other tensors may share a variable's memory).
 */
import { hostView, tf } from './backend';

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
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

/** Zero moments for the given parameters (or copies of the given saved values). */
export function createAdamState(params: Record<string, tf.Variable>, saved?: { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> }): AdamState {
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  for (const [name, p] of Object.entries(params)) {
    const mk = (vals?: Float32Array) => {
      if (vals && vals.length !== p.size) throw new Error(`Adam state for '${name}' has ${vals.length} values, expected ${p.size}`);
      return vals ? Float32Array.from(vals) : new Float32Array(p.size);
    };
    m[name] = mk(saved?.m[name]);
    v[name] = mk(saved?.v[name]);
  }
  return { t: saved?.t ?? 0, m, v };
}

/** Copies the moments out (for a checkpoint). */
export function readAdamState(state: AdamState): { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> } {
  const copy = (r: Record<string, Float32Array>) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, x.slice()]));
  return { t: state.t, m: copy(state.m), v: copy(state.v) };
}

/** Kept for callers that free the state: the moments are host arrays, so nothing is held in tfjs. */
export function disposeAdamState(_state: AdamState): void {
  /* nothing to free */
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
  for (const n of names) {
    if (!state.m[n] || state.m[n].length !== params[n].size) throw new Error(`adamStep: no Adam moments of the right size for '${n}'`);
    if (grads[n]!.size !== params[n].size) throw new Error(`adamStep: gradient of '${n}' has ${grads[n]!.size} values, the parameter ${params[n].size}`);
  }
  let sq = 0;
  for (const n of names) {
    const g = hostView(grads[n]!);
    for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  }
  const norm = Math.fround(Math.sqrt(sq));
  const scale = Math.min(1, s.clipNorm / (norm + 1e-6));
  const b1 = s.beta1;
  const b2 = s.beta2;
  const bc1 = 1 - Math.pow(b1, t);
  const bc2sqrt = Math.sqrt(1 - Math.pow(b2, t));
  const step = lr / bc1;
  const eps = s.eps;
  for (const n of names) {
    const m = state.m[n];
    const v = state.v[n];
    const out = new Float32Array(m.length);
    // Views are taken right before use: creating the new tensor below may move the wasm heap.
    const g = hostView(grads[n]!);
    const p = hostView(params[n]);
    for (let i = 0; i < out.length; i++) {
      const gi = g[i] * scale;
      const mi = b1 * m[i] + (1 - b1) * gi;
      const vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      out[i] = p[i] - (step * mi) / (Math.sqrt(vi) / bc2sqrt + eps);
    }
    const next = tf.tensor(out, params[n].shape, 'float32');
    params[n].assign(next);
    next.dispose(); // the variable holds its own reference
  }
  return norm;
}
