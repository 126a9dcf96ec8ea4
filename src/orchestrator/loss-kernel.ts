/**
 * Six of the eight loss terms (symmetry, sparsity, oracle alignment, diversity, selection
 * entropy, length), which read only routed quantities (C, log C, s, the per-step expert
 * log-probabilities, E[K]) and constants, as ONE tfjs op with a hand-written backward pass: as
 * tfjs ops they were ~80 kernels forward and ~250 more in the backward pass and the gradient tape
 * (docs/performance.md). The definitions are losses.ts's (see its header); `structureTermsByOps`
 * in losses.ts keeps them op by op and test/orchestrator/loss-kernel.test.ts checks values and
 * gradients of the two against each other. Utility and distillation stay tfjs ops in losses.ts.
 *
 * Output: [6] in STRUCTURE_TERMS order, unweighted.
 */
import { hostView, tf } from './backend';

export const STRUCTURE_TERMS = ['symmetry', 'sparsity', 'oracle', 'diversity', 'selection', 'length'] as const;

export interface StructureInputs {
  /** [B, N, N] */
  C: tf.Tensor3D;
  /** [B, N, N] */
  logC: tf.Tensor3D;
  /** [B, N] */
  s: tf.Tensor2D;
  /** [B, k, N] */
  expertLogProbs: tf.Tensor3D;
  /** [B] */
  expectedLength: tf.Tensor1D;
}

export interface StructureConstants {
  /** Appendix C's oracle targets: C_oracle [B, N, N], pi_oracle [B, N] (host arrays) */
  cOracle: Float32Array;
  piOracle: Float32Array;
  /** 1 where the item has an oracle, [B] */
  hasOracle: Float32Array;
  /** top-k membership of s (1/0), [B, N] */
  inTopK: Float32Array;
  lengthAlpha: number;
}

/** -sum_j exp(l_j) l_j over rows of `l` (0 log 0 = 0, as exp(-1e9) is exactly 0). */
function rowEntropies(l: Float64Array, rows: number, n: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) total -= Math.exp(l[r * n + j]) * l[r * n + j];
  return total;
}

export function structureTermsKernel(x: StructureInputs, k: StructureConstants): tf.Tensor1D {
  const [B, N] = x.s.shape;
  const K = x.expertLogProbs.shape[1];
  const NN = N * N;
  const forwardFn = (CT: tf.Tensor, logCT: tf.Tensor, sT: tf.Tensor, elpT: tf.Tensor, ekT: tf.Tensor) => {
    const C = new Float64Array(hostView(CT));
    const logC = new Float64Array(hostView(logCT));
    const s = new Float64Array(hostView(sT));
    const elp = new Float64Array(hostView(elpT));
    const ek = new Float64Array(hostView(ekT));
    let nOracle = 0;
    for (let b = 0; b < B; b++) nOracle += k.hasOracle[b];
    const oracleDen = Math.max(nOracle, 1);

    let symmetry = 0;
    let oracle = 0;
    for (let b = 0; b < B; b++) {
      let cTerm = 0;
      let piTerm = 0;
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const c = C[b * NN + i * N + j];
          symmetry += (c - C[b * NN + j * N + i]) ** 2;
          if (i !== j) cTerm += (c - k.cOracle[b * NN + i * N + j]) ** 2;
        }
        piTerm += (s[b * N + i] - k.piOracle[b * N + i]) ** 2;
      }
      oracle += k.hasOracle[b] * (cTerm / (N * (N - 1)) + piTerm / N);
    }
    const usage = new Float64Array(B * N);
    const meanUsage = new Float64Array(N);
    for (let x2 = 0; x2 < B * N; x2++) {
      usage[x2] = s[x2] * k.inTopK[x2];
      meanUsage[x2 % N] += usage[x2] / B;
    }
    let variance = 0;
    for (let x2 = 0; x2 < B * N; x2++) variance += (usage[x2] - meanUsage[x2 % N]) ** 2 / B;
    let length = 0;
    for (let b = 0; b < B; b++) length += ek[b];
    const terms = [symmetry / B, rowEntropies(logC, B * N, N) / (B * N), oracle / oracleDen, -variance / N, rowEntropies(elp, B * K, N) / (B * K), (k.lengthAlpha * length) / B];

    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const [gSym, gSpa, gOra, gDiv, gSel, gLen] = Array.from(hostView(dy));
      const dC = new Float32Array(B * NN);
      const dLogC = new Float32Array(B * NN);
      const ds = new Float32Array(B * N);
      const dElp = new Float32Array(B * K * N);
      const dEk = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        const w = (gOra * k.hasOracle[b]) / oracleDen;
        for (let i = 0; i < N; i++) {
          for (let j = 0; j < N; j++) {
            const at = b * NN + i * N + j;
            let g = (gSym * 4 * (C[at] - C[b * NN + j * N + i])) / B;
            if (i !== j) g += (w * 2 * (C[at] - k.cOracle[at])) / (N * (N - 1));
            dC[at] = g;
            dLogC[at] = (-gSpa * Math.exp(logC[at]) * (1 + logC[at])) / (B * N);
          }
          const bi = b * N + i;
          ds[bi] = (w * 2 * (s[bi] - k.piOracle[bi])) / N - ((gDiv * 2) / (N * B)) * (usage[bi] - meanUsage[i]) * k.inTopK[bi];
        }
        dEk[b] = (gLen * k.lengthAlpha) / B;
      }
      for (let x2 = 0; x2 < B * K * N; x2++) dElp[x2] = (-gSel * Math.exp(elp[x2]) * (1 + elp[x2])) / (B * K);
      return [tf.tensor3d(dC, [B, N, N]), tf.tensor3d(dLogC, [B, N, N]), tf.tensor2d(ds, [B, N]), tf.tensor3d(dElp, [B, K, N]), tf.tensor1d(dEk)];
    };
    return { value: tf.tensor1d(terms), gradFunc };
  };
  const op = tf.customGrad(forwardFn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor1D;
  return op(x.C, x.logC, x.s, x.expertLogProbs, x.expectedLength);
}

/** Appendix C's oracle targets of a batch: C_oracle [B, N, N] and pi_oracle [B, N]. */
export interface OracleTargets {
  cOracle: Float32Array;
  piOracle: Float32Array;
}

/**
 * Appendix C's oracle targets on the host: C_oracle_ij = cos((o_i + o_j)/2, o*) and
 * pi_oracle_i = cos(o_i, o*), from dot products (as losses.ts's oracleTargets).
 */
export function oracleTargetsHost(outputs: tf.Tensor3D, oracle: tf.Tensor2D): OracleTargets {
  const [B, N, D] = outputs.shape;
  const o = hostView(outputs).slice();
  const star = hostView(oracle).slice();
  const cOracle = new Float32Array(B * N * N);
  const piOracle = new Float32Array(B * N);
  for (let b = 0; b < B; b++) {
    const one = oracleTargetsOfItem(o.subarray(b * N * D, (b + 1) * N * D), star.subarray(b * D, (b + 1) * D), N, D);
    cOracle.set(one.cOracle, b * N * N);
    piOracle.set(one.piOracle, b * N);
  }
  return { cOracle, piOracle };
}

const itemTargets = new WeakMap<object, OracleTargets>();

/**
 * The oracle targets of a batch of items, each item's computed once and remembered (they depend
 * only on its encodings, which training never changes): the same values as oracleTargetsHost on
 * toBatch(items), without its ~N^2 D multiply-adds per item every step. An item without an oracle
 * gets the targets of a zero oracle encoding, as toBatch gives it.
 */
export function oracleTargetsOfItems(items: Array<{ outputs: Float32Array[]; oracle: Float32Array | null }>, D: number): OracleTargets {
  const N = items[0].outputs.length;
  const cOracle = new Float32Array(items.length * N * N);
  const piOracle = new Float32Array(items.length * N);
  items.forEach((it, b) => {
    let t = itemTargets.get(it);
    if (!t) {
      const o = new Float32Array(N * D);
      it.outputs.forEach((x, i) => o.set(x, i * D));
      t = oracleTargetsOfItem(o, it.oracle ?? new Float32Array(D), N, D);
      itemTargets.set(it, t);
    }
    cOracle.set(t.cOracle, b * N * N);
    piOracle.set(t.piOracle, b * N);
  });
  return { cOracle, piOracle };
}

/** One item's targets from its N response encodings o [N, D] and its oracle encoding star [D]. */
function oracleTargetsOfItem(o: Float32Array, star: Float32Array, N: number, D: number): OracleTargets {
  const cOracle = new Float32Array(N * N);
  const piOracle = new Float32Array(N);
  const dots = new Float64Array(N);
  const sq = new Float64Array(N);
  let ss = 0;
  for (let c = 0; c < D; c++) ss += star[c] * star[c];
  const starNorm = Math.sqrt(ss + 1e-8);
  for (let i = 0; i < N; i++) {
    let d1 = 0;
    let d2 = 0;
    for (let c = 0; c < D; c++) {
      const v = o[i * D + c];
      d1 += v * star[c];
      d2 += v * v;
    }
    dots[i] = d1;
    sq[i] = d2;
    piOracle[i] = d1 / (Math.sqrt(d2 + 1e-8) * starNorm);
  }
  // The Gram matrix is symmetric (and its diagonal is sq): one dot product per pair i < j.
  for (let i = 0; i < N; i++) {
    const oi = i * D;
    for (let j = i; j < N; j++) {
      let g = sq[i];
      if (j !== i) {
        const oj = j * D;
        let g0 = 0;
        let g1 = 0;
        let c = 0;
        for (; c + 1 < D; c += 2) {
          g0 += o[oi + c] * o[oj + c];
          g1 += o[oi + c + 1] * o[oj + c + 1];
        }
        for (; c < D; c++) g0 += o[oi + c] * o[oj + c];
        g = g0 + g1;
      }
      const midSq = (sq[i] + sq[j] + 2 * g) / 4;
      const value = (dots[i] + dots[j]) / 2 / (Math.sqrt(midSq + 1e-8) * starNorm);
      cOracle[i * N + j] = value;
      cOracle[j * N + i] = value;
    }
  }
  return { cOracle, piOracle };
}
