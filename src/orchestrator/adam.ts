/**
 * Adam with global-norm gradient clipping, written out (rather than tf.train.adam) so that its
 * moments are plain named arrays a checkpoint can save and restore exactly. The update is
 * PyTorch's: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 *
 * It runs as one WebAssembly SIMD pass per parameter (adam-simd.ts; a scalar JavaScript loop
 * where SIMD is unavailable), with the moments kept in that module's memory: the tfjs version
 * issued ~12 kernels per parameter (~330 per step for the paper's model) and took ~10x longer
 * (docs/performance.md). The new parameter value is a fresh tensor (never written in place: the
 * wasm backend caches packed matMul weights by tensor id, and other tensors may share a
 * variable's memory).
 */
import { createAdamKernel, type AdamKernel } from './adam-simd';
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
  for (const [name, p] of Object.entries(params)) {
    for (const vals of [saved?.m[name], saved?.v[name]]) {
      if (vals && vals.length !== p.size) throw new Error(`Adam state for '${name}' has ${vals.length} values, expected ${p.size}`);
    }
  }
  // The moments live in the SIMD kernel's memory (views that stay valid: it never grows), each
  // parameter's with room for its gradient (all gradients are copied in before the update, for
  // the global norm) and for its value (updated in place; copied in only when the variable holds
  // something other than what the last step wrote); 4-float aligned regions (the padding of a
  // gradient stays 0, so it adds nothing to the norm).
  const pad = (n: number) => Math.ceil(n / 4) * 4;
  const entries = Object.entries(params);
  const regions = entries.reduce((a, [, p]) => a + 4 * pad(p.size), 0);
  const kernel = createAdamKernel(regions);
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  const offsets: Record<string, { m: number; v: number; g: number; p: number }> = {};
  let at = 0;
  for (const [name, p] of entries) {
    if (kernel) {
      offsets[name] = { m: at, v: at + pad(p.size), g: at + 2 * pad(p.size), p: at + 3 * pad(p.size) };
      m[name] = kernel.F.subarray(at, at + p.size);
      v[name] = kernel.F.subarray(at + pad(p.size), at + pad(p.size) + p.size);
      at += 4 * pad(p.size);
    } else {
      m[name] = new Float32Array(p.size);
      v[name] = new Float32Array(p.size);
    }
    if (saved?.m[name]) m[name].set(saved.m[name]);
    if (saved?.v[name]) v[name].set(saved.v[name]);
  }
  const state: AdamState = { t: saved?.t ?? 0, m, v };
  if (kernel) workspaces.set(state, { kernel, offsets, written: {} });
  return state;
}

/** Where a state's moments and scratch regions sit in its SIMD kernel's memory (float offsets). */
interface Workspace {
  kernel: AdamKernel;
  offsets: Record<string, { m: number; v: number; g: number; p: number }>;
  /** per parameter, the tensor data the last update assigned to the variable (its value is then in the kernel's memory) */
  written: Record<string, object>;
}
const workspaces = new WeakMap<AdamState, Workspace>();

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
  const ws = workspaces.get(state);
  // The SIMD path holds while the moments are still the views into the kernel's memory.
  const simd = (n: string): boolean => Boolean(ws && ws.offsets[n]) && ws!.kernel.F.subarray(ws!.offsets[n].m, ws!.offsets[n].m + state.m[n].length).byteOffset === state.m[n].byteOffset;
  let sq = 0;
  for (const n of names) {
    if (ws && simd(n)) {
      const { F, sumsq } = ws.kernel;
      const g = ws.offsets[n].g;
      F.set(hostView(grads[n]!), g);
      sq += sumsq(4 * g, Math.ceil(state.m[n].length / 4) * 4);
    } else {
      sq += sumOfSquares(hostView(grads[n]!));
    }
  }
  const norm = Math.fround(Math.sqrt(sq));
  const scale = Math.min(1, s.clipNorm / (norm + 1e-6));
  const b1 = s.beta1;
  const b2 = s.beta2;
  const bc1 = 1 - Math.pow(b1, t);
  const bc2sqrt = Math.sqrt(1 - Math.pow(b2, t));
  const step = lr / bc1;
  // The wasm backend copies a new tensor's values into its heap, so one scratch array serves
  // every parameter; the cpu backend keeps the array itself, so it gets a fresh one.
  const copies = tf.getBackend() === 'wasm';
  for (const n of names) {
    const size = state.m[n].length;
    let out: Float32Array;
    // Views of tfjs memory are taken right before use: creating the new tensor below may move the wasm heap.
    if (ws && simd(n)) {
      const { F, adam } = ws.kernel;
      const o = ws.offsets[n];
      if (ws.written[n] !== params[n].dataId) F.set(hostView(params[n]), o.p);
      adam(4 * o.g, 4 * o.p, 4 * o.m, 4 * o.v, 4 * o.p, Math.ceil(size / 4) * 4, scale, b1, 1 - b1, b2, 1 - b2, step, 1 / bc2sqrt, s.eps);
      out = F.subarray(o.p, o.p + size);
      if (!copies) out = out.slice();
    } else {
      if (!copies || scratch.length < size) scratch = new Float32Array(copies ? Math.max(size, 2 * scratch.length) : size);
      out = scratch.subarray(0, size);
      adamUpdate(hostView(grads[n]!), hostView(params[n]), state.m[n], state.v[n], out, scale, b1, b2, step, 1 / bc2sqrt, s.eps);
    }
    const next = tf.tensor(out, params[n].shape, 'float32');
    params[n].assign(next);
    next.dispose(); // the variable holds its own reference
    if (ws) ws.written[n] = params[n].dataId;
  }
  return norm;
}

let scratch = new Float32Array(0);

/** sum of g_i^2 in float64, four independent accumulators (the add latency, not the loads, bounds one). */
function sumOfSquares(g: Float32Array): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const n4 = g.length - (g.length % 4);
  for (let i = 0; i < n4; i += 4) {
    a += g[i] * g[i];
    b += g[i + 1] * g[i + 1];
    c += g[i + 2] * g[i + 2];
    d += g[i + 3] * g[i + 3];
  }
  for (let i = n4; i < g.length; i++) a += g[i] * g[i];
  return a + b + c + d;
}

/** One Adam update over flat arrays (small and monomorphic, so V8 optimises the loop). */
function adamUpdate(g: Float32Array, p: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array, scale: number, b1: number, b2: number, step: number, invBc2sqrt: number, eps: number): void {
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i] * scale;
    const mi = b1 * m[i] + a1 * gi;
    const vi = b2 * v[i] + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = p[i] - (step * mi) / (Math.sqrt(vi) * invBc2sqrt + eps);
  }
}
