/**
 * The routing step (interaction module, selection scores and the whole rollout) as ONE tfjs
 * operation with a hand-written backward pass (tf.customGrad).
 *
 * Why: written with tfjs ops, a 10-step rollout is ~250 small kernels forward and ~600 in the
 * backward pass, each on a few dozen numbers; their per-kernel overhead was most of a training
 * step (docs/performance.md). Here the same arithmetic runs as plain loops over host arrays, in
 * float64, and the gradients are derived by hand below. `route()` in model.ts calls this;
 * `routeByOps` there keeps the op-by-op composition, and test/orchestrator/route-kernel.test.ts
 * checks values and gradients of the two against each other (and parity.test.ts against PyTorch).
 *
 * Inputs (differentiable): h [B, N, d]; the interaction module's Wq, Wk [d, d]; lambda []; the
 * prompt context ctx [B, d] with the selection module's Wa [d, N], ba [N], phi [N] (and r [d]
 * with the r . h_i read-out) and the stop head's w [d], b [], from which the intrinsic score
 * a_i + phi_i and the stop logit are computed here too (as tfjs ops they were ~40 kernels per
 * training step, forward, backward and tape). Everything else
 * (Gumbel noise, masks, forced choices, an override of C) is a constant of the call.
 * Output: one packed tensor [B, W] holding every routed quantity per item (see ROUTE_FIELDS);
 * model.ts splits it into the named ForwardCache entries. The chosen experts and the step mask
 * are integers/constants and come back beside it (`RouteKernelResult`).
 */
import { hostView, tf } from './backend';
import { itemProductsABt, mmBackHostSum, mmHostMany, mmTransposedAMany, product, values } from './host-matmul';
import { transpose } from './transpose-simd';

/** A logit this negative has probability exactly 0 after softmax in float32 (as in model.ts). */
const MASKED = -1e9;

/** The packed output's fields, in order, with their per-item sizes for N experts and k steps. */
export const ROUTE_FIELDS = ['collabLogits', 'logC', 'C', 'connectivity', 'intrinsicScore', 'stopLogit', 'baseScore', 'stepLogits', 'stepProbs', 'expertLogProbs', 'relaxedSelection', 'logProbSelected', 'stopProb', 'halting', 'finalDist', 'expectedLength', 's'] as const;
export type RouteField = (typeof ROUTE_FIELDS)[number];

export function routeFieldSizes(N: number, k: number): Record<RouteField, number> {
  return {
    collabLogits: N * N,
    logC: N * N,
    C: N * N,
    connectivity: N,
    intrinsicScore: N,
    stopLogit: 1,
    baseScore: N,
    stepLogits: k * (N + 1),
    stepProbs: k * (N + 1),
    expertLogProbs: k * N,
    relaxedSelection: k * N,
    logProbSelected: k,
    stopProb: k,
    halting: k,
    finalDist: N,
    expectedLength: 1,
    s: N,
  };
}

export interface RouteKernelOptions {
  /** rollout steps k (already capped at the number of available experts) */
  steps: number;
  /** per-position penalty gamma */
  gamma: number;
  tau: number;
  /** 'full' | 'relational-only' | 'intrinsic-only' */
  parts: 'full' | 'relational-only' | 'intrinsic-only';
  /** length N */
  available: boolean[];
  /** Gumbel noise [B, G, N] with G >= steps (step t reads slice t-1), or absent */
  gumbel?: tf.Tensor3D;
  /** validated forced choices, [B][<= steps], -1 = free */
  forcedChain?: number[][];
  /** replacement for C, broadcastable to [B, N, N] */
  collabOverride?: tf.Tensor;
}

/** The selection module's and the stop head's inputs (all differentiable). */
export interface RouteHeads {
  /** prompt context [B, d] */
  ctx: tf.Tensor2D;
  /** [d, N] */
  Wa: tf.Tensor;
  /** [N] */
  ba: tf.Tensor;
  /** [N] */
  phi: tf.Tensor;
  /** [d], present with the r . h_i read-out */
  r?: tf.Tensor;
  /** [d] */
  stopW: tf.Tensor;
  /** [] */
  stopB: tf.Tensor;
}

export interface RouteKernelResult {
  /** [B, W], the fields of ROUTE_FIELDS per item, differentiable */
  packed: tf.Tensor2D;
  /** the expert taken at each step (int32), [B, k] */
  chosen: tf.Tensor2D;
  /** 1 where argmax inference takes step t (a constant), [B, k] */
  stepMask: tf.Tensor2D;
}

/** log-sum-exp of x[0..n) with stride 1 starting at `off`. */
export function logSumExp(x: Float64Array, off: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (x[off + i] > m) m = x[off + i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(x[off + i] - m);
  return m + Math.log(s);
}

/**
 * Selection scores intr_bi = ctx_b . Wa[:, i] + ba_i + phi_i (+ r . h_bi) and stop logits
 * stop_b = ctx_b . w + b, in float64, for n items (h [n, N, d], ctx [n, d]). Shared by the
 * routing op and the probes' route pieces, so both compute the same numbers in the same order.
 */
export function selectionScoresHost(
  w: { ctx: Float32Array; Wa: Float32Array; ba: Float32Array; phi: Float32Array; stopW: Float32Array; stopB: number; r: Float32Array | null },
  h: Float32Array,
  n: number,
  N: number,
  d: number,
): { intr: Float64Array; stopL: Float64Array } {
  const { ctx, Wa, ba, phi, stopW, stopB, r } = w;
  const intr = new Float64Array(n * N);
  const stopL = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    let st = 0;
    for (let c = 0; c < d; c++) st += ctx[b * d + c] * stopW[c];
    stopL[b] = st + stopB;
    for (let i = 0; i < N; i++) {
      let a = 0;
      for (let c = 0; c < d; c++) a += ctx[b * d + c] * Wa[c * N + i];
      if (r) for (let c = 0; c < d; c++) a += r[c] * h[(b * N + i) * d + c];
      intr[b * N + i] = a + ba[i] + phi[i];
    }
  }
  return { intr, stopL };
}

/**
 * One item's collaboration rows from its masked logits Z [N, N]: logC = row-wise log-softmax,
 * softZ = exp(logC), and C = softZ except that a masked expert has no outgoing row (as route()).
 */
export function collaborationRows(Z: Float64Array, N: number, available: boolean[]): { softZ: Float64Array; logC: Float64Array; C: Float64Array } {
  const nAvailable = available.filter(Boolean).length;
  const softZ = new Float64Array(N * N);
  const logC = new Float64Array(N * N);
  const C = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    const lse = logSumExp(Z, i * N, N);
    for (let j = 0; j < N; j++) {
      logC[i * N + j] = Z[i * N + j] - lse;
      softZ[i * N + j] = Math.exp(logC[i * N + j]);
      C[i * N + j] = nAvailable < N && !available[i] ? 0 : softZ[i * N + j];
    }
  }
  return { softZ, logC, C };
}


/** unit_i = h_i / sqrt(|h_i|^2 + 1e-8) for the N rows of one item starting at `hb`. */
function unitRows(hv: Float64Array, hb: number, N: number, d: number, unit: Float64Array, norm: Float64Array): void {
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += hv[hb + i * d + c] * hv[hb + i * d + c];
    const n = Math.sqrt(s + 1e-8);
    norm[i] = n;
    for (let c = 0; c < d; c++) unit[i * d + c] = hv[hb + i * d + c] / n;
  }
}

/**
 * Every item's dot products q_i . k_j and u_i . u_j ([n, N, N] each) for q, k, u [n N, d]: SIMD
 * products, float32 sums in order of c (host-matmul.ts's itemProductsABt). The routing op (per
 * item, `itemPairDots`) and the probes' pieces (route-pieces.ts, all items at once) both take
 * them from here, so their values agree bit for bit; u_i . u_j and u_j . u_i are the same sum.
 */
export function pairDots(q32: Float32Array, k32: Float32Array, unit: Float64Array, n: number, N: number, d: number): { qk: Float32Array; uu: Float32Array } {
  const u32 = new Float32Array(unit.subarray(0, n * N * d));
  return { qk: itemProductsABt(q32, k32, n, N, d, N), uu: itemProductsABt(u32, u32, n, N, d, N) };
}

/** One item's pairDots: q, k rows at offset hb of the batch's [B N, d] arrays, u the item's unit rows [N, d]. */
export function itemPairDots(q32: Float32Array, k32: Float32Array, hb: number, unit: Float64Array, N: number, d: number): { qk: Float32Array; uu: Float32Array } {
  return pairDots(q32.subarray(hb, hb + N * d), k32.subarray(hb, hb + N * d), unit, 1, N, d);
}

/** Z_ij = q_i . k_j / sqrt(d) + lambda cos_ij + (MASKED on the diagonal) + the column's mask. */
function pairLogits(q32: Float32Array, k32: Float32Array, unit: Float64Array, hb: number, N: number, d: number, invSqrtD: number, lam: number, availLogit: number[], Z: Float64Array, cos: Float64Array): void {
  const { qk, uu } = itemPairDots(q32, k32, hb, unit, N, d);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      cos[i * N + j] = uu[i * N + j];
      Z[i * N + j] = qk[i * N + j] * invSqrtD + lam * uu[i * N + j] + (i === j ? MASKED : 0) + availLogit[j];
    }
  }
}

/**
 * Backward of pairLogits and unitRows for one item: adds to gq, gk and writes gh; returns the
 * item's part of d/d lambda. unit = h / n: dh = (dU - unit (unit . dU)) / n.
 */
function pairLogitsBackward(gZ: Float64Array, q32: Float32Array, k32: Float32Array, unit: Float64Array, norm: Float64Array, cos: Float64Array, hb: number, N: number, d: number, invSqrtD: number, lam: number, gq: Float32Array, gk: Float32Array, gh: Float32Array): number {
  // gq_i = sum_j A_ij k_j and gk_j = sum_i A_ij q_i (A = gZ / sqrt(d)), gU_i = sum_j W_ij unit_j
  // (W_ij = lambda (gZ_ij + gZ_ji)): three [N, N] x [N, d] SIMD products per item.
  let gLam = 0;
  for (let x = 0; x < N * N; x++) gLam += gZ[x] * cos[x];
  const A = new Float32Array(N * N);
  const Wm = new Float32Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      A[i * N + j] = gZ[i * N + j] * invSqrtD;
      Wm[i * N + j] = lam * (gZ[i * N + j] + gZ[j * N + i]);
    }
  }
  const dq = product([{ a: A, aStored: 'MK', b: k32.subarray(hb, hb + N * d) }], N, N, d);
  const dk = product([{ a: A, aStored: 'KM', b: q32.subarray(hb, hb + N * d) }], N, N, d);
  const gU = product([{ a: Wm, aStored: 'MK', b: Float32Array.from(unit.subarray(0, N * d)) }], N, N, d);
  for (let x = 0; x < N * d; x++) {
    gq[hb + x] += dq[x];
    gk[hb + x] += dk[x];
  }
  for (let i = 0; i < N; i++) {
    // unit = h / n: dh = (dU - unit (unit . dU)) / n.
    const ui = i * d;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += unit[ui + c] * gU[ui + c];
    for (let c = 0; c < d; c++) gh[hb + ui + c] = (gU[ui + c] - unit[ui + c] * dot) / norm[i];
  }
  return gLam;
}

/** What the backward pass needs of one item's forward pass. */
interface ItemTape {
  unit: Float64Array; // [N, d] h_i / |h_i|
  norm: Float64Array; // [N]
  cos: Float64Array; // [N, N]
  softZ: Float64Array; // [N, N] softmax rows of the collaboration logits (before the row mask)
  C: Float64Array; // [N, N]
  logC: Float64Array; // [N, N]
  probs: Float64Array; // [k, N+1] joint softmax
  pe: Float64Array; // [k, N] softmax of the expert logits (= exp(expertLogProbs))
  y: Float64Array; // [k, N]
  pick: Int32Array; // [k]
  stopP: Float64Array; // [k]
  survive: Float64Array; // [k+1], survive[0] = 1
  halt: Float64Array; // [k]
}

/**
 * Runs the routing step. Differentiable in q, k, h, lambda, intrinsic score and stop logit.
 * Throws (like route()) when a forced expert repeats one the chain already took.
 */
export function routeKernel(h: tf.Tensor3D, Wq: tf.Tensor, Wk: tf.Tensor, lambda: tf.Tensor, heads: RouteHeads, opts: RouteKernelOptions): RouteKernelResult {
  const [B, N, d] = h.shape;
  const readsH = Boolean(heads.r);
  const K = opts.steps;
  const sizes = routeFieldSizes(N, K);
  const offsets = {} as Record<RouteField, number>;
  let W = 0;
  for (const f of ROUTE_FIELDS) {
    offsets[f] = W;
    W += sizes[f];
  }
  const availLogit = opts.available.map((a) => (a ? 0 : MASKED));
  const G = opts.gumbel ? opts.gumbel.shape[1] : 0;
  if (opts.gumbel && (opts.gumbel.shape[0] !== B || G < K || opts.gumbel.shape[2] !== N)) throw new Error(`route: gumbel has shape [${opts.gumbel.shape}], expected [${B}, >= ${K}, ${N}]`);
  const gumbel = opts.gumbel ? new Float64Array(hostView(opts.gumbel)) : null;
  const override = opts.collabOverride ? Float64Array.from(tf.tidy(() => tf.broadcastTo(opts.collabOverride!, [B, N, N]).dataSync())) : null;
  const useSuccessor = opts.parts !== 'intrinsic-only';
  const invSqrtD = 1 / Math.sqrt(d);
  const tapes: ItemTape[] = [];
  const chosen = new Int32Array(B * K);
  const stepMask = new Float32Array(B * K);

  const forwardFn = (hT: tf.Tensor, WqT: tf.Tensor, WkT: tf.Tensor, lamT: tf.Tensor, ctxT: tf.Tensor, WaT: tf.Tensor, baT: tf.Tensor, phiT: tf.Tensor, stopWT: tf.Tensor, stopBT: tf.Tensor, rT?: tf.Tensor) => {
    const h32 = values(hT);
    // Selection scores and stop logit: intr_bi = ctx_b . Wa[:, i] + ba_i + phi_i (+ r . h_bi),
    // stop_b = ctx_b . w + b, in float64.
    const ctxv = values(ctxT);
    const Wa = values(WaT);
    const ba = values(baT);
    const phi = values(phiT);
    const sw = values(stopWT);
    const sb = hostView(stopBT)[0];
    const rv = readsH ? values(rT as tf.Tensor) : null; // (without r, the argument after stopB is customGrad's save function)
    const { intr, stopL } = selectionScoresHost({ ctx: ctxv, Wa, ba, phi, stopW: sw, stopB: sb, r: rv }, h32, B, N, d);
    const [q32, k32] = mmHostMany(h32, B * N, d, [WqT, WkT]); // q = h Wq, k = h Wk as one product
    const hv = new Float64Array(h32);
    const lam = hostView(lamT)[0];
    const out = new Float32Array(B * W);
    for (let b = 0; b < B; b++) {
      const o = b * W;
      const hb = b * N * d;
      // Interaction module.
      const norm = new Float64Array(N);
      const unit = new Float64Array(N * d);
      unitRows(hv, hb, N, d, unit, norm);
      const cos = new Float64Array(N * N);
      const Z = new Float64Array(N * N);
      pairLogits(q32, k32, unit, hb, N, d, invSqrtD, lam, availLogit, Z, cos);
      const rows = collaborationRows(Z, N, opts.available);
      const softZ = rows.softZ;
      let { logC, C } = rows;
      if (override) {
        C = override.slice(b * N * N, (b + 1) * N * N);
        logC = new Float64Array(N * N);
        for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) logC[i * N + j] = Math.log(C[i * N + j] + (i === j ? 1e-30 : 0));
      }
      const conn = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let j = 0; j < N; j++) s += C[i * N + j] + C[j * N + i];
        conn[i] = 0.5 * s;
      }
      const base = new Float64Array(N);
      for (let i = 0; i < N; i++) base[i] = opts.parts === 'relational-only' ? conn[i] : opts.parts === 'intrinsic-only' ? intr[b * N + i] : intr[b * N + i] + conn[i];

      // Rollout.
      const taken = new Uint8Array(N);
      const probs = new Float64Array(K * (N + 1));
      const pe = new Float64Array(K * N);
      const y = new Float64Array(K * N);
      const pick = new Int32Array(K);
      const stopP = new Float64Array(K);
      const joint = new Float64Array(N + 1);
      const noisy = new Float64Array(N);
      let prev = -1;
      for (let t = 1; t <= K; t++) {
        for (let i = 0; i < N; i++) {
          let l = base[i] - opts.gamma * t + availLogit[i] + (taken[i] ? MASKED : 0);
          if (prev >= 0 && useSuccessor) l += logC[prev * N + i];
          joint[i] = l;
        }
        joint[N] = t === 1 ? MASKED : stopL[b];
        const lseJ = logSumExp(joint, 0, N + 1);
        const lseL = logSumExp(joint, 0, N);
        const r = t - 1;
        for (let i = 0; i <= N; i++) {
          probs[r * (N + 1) + i] = Math.exp(joint[i] - lseJ);
          out[o + offsets.stepLogits + r * (N + 1) + i] = joint[i];
          out[o + offsets.stepProbs + r * (N + 1) + i] = probs[r * (N + 1) + i];
        }
        for (let i = 0; i < N; i++) {
          const lp = joint[i] - lseL;
          pe[r * N + i] = Math.exp(lp);
          out[o + offsets.expertLogProbs + r * N + i] = lp;
          noisy[i] = (gumbel ? joint[i] + gumbel[(b * G + r) * N + i] : joint[i]) / opts.tau;
        }
        const lseY = logSumExp(noisy, 0, N);
        let best = 0;
        for (let i = 0; i < N; i++) {
          y[r * N + i] = Math.exp(noisy[i] - lseY);
          out[o + offsets.relaxedSelection + r * N + i] = y[r * N + i];
          if (noisy[i] > noisy[best]) best = i;
        }
        const forced = opts.forcedChain && r < opts.forcedChain[b].length ? opts.forcedChain[b][r] : -1;
        if (forced >= 0) {
          if (taken[forced]) throw new Error(`route: forcedChain[${b}][${r}] forces expert ${forced}, which item ${b}'s chain already took at an earlier step`);
          best = forced;
        }
        pick[r] = best;
        chosen[b * K + r] = best;
        out[o + offsets.logProbSelected + r] = joint[best] - lseL;
        stopP[r] = probs[r * (N + 1) + N];
        out[o + offsets.stopProb + r] = stopP[r];
        taken[best] = 1;
        prev = best;
      }
      // Step mask (argmax inference's steps; a forced chain's steps always count).
      const forcedLen = opts.forcedChain ? opts.forcedChain[b].length : 0;
      let going = true;
      for (let r = 0; r < K; r++) {
        if (r > 0 && r >= forcedLen && Math.fround(stopP[r]) >= 0.5) going = false;
        stepMask[b * K + r] = going ? 1 : 0;
      }
      // Halting: P(K = t) = prod_{u<=t}(1 - stop_u) * stop_{t+1}; the last step takes the rest.
      const survive = new Float64Array(K + 1);
      const halt = new Float64Array(K);
      const finalDist = new Float64Array(N);
      survive[0] = 1;
      let ek = 0;
      for (let r = 0; r < K; r++) survive[r + 1] = survive[r] * (1 - stopP[r]);
      for (let r = 0; r < K; r++) {
        halt[r] = r + 1 < K ? survive[r + 1] * stopP[r + 1] : survive[r + 1];
        out[o + offsets.halting + r] = halt[r];
        ek += (r + 1) * halt[r];
        for (let i = 0; i < N; i++) finalDist[i] += halt[r] * y[r * N + i];
      }
      for (let i = 0; i < N; i++) out[o + offsets.finalDist + i] = finalDist[i];
      out[o + offsets.expectedLength] = ek;
      out[o + offsets.stopLogit] = stopL[b];
      for (let i = 0; i < N; i++) {
        out[o + offsets.intrinsicScore + i] = intr[b * N + i];
        out[o + offsets.s + i] = pe[i];
        out[o + offsets.connectivity + i] = conn[i];
        out[o + offsets.baseScore + i] = base[i];
      }
      for (let x = 0; x < N * N; x++) {
        out[o + offsets.collabLogits + x] = Z[x];
        out[o + offsets.logC + x] = logC[x];
        out[o + offsets.C + x] = C[x];
      }
      tapes.push({ unit, norm, cos, softZ, C, logC, probs, pe, y, pick, stopP, survive, halt });
    }

    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const g = new Float64Array(hostView(dy));
      const gq = new Float32Array(B * N * d);
      const gk = new Float32Array(B * N * d);
      const gh = new Float32Array(B * N * d);
      const gIntr = new Float32Array(B * N);
      const gStop = new Float32Array(B);
      let gLam = 0;
      for (let b = 0; b < B; b++) {
        const o = b * W;
        const tp = tapes[b];
        const at = (f: RouteField, x: number) => g[o + offsets[f] + x];
        // s = exp(logp_1); E[K] = sum_t t halt_t; finalDist = sum_t halt_t y_t.
        const gLogp = new Float64Array(K * N);
        for (let r = 0; r < K; r++) for (let i = 0; i < N; i++) gLogp[r * N + i] = at('expertLogProbs', r * N + i);
        for (let i = 0; i < N; i++) gLogp[i] += at('s', i) * tp.pe[i];
        for (let r = 0; r < K; r++) gLogp[r * N + tp.pick[r]] += at('logProbSelected', r);
        const gHalt = new Float64Array(K);
        for (let r = 0; r < K; r++) {
          let s = at('halting', r) + (r + 1) * at('expectedLength', 0);
          for (let i = 0; i < N; i++) s += at('finalDist', i) * tp.y[r * N + i];
          gHalt[r] = s;
        }
        // Halting backward: survive[r+1] = survive[r] (1 - sp_r); halt_r = survive[r+1] sp_{r+1} (r < K-1) or survive[K].
        const gSp = new Float64Array(K);
        for (let r = 0; r < K; r++) gSp[r] = at('stopProb', r);
        const gSurv = new Float64Array(K + 1);
        for (let r = 0; r < K; r++) {
          if (r + 1 < K) {
            gSurv[r + 1] += gHalt[r] * tp.stopP[r + 1];
            gSp[r + 1] += gHalt[r] * tp.survive[r + 1];
          } else gSurv[r + 1] += gHalt[r];
        }
        for (let r = K - 1; r >= 0; r--) {
          gSurv[r] += gSurv[r + 1] * (1 - tp.stopP[r]);
          gSp[r] -= gSurv[r + 1] * tp.survive[r];
        }
        // Per step: joint softmax, expert log-softmax, relaxed softmax, all onto the step's logits.
        const gBase = new Float64Array(N);
        const gLogC = new Float64Array(N * N);
        for (let r = 0; r < K; r++) {
          const gl = new Float64Array(N);
          // probs = softmax(joint); joint = [l, stop]
          let dot = 0;
          const gP = new Float64Array(N + 1);
          for (let i = 0; i <= N; i++) {
            gP[i] = at('stepProbs', r * (N + 1) + i) + (i === N ? gSp[r] : 0);
            dot += gP[i] * tp.probs[r * (N + 1) + i];
          }
          for (let i = 0; i < N; i++) gl[i] += tp.probs[r * (N + 1) + i] * (gP[i] - dot) + at('stepLogits', r * (N + 1) + i);
          if (r > 0) gStop[b] += tp.probs[r * (N + 1) + N] * (gP[N] - dot) + at('stepLogits', r * (N + 1) + N);
          // logp = logsoftmax(l)
          let sumG = 0;
          for (let i = 0; i < N; i++) sumG += gLogp[r * N + i];
          for (let i = 0; i < N; i++) gl[i] += gLogp[r * N + i] - tp.pe[r * N + i] * sumG;
          // y = softmax((l + g) / tau)
          const gY = new Float64Array(N);
          let dy2 = 0;
          for (let i = 0; i < N; i++) {
            gY[i] = at('relaxedSelection', r * N + i) + tp.halt[r] * at('finalDist', i);
            dy2 += gY[i] * tp.y[r * N + i];
          }
          for (let i = 0; i < N; i++) gl[i] += (tp.y[r * N + i] * (gY[i] - dy2)) / opts.tau;
          // l = base - gamma t + masks + log C[prev, .]
          for (let i = 0; i < N; i++) gBase[i] += gl[i];
          if (r > 0 && useSuccessor) {
            const prev = tp.pick[r - 1];
            for (let i = 0; i < N; i++) gLogC[prev * N + i] += gl[i];
          }
        }
        // base (itself an output too) -> intrinsic score and connectivity.
        const gConn = new Float64Array(N);
        for (let i = 0; i < N; i++) {
          const gb = gBase[i] + at('baseScore', i);
          gConn[i] = at('connectivity', i) + (opts.parts !== 'intrinsic-only' ? gb : 0);
          gIntr[b * N + i] = (opts.parts !== 'relational-only' ? gb : 0) + at('intrinsicScore', i);
        }
        // Collaboration logits Z: from collabLogits directly, and through logC and C unless overridden.
        const gZ = new Float64Array(N * N);
        for (let x = 0; x < N * N; x++) gZ[x] = at('collabLogits', x);
        if (!override) {
          const gLC = new Float64Array(N * N);
          for (let i = 0; i < N; i++) {
            for (let j = 0; j < N; j++) {
              const gC = at('C', i * N + j) + 0.5 * (gConn[i] + gConn[j]);
              gLC[i * N + j] = gLogC[i * N + j] + at('logC', i * N + j) + gC * tp.C[i * N + j];
            }
          }
          for (let i = 0; i < N; i++) {
            let s = 0;
            for (let j = 0; j < N; j++) s += gLC[i * N + j];
            for (let j = 0; j < N; j++) gZ[i * N + j] += gLC[i * N + j] - tp.softZ[i * N + j] * s;
          }
        }
        // Z = q k^T / sqrt(d) + lambda cos(h) + masks.
        gLam += pairLogitsBackward(gZ, q32, k32, tp.unit, tp.norm, tp.cos, b * N * d, N, d, invSqrtD, lam, gq, gk, gh);
      }
      // q = h Wq, k = h Wk: dWq = h^T dq, dh += dq Wq^T (and the same for k).
      const ghqk = mmBackHostSum([gq, gk], B * N, d, [WqT, WkT], d);
      for (let x = 0; x < B * N * d; x++) gh[x] += ghqk[x];
      const [gWq, gWk] = mmTransposedAMany(h32, B * N, d, [gq, gk], d);
      // Selection scores and stop logit backward.
      const gCtx = new Float32Array(B * d);
      const gWa = new Float64Array(d * N);
      const gba = new Float64Array(N);
      const gr = new Float64Array(d);
      const gw = new Float64Array(d);
      let gsb = 0;
      for (let b = 0; b < B; b++) {
        const gs = gStop[b] + g[b * W + offsets.stopLogit];
        gsb += gs;
        for (let c = 0; c < d; c++) {
          let acc = gs * sw[c];
          for (let i = 0; i < N; i++) {
            const gi = gIntr[b * N + i];
            acc += gi * Wa[c * N + i];
            gWa[c * N + i] += ctxv[b * d + c] * gi;
          }
          gCtx[b * d + c] = acc;
          gw[c] += gs * ctxv[b * d + c];
        }
        for (let i = 0; i < N; i++) {
          const gi = gIntr[b * N + i];
          gba[i] += gi;
          if (rv) {
            for (let c = 0; c < d; c++) {
              gr[c] += gi * h32[(b * N + i) * d + c];
              gh[(b * N + i) * d + c] += gi * rv[c];
            }
          }
        }
      }
      const f32 = (x: Float64Array) => Float32Array.from(x);
      const grads = [tf.tensor3d(gh, [B, N, d]), gWq, gWk, tf.scalar(gLam), tf.tensor2d(gCtx, [B, d]), tf.tensor2d(f32(gWa), [d, N]), tf.tensor1d(f32(gba)), tf.tensor1d(f32(gba)), tf.tensor1d(f32(gw)), tf.scalar(gsb)];
      if (readsH) grads.push(tf.tensor1d(f32(gr)));
      return grads;
    };
    return { value: tf.tensor2d(out, [B, W]), gradFunc };
  };
  const op = tf.customGrad(forwardFn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor2D;
  const packed = op(h, Wq, Wk, lambda, heads.ctx, heads.Wa, heads.ba, heads.phi, heads.stopW, heads.stopB, ...(heads.r ? [heads.r] : []));
  return { packed, chosen: tf.tensor2d(chosen, [B, K], 'int32'), stepMask: tf.tensor2d(stepMask, [B, K]) };
}
