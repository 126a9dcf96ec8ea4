/**
 * The routing step's per-item pieces that do not depend on a read's options, computed ONCE per
 * encoding and reused by every read and gradient of the same representations.
 *
 * Why: a probe pass routes the same h many times (the structure read, three ablation reads, each
 * rolled out twice, and intrinsic importance once per chain step), and each `route` call
 * recomputed the interaction module's q = h Wq, k = h Wk (~1.3 M multiply-adds per item, the
 * largest part of routing, bench/profile-probes.ts) and the pairwise logits. Here they are
 * computed once per item; a read is then only the rollout (N^2 per step, host loops), and an
 * intrinsic-importance row only its backward with respect to h (no parameter gradients).
 *
 * The arithmetic is route-kernel.ts's, step for step in the same float64 order (the pair logits'
 * two accumulators, the masks added in the same order, the same log-sum-exp), so reads are
 * identical to `route`'s; test/probes/route-pieces.test.ts checks C, s, chains and the gradient
 * norms against `route` and tf.grad through it, under masks, a static C, the score ablations and
 * the r . h read-out.
 */
import { hostView, tf } from '../orchestrator/backend';
import { mmHost, product } from '../orchestrator/host-matmul';
import { collaborationRows, logSumExp, pairDots, selectionScoresHost } from '../orchestrator/route-kernel';
import type { OrchestratorModel, ScoreParts } from '../orchestrator/model';

/** A logit this negative has probability exactly 0 after softmax in float32 (as in model.ts). */
const MASKED = -1e9;

/** What `route` computes of each item before any option applies. */
export interface RoutePieces {
  model: OrchestratorModel;
  n: number;
  N: number;
  d: number;
  /** q = h Wq, k = h Wk, [n, N, d] */
  q: Float32Array;
  k: Float32Array;
  /** h_i / |h_i| and |h_i|, [n, N, d] and [n, N] */
  unit: Float64Array;
  norm: Float64Array;
  /** cos_ij, [n, N, N] */
  cos: Float64Array;
  /** q_i . k_j / sqrt(d) + lambda cos_ij, before the diagonal and column masks, [n, N, N] */
  z0: Float64Array;
  /** a_i + phi_i (+ r . h_i), [n, N] */
  intr: Float64Array;
  /** the stop logit, [n] */
  stopL: Float64Array;
}

/** Computes the pieces of every item of h [n, N, d], ctx [n, d] (forward only). */
export function routePieces(model: OrchestratorModel, h: tf.Tensor3D, ctx: tf.Tensor2D): RoutePieces {
  const p = model.params;
  const [n, N, d] = h.shape;
  const h32 = new Float32Array(hostView(h));
  const ctxv = new Float32Array(hostView(ctx));
  const Wa = new Float32Array(hostView(p['select.Wa']));
  const ba = new Float32Array(hostView(p['select.ba']));
  const phi = new Float32Array(hostView(p['select.phi']));
  const sw = new Float32Array(hostView(p['stop.w']));
  const sb = hostView(p['stop.b'])[0];
  const rv = model.config.selectionReadsH ? new Float32Array(hostView(p['select.r'])) : null;
  const lam = hostView(p['collab.lambda'])[0];
  const { intr, stopL } = selectionScoresHost({ ctx: ctxv, Wa, ba, phi, stopW: sw, stopB: sb, r: rv }, h32, n, N, d);
  const q = mmHost(h32, n * N, d, p['collab.Wq']);
  const k = mmHost(h32, n * N, d, p['collab.Wk']);
  const unit = new Float64Array(n * N * d);
  const norm = new Float64Array(n * N);
  const cos = new Float64Array(n * N * N);
  const z0 = new Float64Array(n * N * N);
  const invSqrtD = 1 / Math.sqrt(d);
  for (let b = 0; b < n; b++) {
    const hb = b * N * d;
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += h32[hb + i * d + c] * h32[hb + i * d + c];
      const nm = Math.sqrt(s + 1e-8);
      norm[b * N + i] = nm;
      for (let c = 0; c < d; c++) unit[hb + i * d + c] = h32[hb + i * d + c] / nm;
    }
  }
  // The routing op's own dot products (pairDots), so the values are bitwise the kernel's.
  const { qk, uu } = pairDots(q, k, unit, n, N, d);
  for (let x = 0; x < n * N * N; x++) {
    cos[x] = uu[x];
    z0[x] = qk[x] * invSqrtD + lam * uu[x];
  }
  return { model, n, N, d, q, k, unit, norm, cos, z0, intr, stopL };
}

/** The options a read from pieces honours (those of route() that a probe sets). */
export interface PiecesRouteOptions {
  steps: number;
  available?: boolean[];
  /** static C [N][N] (route's collabOverride) */
  collabOverride?: number[][];
  scoreParts?: ScoreParts;
  /** forced choices per item (of `idx`), -1 = free */
  forcedChain?: number[][];
}

/** The options that set the policy (not the rollout's length or forced choices). */
export type PiecesPolicy = Omit<PiecesRouteOptions, 'steps' | 'forcedChain'>;

/** One item's interaction module and rollout under the options (route-kernel.ts's forward). */
interface ItemRoll {
  softZ: Float64Array;
  C: Float64Array;
  logC: Float64Array;
  pe: Float64Array; // [K, N]
  pick: Int32Array; // [K]
  stopP: Float64Array; // [K]
}

function rollItem(P: RoutePieces, b: number, K: number, opts: PiecesPolicy, forced: number[] | undefined, override: Float64Array | null): ItemRoll {
  const { N } = P;
  const model = P.model;
  const gamma = model.config.lengthPenalty;
  const parts: ScoreParts = opts.scoreParts ?? model.config.scoreParts ?? 'full';
  const available = opts.available ?? new Array<boolean>(N).fill(true);
  const availLogit = available.map((a) => (a ? 0 : MASKED));
  const Z = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) Z[i * N + j] = P.z0[(b * N + i) * N + j] + (i === j ? MASKED : 0) + availLogit[j];
  const rows = collaborationRows(Z, N, available);
  const softZ = rows.softZ;
  let { logC, C } = rows;
  if (override) {
    C = override.slice();
    logC = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) logC[i * N + j] = Math.log(C[i * N + j] + (i === j ? 1e-30 : 0));
  }
  const base = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += C[i * N + j] + C[j * N + i];
    const conn = 0.5 * s;
    const intr = P.intr[b * N + i];
    base[i] = parts === 'relational-only' ? conn : parts === 'intrinsic-only' ? intr : intr + conn;
  }
  const useSuccessor = parts !== 'intrinsic-only';
  const taken = new Uint8Array(N);
  const pe = new Float64Array(K * N);
  const pick = new Int32Array(K);
  const stopP = new Float64Array(K);
  const joint = new Float64Array(N + 1);
  let prev = -1;
  for (let t = 1; t <= K; t++) {
    for (let i = 0; i < N; i++) {
      let l = base[i] - gamma * t + availLogit[i] + (taken[i] ? MASKED : 0);
      if (prev >= 0 && useSuccessor) l += logC[prev * N + i];
      joint[i] = l;
    }
    joint[N] = t === 1 ? MASKED : P.stopL[b];
    const lseJ = logSumExp(joint, 0, N + 1);
    const lseL = logSumExp(joint, 0, N);
    const r = t - 1;
    let best = 0;
    for (let i = 0; i < N; i++) {
      pe[r * N + i] = Math.exp(joint[i] - lseL);
      if (joint[i] > joint[best]) best = i; // tau > 0 and no noise: argmax of the logits
    }
    const f = forced && r < forced.length ? forced[r] : -1;
    if (f >= 0) {
      if (taken[f]) throw new Error(`route: forcedChain forces expert ${f} at step ${r}, which the chain already took`);
      best = f;
    }
    pick[r] = best;
    stopP[r] = Math.exp(joint[N] - lseJ);
    taken[best] = 1;
    prev = best;
  }
  return { softZ, C, logC, pe, pick, stopP };
}

function overrideOf(opts: PiecesPolicy, N: number): Float64Array | null {
  if (!opts.collabOverride) return null;
  const o = opts.collabOverride;
  if (o.length !== N || o.some((row) => row.length !== N)) throw new Error(`route: collabOverride must be ${N} x ${N}`);
  return Float64Array.from(o.flat().map((x) => Math.fround(x)));
}

function checkOptions(P: RoutePieces, opts: PiecesPolicy): void {
  if (opts.available && opts.available.length !== P.N) throw new Error(`route: 'available' has ${opts.available.length} entries, expected ${P.N}`);
  if (opts.available && !opts.available.some(Boolean)) throw new Error('route: every expert is masked');
}

/**
 * C, s, the chosen experts and the stop probabilities of items `idx` rolled out `steps` steps,
 * as float32 values (what `route` returns through its float32 tensor).
 */
export function readFromPieces(P: RoutePieces, idx: readonly number[], opts: PiecesRouteOptions): { C: number[][][]; s: number[][]; chosen: number[][]; stopProb: number[][] } {
  checkOptions(P, opts);
  const { N } = P;
  const K = opts.steps;
  const override = overrideOf(opts, N);
  const f = Math.fround;
  const out = { C: [] as number[][][], s: [] as number[][], chosen: [] as number[][], stopProb: [] as number[][] };
  idx.forEach((b, row) => {
    if (!(Number.isInteger(b) && b >= 0 && b < P.n)) throw new Error(`route pieces: item ${b} is not in 0..${P.n - 1}`);
    const r = rollItem(P, b, K, opts, opts.forcedChain?.[row], override);
    // plain loops: the nested arrays are built for every item of every read
    const C: number[][] = new Array(N);
    const s: number[] = new Array(N);
    for (let i = 0; i < N; i++) {
      const rowC: number[] = new Array(N);
      for (let j = 0; j < N; j++) rowC[j] = f(r.C[i * N + j]);
      C[i] = rowC;
      s[i] = f(r.pe[i]);
    }
    const chosen: number[] = new Array(K);
    const stopProb: number[] = new Array(K);
    for (let t = 0; t < K; t++) {
      chosen[t] = r.pick[t];
      stopProb[t] = f(r.stopP[t]);
    }
    out.C.push(C);
    out.s.push(s);
    out.chosen.push(chosen);
    out.stopProb.push(stopProb);
  });
  return out;
}

/**
 * For each row (item `items[r]`, its forced chain `chains[r]`, step `steps[r]`): the L2 norm over
 * d of d log P(chain[step] | x, chain[0..step), continue) / d h_i for every expert i, [R][N].
 * The backward of route-kernel.ts restricted to h (no parameter or ctx gradients); the q/k
 * back-projection is taken once per item (Wq k_j, Wk q_j), not once per row.
 */
export function selectionGradNorms(P: RoutePieces, items: readonly number[], chains: readonly (readonly number[])[], steps: readonly number[], opts: PiecesPolicy = {}): number[][] {
  checkOptions(P, opts);
  const { N, d } = P;
  const R = items.length;
  const p = P.model.params;
  const parts: ScoreParts = opts.scoreParts ?? P.model.config.scoreParts ?? 'full';
  const override = overrideOf(opts, N);
  const invSqrtD = 1 / Math.sqrt(d);
  const lam = hostView(p['collab.lambda'])[0];
  const rv = P.model.config.selectionReadsH ? new Float32Array(hostView(p['select.r'])) : null;
  // Wq k_j and Wk q_j of every item the rows read (k Wq^T, q Wk^T): one product per item, not per row
  const slot = new Map<number, number>();
  for (const b of items) if (!slot.has(b) && Number.isInteger(b) && b >= 0 && b < P.n) slot.set(b, slot.size);
  const kRows = new Float32Array(slot.size * N * d);
  const qRows = new Float32Array(slot.size * N * d);
  for (const [b, s] of slot) {
    kRows.set(P.k.subarray(b * N * d, (b + 1) * N * d), s * N * d);
    qRows.set(P.q.subarray(b * N * d, (b + 1) * N * d), s * N * d);
  }
  const [WqT, WkT] = [tf.transpose(p['collab.Wq']), tf.transpose(p['collab.Wk'])];
  let kW: Float32Array;
  let qW: Float32Array;
  try {
    kW = slot.size ? mmHost(kRows, slot.size * N, d, WqT) : new Float32Array(0);
    qW = slot.size ? mmHost(qRows, slot.size * N, d, WkT) : new Float32Array(0);
  } finally {
    tf.dispose([WqT, WkT]);
  }
  const gh = new Float32Array(R * N * d);
  const gLC = new Float64Array(N);
  // Per row, the three N x N coefficient matrices of the h-gradient through Z (below); rows are
  // then multiplied out item by item, as products with the item's Wq k, Wk q and unit vectors.
  const coef = { A: new Float32Array(R * N * N), A2: new Float32Array(R * N * N), W: new Float32Array(R * N * N) };
  const rowsOf = new Map<number, number[]>(); // item -> its rows that reach Z
  // one rollout per (item, chain), read at each of its steps (a rollout's prefix does not depend on its length)
  const rolls = new Map<string, ItemRoll>();
  for (let row = 0; row < R; row++) {
    const b = items[row];
    if (!slot.has(b)) throw new Error(`route pieces: item ${b} is not in 0..${P.n - 1}`);
    const t = steps[row];
    const chain = chains[row];
    if (!(Number.isInteger(t) && t >= 0 && t < chain.length)) throw new Error(`route pieces: step ${t} is outside chain [${chain}]`);
    const key = `${b}:${chain.join(',')}`;
    let roll = rolls.get(key);
    if (!roll) rolls.set(key, (roll = rollItem(P, b, chain.length, opts, [...chain], override)));
    // d logP(pick_t) / d logits_t = onehot(pick_t) - pe_t
    const gl = new Float64Array(N);
    for (let i = 0; i < N; i++) gl[i] = (i === roll.pick[t] ? 1 : 0) - roll.pe[t * N + i];
    const gLogC = new Float64Array(N * N);
    if (t > 0 && parts !== 'intrinsic-only') {
      const prev = roll.pick[t - 1];
      for (let i = 0; i < N; i++) gLogC[prev * N + i] += gl[i];
    }
    const gConn = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      gConn[i] = parts !== 'intrinsic-only' ? gl[i] : 0;
      const gIntr = parts !== 'relational-only' ? gl[i] : 0;
      if (rv && gIntr !== 0) for (let c = 0; c < d; c++) gh[(row * N + i) * d + c] += gIntr * rv[c];
    }
    if (override) continue; // C is a constant: h reaches the objective through r . h only
    const gZ = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 0; j < N; j++) {
        const gC = 0.5 * (gConn[i] + gConn[j]);
        gLC[j] = gLogC[i * N + j] + gC * roll.C[i * N + j];
        s += gLC[j];
      }
      for (let j = 0; j < N; j++) gZ[i * N + j] = gLC[j] - roll.softZ[i * N + j] * s;
    }
    // Z = q k^T / sqrt(d) + lambda cos(h), q = h Wq, k = h Wk: with A = gZ / sqrt(d),
    // dh_i = sum_j A_ij (Wq k_j) + sum_j A_ji (Wk q_j) + the cos part; cos = u_i . u_j,
    // u = h / |h|: dh_i += (g_i - u_i (u_i . g_i)) / |h_i| with g_i = sum_j W_ij u_j,
    // W_ij = lambda (gZ_ij + gZ_ji).
    const o = row * N * N;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        coef.A[o + i * N + j] = gZ[i * N + j] * invSqrtD;
        coef.A2[o + i * N + j] = gZ[j * N + i] * invSqrtD;
        coef.W[o + i * N + j] = lam * (gZ[i * N + j] + gZ[j * N + i]);
      }
    }
    const list = rowsOf.get(b);
    if (list) list.push(row);
    else rowsOf.set(b, [row]);
  }
  // Per item, all its rows at once: [rows N, N] coefficient stacks times the item's [N, d] blocks.
  const { unit, norm } = P;
  for (const [b, rows] of rowsOf) {
    const m = rows.length * N;
    const stack = (c: Float32Array) => {
      const out = new Float32Array(m * N);
      rows.forEach((row, r) => out.set(c.subarray(row * N * N, (row + 1) * N * N), r * N * N));
      return out;
    };
    const wb = slot.get(b)! * N * d;
    const hb = b * N * d;
    const kWb = kW.subarray(wb, wb + N * d);
    const qWb = qW.subarray(wb, wb + N * d);
    const unitB = new Float32Array(unit.subarray(hb, hb + N * d));
    const acc = product([{ a: stack(coef.A), aStored: 'MK', b: kWb }, { a: stack(coef.A2), aStored: 'MK', b: qWb }], m, N, d);
    const acc2 = product([{ a: stack(coef.W), aStored: 'MK', b: unitB }], m, N, d);
    // plain loops over local arrays (a closure per row reading P's fields ran ~3x slower)
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < N; i++) {
        const ui = hb + i * d;
        const ai = (r * N + i) * d;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += unit[ui + c] * acc2[ai + c];
        const nm = norm[b * N + i];
        const gi = (row * N + i) * d;
        for (let c = 0; c < d; c++) gh[gi + c] += acc[ai + c] + (acc2[ai + c] - unit[ui + c] * dot) / nm;
      }
    }
  }
  const norms: number[][] = [];
  for (let row = 0; row < R; row++) {
    const v = new Array<number>(N);
    for (let i = 0; i < N; i++) {
      let s = 0;
      const o = (row * N + i) * d;
      for (let c = 0; c < d; c++) {
        const g = gh[o + c];
        s += g * g;
      }
      v[i] = Math.sqrt(s);
    }
    norms.push(v);
  }
  return norms;
}
