/**
 * The utility ('exact-two-step') and distillation ('adapter-cosine') terms, the training
 * defaults, as ONE tfjs op with a hand-written backward pass. As tfjs ops (losses.ts's
 * exactTwoStepCorrectness and distillationPerItem) they were ~40 kernels forward and about three
 * times that in the backward pass and the gradient tape, which cost more than their arithmetic
 * (docs/performance.md). The definitions are losses.ts's; test/orchestrator/utility-kernel.test.ts
 * checks values and gradients of the two against each other. Arithmetic in float64.
 *
 *   utility       mean_b -log(E_b + 1e-6),
 *                 E_b = sum_i s~_i [ P(stop | i) c_i + sum_j P(j | i) P_ij ],  s~ = (1 - eps) s + eps / N,
 *                 P(. | i) = softmax over [base_j - 2 gamma + log C_ij (j < N), stop]
 *   distillation  sum_b hasOracle_b (1 - cos(sum_i q_i hA_i, hO)) / max(sum_b hasOracle_b, 1)
 *
 * Output: [2] = [utility, distillation].
 */
import { hostView, tf } from './backend';

export interface UtilityInputs {
  /** first-step distribution, [B, N] */
  s: tf.Tensor2D;
  /** selection scores without the successor term, [B, N] */
  baseScore: tf.Tensor2D;
  /** [B, N, N] */
  logC: tf.Tensor3D;
  /** [B] */
  stopLogit: tf.Tensor1D;
  /** distribution of the chain's final expert, [B, N] */
  finalDist: tf.Tensor2D;
  /** adapter representations of the responses, [B, N, d] */
  hAdapter: tf.Tensor3D;
  /** adapter representation of the oracle, [B, d] */
  hOracle: tf.Tensor2D;
}

export interface UtilityConstants {
  /** solo correctness c, [B, N] */
  correct: Float32Array;
  /** pair correctness P ("j after i"), [B, N, N] */
  pairCorrect: Float32Array;
  /** 1 where the item has an oracle, [B] */
  hasOracle: Float32Array;
  /** the per-position length penalty gamma */
  gamma: number;
  /** eps of the eps-greedy first step */
  exploration: number;
}

export function utilityDistillationKernel(x: UtilityInputs, k: UtilityConstants): tf.Tensor1D {
  const [B, N] = x.s.shape;
  const d = x.hAdapter.shape[2];
  const W = N + 1; // a softmax row: N successors and stop
  const eps = k.exploration;
  const forwardFn = (sT: tf.Tensor, baseT: tf.Tensor, logCT: tf.Tensor, stopT: tf.Tensor, qT: tf.Tensor, hAT: tf.Tensor, hOT: tf.Tensor) => {
    const s = new Float64Array(hostView(sT));
    const base = new Float64Array(hostView(baseT));
    const logC = new Float64Array(hostView(logCT));
    const stop = new Float64Array(hostView(stopT));
    const q = new Float64Array(hostView(qT));
    const hA = new Float64Array(hostView(hAT));
    const hO = new Float64Array(hostView(hOT));

    // Utility: the step-2 distributions after each first expert, and E per item.
    const p = new Float64Array(B * N * W);
    const afterFirst = new Float64Array(B * N);
    const E = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < N; i++) {
        const row = (b * N + i) * W;
        let max = stop[b];
        for (let j = 0; j < N; j++) max = Math.max(max, base[b * N + j] - 2 * k.gamma + logC[(b * N + i) * N + j]);
        let Z = 0;
        for (let j = 0; j < W; j++) {
          const l = j < N ? base[b * N + j] - 2 * k.gamma + logC[(b * N + i) * N + j] : stop[b];
          p[row + j] = Math.exp(l - max);
          Z += p[row + j];
        }
        let af = 0;
        for (let j = 0; j < W; j++) {
          p[row + j] /= Z;
          af += p[row + j] * (j < N ? k.pairCorrect[(b * N + i) * N + j] : k.correct[b * N + i]);
        }
        afterFirst[b * N + i] = af;
        E[b] += ((1 - eps) * s[b * N + i] + eps / N) * af;
      }
    }
    let utility = 0;
    for (let b = 0; b < B; b++) utility -= Math.log(E[b] + 1e-6) / B;

    // Distillation: cosine between the expected final representation and the oracle's.
    let nOracle = 0;
    for (let b = 0; b < B; b++) nOracle += k.hasOracle[b];
    const den = Math.max(nOracle, 1);
    const final = new Float64Array(B * d);
    const cos = new Float64Array(B);
    const nf = new Float64Array(B);
    const no = new Float64Array(B);
    let distillation = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < N; i++) {
        const qi = q[b * N + i];
        for (let c = 0; c < d; c++) final[b * d + c] += qi * hA[(b * N + i) * d + c];
      }
      let dot = 0;
      let ff = 0;
      let oo = 0;
      for (let c = 0; c < d; c++) {
        dot += final[b * d + c] * hO[b * d + c];
        ff += final[b * d + c] ** 2;
        oo += hO[b * d + c] ** 2;
      }
      nf[b] = Math.sqrt(ff + 1e-8);
      no[b] = Math.sqrt(oo + 1e-8);
      cos[b] = dot / (nf[b] * no[b]);
      distillation += (k.hasOracle[b] * (1 - cos[b])) / den;
    }

    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const [gU, gD] = Array.from(hostView(dy));
      const ds = new Float32Array(B * N);
      const dBase = new Float32Array(B * N);
      const dLogC = new Float32Array(B * N * N);
      const dStop = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        const dE = -gU / (B * (E[b] + 1e-6));
        for (let i = 0; i < N; i++) {
          const af = afterFirst[b * N + i];
          ds[b * N + i] = dE * (1 - eps) * af;
          const dAf = dE * ((1 - eps) * s[b * N + i] + eps / N);
          const row = (b * N + i) * W;
          for (let j = 0; j < W; j++) {
            const v = j < N ? k.pairCorrect[(b * N + i) * N + j] : k.correct[b * N + i];
            const dl = dAf * p[row + j] * (v - af); // softmax backward: p_j (v_j - sum_k p_k v_k)
            if (j < N) {
              dBase[b * N + j] += dl;
              dLogC[(b * N + i) * N + j] = dl;
            } else {
              dStop[b] += dl;
            }
          }
        }
      }
      const dq = new Float32Array(B * N);
      const dhA = new Float32Array(B * N * d);
      const dhO = new Float32Array(B * d);
      for (let b = 0; b < B; b++) {
        const g = (gD * k.hasOracle[b]) / den; // d distillation / d (1 - cos_b)
        if (g === 0) continue;
        const nn = nf[b] * no[b];
        const dFinal = new Float64Array(d);
        for (let c = 0; c < d; c++) {
          const f = final[b * d + c];
          const o = hO[b * d + c];
          dFinal[c] = -g * (o / nn - (cos[b] * f) / (nf[b] * nf[b]));
          dhO[b * d + c] = -g * (f / nn - (cos[b] * o) / (no[b] * no[b]));
        }
        for (let i = 0; i < N; i++) {
          const qi = q[b * N + i];
          let acc = 0;
          for (let c = 0; c < d; c++) {
            acc += dFinal[c] * hA[(b * N + i) * d + c];
            dhA[(b * N + i) * d + c] = qi * dFinal[c];
          }
          dq[b * N + i] = acc;
        }
      }
      return [tf.tensor2d(ds, [B, N]), tf.tensor2d(dBase, [B, N]), tf.tensor3d(dLogC, [B, N, N]), tf.tensor1d(dStop), tf.tensor2d(dq, [B, N]), tf.tensor3d(dhA, [B, N, d]), tf.tensor2d(dhO, [B, d])];
    };
    return { value: tf.tensor1d([utility, distillation]), gradFunc };
  };
  const op = tf.customGrad(forwardFn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor1D;
  return op(x.s, x.baseScore, x.logC, x.stopLogit, x.finalDist, x.hAdapter, x.hOracle);
}
