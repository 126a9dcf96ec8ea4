/**
 * Adam with global-norm gradient clipping, written out (rather than tf.train.adam) so that its
 * moments are plain named arrays a checkpoint can save and restore exactly. The update is
 * PyTorch's: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 *
 * It runs as one WebAssembly SIMD pass per parameter (adam-simd.ts; a scalar JavaScript loop
 * where SIMD is unavailable) in wasm-arena.ts's memory, which on the wasm backend is the backend's
 * heap: the moments live there, gradients and parameter values are read where their tensors live
 * and the new value is written straight into a new tensor, so nothing is copied (the tfjs version
 * issued ~12 kernels per parameter, ~330 per step for the paper's model, and took ~10x longer;
 * docs/performance.md). The new value is a new tensor, never written in place: other tensors may
 * share a variable's memory.
 */
import { createAdamKernel, type AdamKernel } from './adam-simd';
import { hostView, tf } from './backend';
import { currentArena, f32, offsetOf, type Arena } from './wasm-arena';

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

/**
 * Where a state's moments sit: one region of the arena (wasm-arena.ts: on the wasm backend its
 * heap, beside the parameters and gradients the kernel then reads in place).
 */
interface Workspace {
  arena: Arena;
  kernel: AdamKernel;
  region: number;
  /** byte offsets of each parameter's moments */
  offsets: Record<string, { m: number; v: number }>;
}
const workspaces = new WeakMap<AdamState, Workspace>();
const kernels = new WeakMap<Arena, AdamKernel | null>();
/** Frees the region of a state that was dropped without disposeAdamState. */
const unfreed = new FinalizationRegistry<{ arena: Arena; region: number }>(({ arena, region }) => arena.free(region));

/** 4-float (16-byte) aligned sizes: the SIMD pass runs over whole lanes. */
const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/** Zero moments for the given parameters (or copies of the given saved values). */
export function createAdamState(params: Record<string, tf.Variable>, saved?: { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> }): AdamState {
  for (const [name, p] of Object.entries(params)) {
    for (const vals of [saved?.m[name], saved?.v[name]]) {
      if (vals && vals.length !== p.size) throw new Error(`Adam state for '${name}' has ${vals.length} values, expected ${p.size}`);
    }
  }
  const entries = Object.entries(params);
  const arena = currentArena();
  if (!kernels.has(arena)) kernels.set(arena, createAdamKernel(arena.memory));
  const kernel = kernels.get(arena);
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  const state: AdamState = { t: saved?.t ?? 0, m, v };
  if (!kernel) {
    for (const [name, p] of entries) [m[name], v[name]] = [new Float32Array(p.size), new Float32Array(p.size)];
  } else {
    // The moments of every parameter in one region of the arena. The arena's memory may grow
    // (which detaches views), so m[name] and v[name] are getters that view it afresh.
    const region = arena.alloc(entries.reduce((a, [, p]) => a + 8 * pad4(p.size), 0));
    const offsets: Record<string, { m: number; v: number }> = {};
    let at = region;
    for (const [name, p] of entries) {
      offsets[name] = { m: at, v: at + 4 * pad4(p.size) };
      at += 8 * pad4(p.size);
      Object.defineProperty(m, name, { enumerable: true, get: () => new Float32Array(arena.memory.buffer, offsets[name].m, p.size) });
      Object.defineProperty(v, name, { enumerable: true, get: () => new Float32Array(arena.memory.buffer, offsets[name].v, p.size) });
    }
    f32(arena).fill(0, region / 4, at / 4);
    workspaces.set(state, { arena, kernel, region, offsets });
    unfreed.register(state, { arena, region }, state);
  }
  for (const [name] of entries) {
    if (saved?.m[name]) m[name].set(saved.m[name]);
    if (saved?.v[name]) v[name].set(saved.v[name]);
  }
  return state;
}

/** Copies the moments out (for a checkpoint). */
export function readAdamState(state: AdamState): { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> } {
  const copy = (r: Record<string, Float32Array>) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, x.slice()]));
  return { t: state.t, m: copy(state.m), v: copy(state.v) };
}

/** Frees the state's moments (its region of the arena); the state must not be used after. */
export function disposeAdamState(state: AdamState): void {
  const ws = workspaces.get(state);
  if (!ws) return;
  ws.arena.free(ws.region);
  unfreed.unregister(state);
  workspaces.delete(state);
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
  let sq = 0;
  for (const n of names) {
    const g = hostView(grads[n]!);
    const at = ws ? offsetOf(ws.arena, g) : -1;
    if (at < 0) {
      sq += sumOfSquares(g);
    } else {
      // The SIMD pass over whole lanes of the gradient where it lives, the last size % 4 here.
      const n4 = g.length & ~3;
      sq += ws!.kernel.sumsq(at, n4) + sumOfSquares(g.subarray(n4));
    }
  }
  const norm = Math.fround(Math.sqrt(sq));
  const scale = Math.min(1, s.clipNorm / (norm + 1e-6));
  const b1 = s.beta1;
  const b2 = s.beta2;
  const bc1 = 1 - Math.pow(b1, t);
  const bc2sqrt = Math.sqrt(1 - Math.pow(b2, t));
  const step = lr / bc1;
  for (const n of names) {
    const next = ws ? simdUpdate(ws, n, params[n], grads[n]!, scale, b1, b2, step, 1 / bc2sqrt, s.eps) : scalarUpdate(state, n, params[n], grads[n]!, scale, b1, b2, step, 1 / bc2sqrt, s.eps);
    // The new value is a new tensor (never written in place: other tensors may share a variable's memory).
    params[n].assign(next);
    next.dispose(); // the variable holds its own reference
  }
  return norm;
}

/**
 * One parameter's update by the SIMD kernel in the arena: the gradient and the value read where
 * they live (copied into scratch only off the wasm backend), the new value written into a new
 * tensor (or into scratch, then copied into one).
 */
function simdUpdate(ws: Workspace, name: string, param: tf.Variable, grad: tf.Tensor, scale: number, b1: number, b2: number, step: number, invBc2sqrt: number, eps: number): tf.Tensor {
  const { arena, kernel } = ws;
  const size = param.size;
  const bytes = 4 * pad4(size);
  // Offsets first: the allocations below may grow the memory (offsets survive, views do not).
  let gAt = offsetOf(arena, hostView(grad));
  let pAt = offsetOf(arena, hostView(param));
  const out = arena.tensor(param.shape);
  const base = arena.scratch(3 * bytes);
  const F = f32(arena);
  if (gAt < 0) F.set(hostView(grad), (gAt = base) / 4);
  if (pAt < 0) F.set(hostView(param), (pAt = base + bytes) / 4);
  const outAt = out ? out.at : base + 2 * bytes;
  const { m, v } = ws.offsets[name];
  const n4 = size & ~3;
  kernel.adam(gAt, pAt, m, v, outAt, n4, scale, b1, 1 - b1, b2, 1 - b2, step, invBc2sqrt, eps);
  if (n4 < size) {
    // The last size % 4 values (the kernel runs over whole lanes; past the end lies other data).
    const at = (x: number) => x / 4 + n4;
    adamUpdate(F.subarray(at(gAt), at(gAt) + size - n4), F.subarray(at(pAt), at(pAt) + size - n4), F.subarray(at(m), at(m) + size - n4), F.subarray(at(v), at(v) + size - n4), F.subarray(at(outAt), at(outAt) + size - n4), scale, b1, b2, step, invBc2sqrt, eps);
  }
  return out ? out.t : tf.tensor(F.slice(outAt / 4, outAt / 4 + size), param.shape, 'float32');
}

/** One parameter's update as a scalar loop (no WebAssembly SIMD, or a state built by hand). */
function scalarUpdate(state: AdamState, name: string, param: tf.Variable, grad: tf.Tensor, scale: number, b1: number, b2: number, step: number, invBc2sqrt: number, eps: number): tf.Tensor {
  const out = new Float32Array(param.size);
  adamUpdate(hostView(grad), hostView(param), state.m[name], state.v[name], out, scale, b1, b2, step, invBc2sqrt, eps);
  return tf.tensor(out, param.shape, 'float32');
}

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
