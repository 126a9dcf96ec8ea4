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
 * q_i . k_j is taken as hM_i . h_j with M = Wq Wk^T ([d, d], once per call): one [n N, d] x [d, d]
 * product instead of two, and the backward's back-projections are hM (Wk q_j, already here) and
 * h M^T (Wq k_j), one product instead of two. The rollout is route-kernel.ts's, step for step in
 * the same float64 order (the masks added in the same order, the same log-sum-exp), so reads equal
 * `route`'s up to the float32 rounding of the pair logits' products (6e-8 at most in
 * test/probes/route-pieces.test.ts, which checks C, s, chains and the gradient norms against
 * `route` and tf.grad through it, under masks, a static C, the score ablations and the r . h
 * read-out; docs/decisions.md, "Probe reads take q . k as h (Wq Wk^T) h").
 */
import { hostView, tf } from '../orchestrator/backend';
import { batchedProducts, itemProductsABt, product } from '../orchestrator/host-matmul';
import { transpose } from '../orchestrator/transpose-simd';
import { collaborationRows, logSumExp, selectionScoresHost } from '../orchestrator/route-kernel';
import type { OrchestratorModel, ScoreParts } from '../orchestrator/model';
import type { HostEncoding } from './encode-reuse';

/** A logit this negative has probability exactly 0 after softmax in float32 (as in model.ts). */
const MASKED = -1e9;

/** What `route` computes of each item before any option applies. */
export interface RoutePieces {
  model: OrchestratorModel;
  n: number;
  N: number;
  d: number;
  /** h [n, N, d] (float32, as encoded) and hM = h Wq Wk^T [n, N, d]: q_i . k_j = hM_i . h_j */
  h: Float32Array;
  hM: Float32Array;
  /** M = Wq Wk^T [d, d] */
  M: Float32Array;
  /** h_i / |h_i| rounded to float32 (as the cosine products read it; the routing op keeps float64) and |h_i|, [n, N, d] and [n, N] */
  unit: Float32Array;
  norm: Float64Array;
  /** cos_ij, [n, N, N] */
  cos: Float64Array;
  /** q_i . k_j / sqrt(d) + lambda cos_ij, before the diagonal and column masks, [n, N, N] */
  z0: Float64Array;
  /** a_i + phi_i (+ r . h_i), [n, N] */
  intr: Float64Array;
  /** the stop logit, [n] */
  stopL: Float64Array;
  /**
   * C's rows per availability mask and item (collaborationRows' softZ, C, log C, and each expert's
   * connectivity), filled on first use: every read of an encoding under one mask (the structure
   * read, its reopened rollouts, the intrinsic rows, the ablations) rolls out from the same C, so
   * it is computed once
   */
  rows: Map<string, MaskRows>;
}

/** One mask's rows of C, per item. */
interface MaskRows {
  available: readonly boolean[];
  /** 0 for an available expert, MASKED for a masked one */
  availLogit: readonly number[];
  perItem: Array<CollabRows | undefined>;
}

interface CollabRows {
  softZ: Float64Array;
  C: Float64Array;
  logC: Float64Array;
  /** 0.5 sum_j (C_ij + C_ji) */
  conn: Float64Array;
}

/**
 * Computes the pieces of every item of h [n, N, d], ctx [n, d] (forward only); `host`, the same
 * values already on the host, saves copying them back out of the tensors (they are only read).
 */
export function routePieces(model: OrchestratorModel, h: tf.Tensor3D, ctx: tf.Tensor2D, host?: HostEncoding): RoutePieces {
  const p = model.params;
  const [n, N, d] = h.shape;
  if (host && (host.h.length !== h.size || host.ctx.length !== ctx.size)) throw new Error(`routePieces: host arrays of ${host.h.length} and ${host.ctx.length} values for h ${h.shape} and ctx ${ctx.shape}`);
  const h32 = host ? host.h : new Float32Array(hostView(h));
  const ctxv = host ? host.ctx : new Float32Array(hostView(ctx));
  const Wa = new Float32Array(hostView(p['select.Wa']));
  const ba = new Float32Array(hostView(p['select.ba']));
  const phi = new Float32Array(hostView(p['select.phi']));
  const sw = new Float32Array(hostView(p['stop.w']));
  const sb = hostView(p['stop.b'])[0];
  const rv = model.config.selectionReadsH ? new Float32Array(hostView(p['select.r'])) : null;
  const lam = hostView(p['collab.lambda'])[0];
  const { intr, stopL } = selectionScoresHost({ ctx: ctxv, Wa, ba, phi, stopW: sw, stopB: sb, r: rv }, h32, n, N, d);
  // q_i . k_j = (h_i Wq) . (h_j Wk) = h_i (Wq Wk^T) . h_j: one [n N, d] x [d, d] product instead of two
  const M = interactionProduct(p['collab.Wq'], p['collab.Wk'], d);
  const hM = product([{ a: h32, aStored: 'MK', b: M }], n * N, d, d);
  const unit = new Float32Array(n * N * d);
  const norm = new Float64Array(n * N);
  const cos = new Float64Array(n * N * N);
  const z0 = new Float64Array(n * N * N);
  const invSqrtD = 1 / Math.sqrt(d);
  for (let b = 0; b < n; b++) {
    const hb = b * N * d;
    for (let i = 0; i < N; i++) {
      const nm = Math.sqrt(dotRows(h32, hb + i * d, h32, hb + i * d, d) + 1e-8);
      norm[b * N + i] = nm;
      for (let c = 0; c < d; c++) unit[hb + i * d + c] = h32[hb + i * d + c] / nm;
    }
  }
  // per-item dot products as the routing op's pairDots takes them: hM_i . h_j for q_i . k_j, and the unit rows' cosines
  const qk = itemProductsABt(hM, h32, n, N, d, N);
  const uu = itemProductsABt(unit, unit, n, N, d, N);
  for (let x = 0; x < n * N * N; x++) {
    cos[x] = uu[x];
    z0[x] = qk[x] * invSqrtD + lam * uu[x];
  }
  return { model, n, N, d, h: h32, hM, M, unit, norm, cos, z0, intr, stopL, rows: new Map() };
}

const interactionProducts = new WeakMap<object, { wk: object; M: Float32Array }>();

/**
 * M = Wq Wk^T [d, d], once per pair of weight values: a probe pass makes pieces of five encodings
 * of one model. Keyed by the tensors' data ids, not the tensors: the parameters are variables,
 * and training's `assign` gives a variable new data under the same object (adam.ts).
 */
function interactionProduct(Wq: tf.Tensor, Wk: tf.Tensor, d: number): Float32Array {
  const known = interactionProducts.get(Wq.dataId);
  if (known && known.wk === Wk.dataId) return known.M;
  const M = product([{ a: new Float32Array(hostView(Wq)), aStored: 'MK', b: transpose(new Float32Array(hostView(Wk)), d, d) }], d, d, d);
  interactionProducts.set(Wq.dataId, { wk: Wk.dataId, M });
  return M;
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
  const mask = maskRowsOf(P, opts.available);
  const availLogit = mask.availLogit;
  const rows = collabRowsOf(P, b, mask);
  const softZ = rows.softZ;
  let { logC, C, conn } = rows;
  if (override) {
    C = override.slice();
    logC = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) logC[i * N + j] = Math.log(C[i * N + j] + (i === j ? 1e-30 : 0));
    conn = connectivity(C, N);
  }
  const base = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const intr = P.intr[b * N + i];
    base[i] = parts === 'relational-only' ? conn[i] : parts === 'intrinsic-only' ? intr : intr + conn[i];
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

/** The rows cache of a mask (undefined: every expert available), made on first use. */
function maskRowsOf(P: RoutePieces, given: readonly boolean[] | undefined): MaskRows {
  const key = given ? maskKey(given) : 'all';
  let m = P.rows.get(key);
  if (!m) {
    const available = given ? [...given] : new Array<boolean>(P.N).fill(true);
    P.rows.set(key, (m = { available, availLogit: available.map((a) => (a ? 0 : MASKED)), perItem: new Array<CollabRows | undefined>(P.n) }));
  }
  return m;
}

/** Item b's rows of C under a mask (read-only; shared by every rollout of the item under that mask). */
function collabRowsOf(P: RoutePieces, b: number, mask: MaskRows): CollabRows {
  const known = mask.perItem[b];
  if (known) return known;
  const { N } = P;
  const Z = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) Z[i * N + j] = P.z0[(b * N + i) * N + j] + (i === j ? MASKED : 0) + mask.availLogit[j];
  const rows = collaborationRows(Z, N, [...mask.available]);
  return (mask.perItem[b] = { ...rows, conn: connectivity(rows.C, N) });
}

/** Each expert's connectivity 0.5 sum_j (C_ij + C_ji), in route-kernel.ts's order. */
function connectivity(C: Float64Array, N: number): Float64Array {
  const conn = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += C[i * N + j] + C[j * N + i];
    conn[i] = 0.5 * s;
  }
  return conn;
}

/** A mask as a string key (computed per rollout: a caller may reuse one array for other masks). */
function maskKey(available: readonly boolean[]): string {
  let k = '';
  for (const a of available) k += a ? '1' : '0';
  return k;
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
  // Wq k_j = h_j M^T and Wk q_j = h_j M (M = Wq Wk^T) of every item the rows read: h M is the
  // pieces' hM, h M^T one product per item, not per row
  const slot = new Map<number, number>();
  for (const b of items) if (!slot.has(b) && Number.isInteger(b) && b >= 0 && b < P.n) slot.set(b, slot.size);
  const hRows = new Float32Array(slot.size * N * d);
  const qW = new Float32Array(slot.size * N * d);
  for (const [b, s] of slot) {
    hRows.set(P.h.subarray(b * N * d, (b + 1) * N * d), s * N * d);
    qW.set(P.hM.subarray(b * N * d, (b + 1) * N * d), s * N * d);
  }
  const kW = slot.size ? product([{ a: hRows, aStored: 'MK', b: transpose(P.M, d, d) }], slot.size * N, d, d) : new Float32Array(0);
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
  // Per item, all its rows at once: [rows N, N] coefficient stacks times the item's [N, d] blocks,
  // every item's products in one batch (per-item calls cost more in setup than in arithmetic).
  const { unit, norm } = P;
  const itemRows = [...rowsOf];
  const jobs = itemRows.flatMap(([b, rows]) => {
    const m = rows.length * N;
    const stack = (c: Float32Array) => {
      const out = new Float32Array(m * N);
      rows.forEach((row, r) => out.set(c.subarray(row * N * N, (row + 1) * N * N), r * N * N));
      return out;
    };
    const wb = slot.get(b)! * N * d;
    const hb = b * N * d;
    return [
      { M: m, terms: [{ a: stack(coef.A), b: kW.subarray(wb, wb + N * d) }, { a: stack(coef.A2), b: qW.subarray(wb, wb + N * d) }] },
      { M: m, terms: [{ a: stack(coef.W), b: unit.subarray(hb, hb + N * d) }] },
    ];
  });
  // read straight from the kernel's output (a view valid inside the callback)
  batchedProducts(jobs, N, d, (products) => {
    let at = 0;
    for (const [b, rows] of itemRows) {
      addItemGradients(products, at, rows, b, unit, norm, gh, N, d);
      at += 2 * rows.length * N * d;
    }
  });
  const norms: number[][] = [];
  for (let row = 0; row < R; row++) {
    const v = new Array<number>(N);
    for (let i = 0; i < N; i++) v[i] = Math.sqrt(dotRows(gh, (row * N + i) * d, gh, (row * N + i) * d, d));
    norms.push(v);
  }
  return norms;
}

/**
 * sum_c x[xo + c] y[yo + c] for c < d in float64, as four interleaved sums (then the rest of d): a
 * quarter of one sum's chain of dependent adds, which bounds the loop. Rounding differs from one
 * sum at ~1e-16 relative (route-kernel.ts sums in one; test/probes/route-pieces.test.ts compares).
 */
function dotRows(x: Float32Array, xo: number, y: Float32Array, yo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < d; c += 4) {
    s0 += x[xo + c] * y[yo + c];
    s1 += x[xo + c + 1] * y[yo + c + 1];
    s2 += x[xo + c + 2] * y[yo + c + 2];
    s3 += x[xo + c + 3] * y[yo + c + 3];
  }
  for (; c < d; c++) s0 += x[xo + c] * y[yo + c];
  return s0 + s1 + (s2 + s3);
}

/**
 * Item b's rows' h-gradients from its two products at float offset `at` of `products` (acc, then
 * acc2, each [rows N, d]): gh_i += acc_i + (acc2_i - u_i (u_i . acc2_i)) / |h_i|. Its own function,
 * every array a parameter (as a closure over captured variables, the loop profiled slower).
 */
function addItemGradients(products: Float32Array, at: number, rows: readonly number[], b: number, unit: Float32Array, norm: Float64Array, gh: Float32Array, N: number, d: number): void {
  const m = rows.length * N;
  const hb = b * N * d;
  const a2 = at + m * d;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let i = 0; i < N; i++) {
      const ui = hb + i * d;
      const ai = (r * N + i) * d;
      const dot = dotRows(unit, ui, products, a2 + ai, d);
      const nm = norm[b * N + i];
      const gi = (row * N + i) * d;
      for (let c = 0; c < d; c++) gh[gi + c] += products[at + ai + c] + (products[a2 + ai + c] - unit[ui + c] * dot) / nm;
    }
  }
}
