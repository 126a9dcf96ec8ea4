/**
 * The composite objective of Appendix C: eight terms, each returned on its own so a training
 * step can report all of them, and their weighted sum (weights from Table 4).
 *
 * Where the paper leaves a choice (all recorded in docs/decisions.md):
 *   utility       -log(E[correct] + 1e-6) for the final output of the rolled-out chain:
 *                 E = P(K=1) sum_j y_1j c_j + sum_{t>=2} P(K=t) sum_{i,j} y_{t-1,i} y_{t,j} P_ij,
 *                 c = solo correctness, P_ij = correctness of "j after i" (where a pair was not
 *                 generated, c_j stands in: with no pairs at all this is sum_j q_j c_j, the
 *                 solo-only utility). Each turn sees the task and the last response only
 *                 (Appendix E), so a chain's last pair decides its answer; longer chains are
 *                 approximated by their last pair here and run for real in evaluation.
 *   distillation  in the adapter space (Appendix C: the final expert's and the oracle's hidden
 *                 representations): 1 - cos(sum_i q_i h_i, h*), h = adapter outputs before the
 *                 backbone, h* = adapter(o*). The cosine is scale-free, so the adapter cannot
 *                 shrink to zero to cheat it (an MSE there could); 'adapter-mse' and the old
 *                 encoder-space 'encoder-mse' remain as options (TrainConfig.distillation)
 *   symmetry      ||C - C^T||_F^2
 *   sparsity      mean over rows of the entropy of C's rows
 *   oracle        mean_{i!=j} (C_ij - cos((o_i+o_j)/2, o*))^2 + mean_i (s_i - cos(o_i, o*))^2
 *   diversity     - mean_i var_b(u_bi), u_bi = s_bi if expert i is among item b's top-k, else 0:
 *                 minus the variance of top-k usage across the batch (SPEC.md), so routing that
 *                 sends every item to the same persistent expert is penalised and per-item
 *                 routing is rewarded (the paper's sign, with the variance taken over items)
 *   selection     mean over steps of the entropy of P(expert | chain continues)
 *   length        alpha * E[K], alpha = 1/N by default
 * Items without an oracle encoding contribute 0 to the two oracle terms, which are averaged
 * over the items that have one.
 */
import { hostView, tf } from './backend';
import { oracleTargetsHost, structureTermsKernel, type OracleTargets, type STRUCTURE_TERMS } from './loss-kernel';
import { utilityDistillationKernel } from './utility-kernel';
import type { LossWeights } from './config';
import type { ForwardCache } from './model';

export const LOSS_NAMES = ['utility', 'distillation', 'symmetry', 'sparsity', 'oracle', 'diversity', 'selection', 'length'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** Per-item supervision for a batch. */
export interface LossTargets {
  /** graded correctness of each expert's response, 0/1, [B, N] */
  correct: tf.Tensor2D;
  /** correctness of "j after i", [B, N, N] (c_j where not generated; see RoutingBatch); absent: solo only */
  pairCorrect?: tf.Tensor3D;
  /** expert response encodings in the encoder's space, [B, N, D] */
  outputs: tf.Tensor3D;
  /** oracle encodings o*, [B, D] (rows of items without an oracle are ignored) */
  oracle: tf.Tensor2D;
  /** 1 where the item has an oracle encoding, [B] */
  hasOracle: tf.Tensor1D;
}

/** Settings that vary during training. */
export interface LossSettings {
  weights: LossWeights;
  /** the adaptive top-k: how many of each item's top experts count as "used" in the diversity term */
  topK: number;
  /** alpha of the length term */
  lengthAlpha: number;
  /** distillation form (default 'adapter-cosine') */
  distillation?: DistillationMode;
  /** how the utility's expected correctness is computed (default 'rollout'; see UtilityMode) */
  utility?: UtilityMode;
  /** the model's per-position penalty gamma (ModelConfig.lengthPenalty), which 'exact-two-step' needs */
  lengthPenalty?: number;
  /** eps of the eps-greedy first step in 'exact-two-step' (default 0; exactTwoStepCorrectness) */
  exploration?: number;
  /** the batch's oracle targets when already known (oracleTargetsOfItems); default: computed from the targets */
  oracleTargets?: OracleTargets;
}

/**
 * 'rollout': E[correct] along the one sampled rollout, through its relaxed selections (the
 * header's formula). Step 2 reads the row of C of the expert sampled at step 1 only, so a row
 * gets a utility gradient only in the steps where its expert happens to be drawn first.
 * 'exact-two-step': the exact expectation over every chain of one or two experts under the
 * model's own distributions (exactTwoStepCorrectness), so every row of C is scored every step.
 * 'expected-chain': the expectation over chains of every length up to N, as inference runs them
 * (expectedChainCorrectnessExact): no chain is "free" past its second expert.
 */
export type UtilityMode = 'rollout' | 'exact-two-step' | 'expected-chain';

export type DistillationMode = 'adapter-cosine' | 'adapter-mse' | 'encoder-mse';

/** The weighted total and every term (unweighted), all scalars. */
export interface LossResult {
  total: tf.Scalar;
  terms: Record<LossName, tf.Scalar>;
  /** the eight terms as one vector [8], in LOSS_NAMES order */
  vector: tf.Tensor1D;
}

/** Entropy along the last axis of probabilities given with their logs (0 * log 0 counts as 0). */
function entropyFromLog(logp: tf.Tensor): tf.Tensor {
  return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1));
}

/**
 * Appendix C's oracle targets: C_oracle_ij = cos((o_i + o_j)/2, o*) [B, N, N] (diagonal unused)
 * and pi_oracle_i = cos(o_i, o*) [B, N]. Computed from dot products (|o_i + o_j|^2 =
 * |o_i|^2 + |o_j|^2 + 2 o_i.o_j) instead of materialising the N x N midpoints in D dimensions.
 */
export function oracleTargets(outputs: tf.Tensor3D, oracle: tf.Tensor2D): { cOracle: tf.Tensor3D; piOracle: tf.Tensor2D } {
  return tf.tidy(() => {
    const star = oracle.expandDims(2); // [B, D, 1]
    const dots = tf.matMul(outputs, star).squeeze([2]); // o_i . o*, [B, N]
    const gram = tf.matMul(outputs, outputs, false, true); // o_i . o_j, [B, N, N]
    const sq = tf.sum(tf.square(outputs), -1); // |o_i|^2, [B, N]
    const starNorm = tf.sqrt(tf.add(tf.sum(tf.square(oracle), -1), 1e-8)).expandDims(1); // [B, 1]
    const midSq = tf.div(tf.add(tf.add(sq.expandDims(2), sq.expandDims(1)), tf.mul(2, gram)), 4);
    const midDot = tf.div(tf.add(dots.expandDims(2), dots.expandDims(1)), 2);
    const cOracle = tf.div(midDot, tf.mul(tf.sqrt(tf.add(midSq, 1e-8)), starNorm.expandDims(2))) as tf.Tensor3D;
    const piOracle = tf.div(dots, tf.mul(tf.sqrt(tf.add(sq, 1e-8)), starNorm)) as tf.Tensor2D;
    return { cOracle, piOracle };
  });
}

/** Mean of `perItem` [B] over items where `weight` [B] is 1; 0 when no item qualifies. */
function maskedMean(perItem: tf.Tensor, weight: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(perItem, weight)), tf.maximum(tf.sum(weight), 1)) as tf.Scalar;
}

/** 1 where an entry is among its row's k largest (ties at the k-th value all count), else 0. */
export function topKMembership(values: Float32Array, rows: number, cols: number, k: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(values.subarray(r * cols, (r + 1) * cols));
    const kth = row.slice().sort((a, b) => b - a)[k - 1];
    row.forEach((x, c) => (out[r * cols + c] = x >= kth ? 1 : 0));
  }
  return out;
}

/** The distillation distance per item [B] between the expected final expert and the oracle. */
function distillationPerItem(cache: Pick<ForwardCache, 'finalDist' | 'hAdapter' | 'hOracle'>, targets: LossTargets, mode: DistillationMode): tf.Tensor {
  const q = cache.finalDist.expandDims(2);
  if (mode === 'encoder-mse') return tf.mean(tf.square(tf.sub(targets.oracle, tf.sum(tf.mul(q, targets.outputs), 1))), -1);
  if (!cache.hOracle) throw new Error(`compositeLoss: distillation '${mode}' needs the oracle's adapter representation (call forward with inputs.oracle)`);
  const final = tf.sum(tf.mul(q, cache.hAdapter), 1); // [B, d]
  if (mode === 'adapter-mse') return tf.mean(tf.square(tf.sub(cache.hOracle, final)), -1);
  const dot = tf.sum(tf.mul(final, cache.hOracle), -1);
  const norms = tf.mul(tf.sqrt(tf.add(tf.sum(tf.square(final), -1), 1e-8)), tf.sqrt(tf.add(tf.sum(tf.square(cache.hOracle), -1), 1e-8)));
  return tf.sub(1, tf.div(dot, norms));
}

/**
 * Expected correctness of the chain's final output, per item [B], differentiable through the
 * relaxed selections y_t and the halting distribution (see the header).
 */
export function expectedChainCorrectness(cache: Pick<ForwardCache, 'relaxedSelection' | 'halting' | 'finalDist'>, correct: tf.Tensor2D, pairCorrect?: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const k = cache.halting.shape[1];
    if (!pairCorrect || k === 1) return tf.sum(tf.mul(cache.finalDist, correct), -1) as tf.Tensor1D;
    const y = cache.relaxedSelection; // [B, k, N]
    const solo = tf.sum(tf.mul(y.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]), correct), -1); // [B]
    const prev = y.slice([0, 0, 0], [-1, k - 1, -1]); // y_1..y_{k-1}
    const next = y.slice([0, 1, 0], [-1, k - 1, -1]); // y_2..y_k
    const viaPairs = tf.sum(tf.mul(tf.matMul(prev, pairCorrect), next), -1); // [B, k-1]: y_{t-1}^T P y_t
    const halting = cache.halting;
    const first = tf.mul(halting.slice([0, 0], [-1, 1]).squeeze([1]), solo);
    const later = tf.sum(tf.mul(halting.slice([0, 1], [-1, k - 1]), viaPairs), -1);
    return tf.add(first, later) as tf.Tensor1D;
  });
}

/**
 * Exact expected correctness over chains of one or two experts, per item [B]:
 *   E = sum_i s_i [ P(stop | i) c_i + sum_j P(j | i) P_ij ],
 * where s is the first-step distribution and, after expert i, the second step is the joint
 * softmax over [l_i1..l_iN, stop] with l_ij = base_j - 2 gamma + log C_ij (the rollout's own
 * step-2 logits; C's diagonal is masked, so j != i). A chain that goes on past two experts is
 * scored by its pair (i, j): each turn sees only the last response (Appendix E) and the pair
 * table is what was generated. No sampling: every row of C and the stop head get their exact
 * gradient at every step. Assumes every expert is available (training masks none).
 * `exploration` = eps takes the expectation under the eps-greedy first step (1 - eps) s + eps/N:
 * the utility of a policy that tries every first expert now and then, so the rows of C keep a
 * gradient of at least eps/N even after s has settled on one first expert.
 */
export function exactTwoStepCorrectness(cache: Pick<ForwardCache, 's' | 'baseScore' | 'logC' | 'stopLogit'>, correct: tf.Tensor2D, pairCorrect: tf.Tensor3D, gamma: number, exploration = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const [B, N] = cache.s.shape;
    const second = tf.add(tf.sub(cache.baseScore.expandDims(1), 2 * gamma), cache.logC); // l_ij, [B, N, N]
    const stop = tf.broadcastTo(cache.stopLogit.reshape([B, 1, 1]), [B, N, 1]);
    const probs = tf.softmax(tf.concat([second, stop], 2), -1); // [B, N, N + 1]
    const pNext = probs.slice([0, 0, 0], [-1, -1, N]); // P(j | i), [B, N, N]
    const pStop = probs.slice([0, 0, N], [-1, -1, 1]).squeeze([2]); // P(stop | i), [B, N]
    const afterFirst = tf.add(tf.mul(pStop, correct), tf.sum(tf.mul(pNext, pairCorrect), -1)); // [B, N]
    const first = exploration > 0 ? tf.add(tf.mul(1 - exploration, cache.s), exploration / N) : cache.s;
    return tf.sum(tf.mul(first, afterFirst), -1) as tf.Tensor1D;
  });
}

/**
 * Expected correctness of the chain's final output over chains of every length 1..N, per item
 * [B], by a forward pass over the last expert (a Markov chain on it):
 *   m_1 = s~ (the eps-greedy first step), and at step t >= 2 after expert i:
 *   P_t(. | i) = softmax over [base_j - gamma t + log C_ij (j != i), stop]  (the rollout's logits),
 *   E = sum_i m_1(i) P_2(stop | i) c_i
 *     + sum_{t=2..N} sum_{i,j} m_{t-1}(i) P_t(j | i) P_{t+1}(stop | j) P_ij   (P_{N+1}(stop) = 1),
 *   m_t(j) = sum_i m_{t-1}(i) P_t(j | i).
 * The answer of a chain is its last pair's (Appendix E: each turn sees the last response only).
 * Exact except that an expert left two or more steps back may come again (inference forbids it);
 * unlike 'exact-two-step', a chain that goes on past two experts is scored by the pair it ends on.
 */
export function expectedChainCorrectnessExact(cache: Pick<ForwardCache, 's' | 'baseScore' | 'logC' | 'stopLogit'>, correct: tf.Tensor2D, pairCorrect: tf.Tensor3D, gamma: number, exploration = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const [B, N] = cache.s.shape;
    const stop = tf.broadcastTo(cache.stopLogit.reshape([B, 1, 1]), [B, N, 1]);
    // P_t(. | i) for t = 2..N+1 (the last only for its stop column, which is 1 at the horizon)
    const stepProbs = (t: number) => tf.softmax(tf.concat([tf.add(tf.sub(cache.baseScore.expandDims(1), gamma * t), cache.logC), stop], 2), -1);
    const stopOf = (probs: tf.Tensor) => probs.slice([0, 0, N], [-1, -1, 1]).squeeze([2]); // [B, N]
    let m: tf.Tensor = exploration > 0 ? tf.add(tf.mul(1 - exploration, cache.s), exploration / N) : cache.s;
    let probs = stepProbs(2);
    let e: tf.Tensor = tf.sum(tf.mul(tf.mul(m, stopOf(probs)), correct), -1);
    for (let t = 2; t <= N; t++) {
      const trans = tf.mul(m.expandDims(2), probs.slice([0, 0, 0], [-1, -1, N])); // m_{t-1}(i) P_t(j | i)
      const next = t < N ? stepProbs(t + 1) : null;
      const stopAfter = next ? stopOf(next) : tf.onesLike(m); // [B, N] over j
      e = tf.add(e, tf.sum(tf.mul(tf.mul(trans, pairCorrect), stopAfter.expandDims(1)), [1, 2]));
      m = tf.sum(trans, 1);
      if (next) probs = next;
    }
    return e as tf.Tensor1D;
  });
}

/** All eight terms and their weighted sum for one batch. */
export function compositeLoss(
  cache: Pick<ForwardCache, 'C' | 'logC' | 'finalDist' | 's' | 'expertLogProbs' | 'expectedLength' | 'hAdapter' | 'hOracle' | 'relaxedSelection' | 'halting' | 'baseScore' | 'stopLogit' | 'steps'>,
  targets: LossTargets,
  settings: LossSettings,
): LossResult {
  const { s } = cache;
  const [B, N] = s.shape;

  const mode = settings.utility ?? 'rollout';
  const distillationMode = settings.distillation ?? 'adapter-cosine';
  const twoStep = mode === 'exact-two-step' && targets.pairCorrect && cache.steps > 1;
  let utilityAndDistillation: tf.Tensor1D;
  if (twoStep && distillationMode === 'adapter-cosine' && cache.hOracle) {
    // The training defaults as one hand-differentiated op (utility-kernel.ts; the same arithmetic
    // as the branch below, tested equal).
    utilityAndDistillation = utilityDistillationKernel(
      { s, baseScore: cache.baseScore, logC: cache.logC, stopLogit: cache.stopLogit, finalDist: cache.finalDist, hAdapter: cache.hAdapter, hOracle: cache.hOracle },
      { correct: hostView(targets.correct).slice(), pairCorrect: hostView(targets.pairCorrect!).slice(), hasOracle: hostView(targets.hasOracle).slice(), gamma: settings.lengthPenalty ?? 0, exploration: settings.exploration ?? 0 },
    );
  } else {
    utilityAndDistillation = utilityAndDistillationByOps(cache, targets, settings);
  }

  // The six terms that read only routed quantities run as one hand-differentiated op
  // (loss-kernel.ts); structureTermsByOps below is the same arithmetic op by op (tested equal).
  const k = Math.max(1, Math.min(settings.topK, N));
  const { cOracle, piOracle } = settings.oracleTargets ?? oracleTargetsHost(targets.outputs, targets.oracle);
  const inTopK = topKMembership(hostView(s).slice(), B, N, k); // a constant: no gradient through membership
  const structure = structureTermsKernel(cache, { cOracle, piOracle, hasOracle: hostView(targets.hasOracle).slice(), inTopK, lengthAlpha: settings.lengthAlpha });

  const vector = tf.concat([utilityAndDistillation, structure]) as tf.Tensor1D; // LOSS_NAMES order
  const w = settings.weights;
  const total = tf.sum(tf.mul(vector, tf.tensor1d(LOSS_NAMES.map((n) => w[n])))) as tf.Scalar;
  const parts = tf.unstack(vector) as tf.Scalar[]; // one kernel for the eight scalars
  const terms = Object.fromEntries(LOSS_NAMES.map((n, i) => [n, parts[i]])) as Record<LossName, tf.Scalar>;
  return { total, terms, vector };
}

/**
 * [utility, distillation] op by op with tfjs's autodiff, for every utility and distillation mode:
 * what compositeLoss runs outside the defaults, and the reference utility-kernel.ts is tested
 * against.
 */
export function utilityAndDistillationByOps(
  cache: Pick<ForwardCache, 'finalDist' | 'hAdapter' | 'hOracle' | 'relaxedSelection' | 'halting' | 's' | 'baseScore' | 'logC' | 'stopLogit' | 'steps'>,
  targets: LossTargets,
  settings: Pick<LossSettings, 'utility' | 'distillation' | 'lengthPenalty' | 'exploration'>,
): tf.Tensor1D {
  const mode = settings.utility ?? 'rollout';
  const expectedCorrect =
    mode !== 'rollout' && targets.pairCorrect && cache.steps > 1
      ? mode === 'exact-two-step'
        ? exactTwoStepCorrectness(cache, targets.correct, targets.pairCorrect, settings.lengthPenalty ?? 0, settings.exploration ?? 0)
        : expectedChainCorrectnessExact(cache, targets.correct, targets.pairCorrect, settings.lengthPenalty ?? 0, settings.exploration ?? 0)
      : expectedChainCorrectness(cache, targets.correct, targets.pairCorrect);
  const utility = tf.mean(tf.neg(tf.log(tf.add(expectedCorrect, 1e-6))));
  const distillation = maskedMean(distillationPerItem(cache, targets, settings.distillation ?? 'adapter-cosine'), targets.hasOracle);
  return tf.stack([utility, distillation]) as tf.Tensor1D;
}

/**
 * Symmetry, sparsity, oracle alignment, diversity, selection entropy and length, op by op with
 * tfjs's autodiff: the reference the fused op (loss-kernel.ts) is tested against.
 */
export function structureTermsByOps(
  cache: Pick<ForwardCache, 'C' | 'logC' | 's' | 'expertLogProbs' | 'expectedLength'>,
  targets: Pick<LossTargets, 'outputs' | 'oracle' | 'hasOracle'>,
  settings: Pick<LossSettings, 'topK' | 'lengthAlpha'>,
): Record<(typeof STRUCTURE_TERMS)[number], tf.Scalar> {
  const { C, logC, s } = cache;
  const [B, N] = s.shape;
  const symmetry = tf.mean(tf.sum(tf.square(tf.sub(C, tf.transpose(C, [0, 2, 1]))), [1, 2])) as tf.Scalar;
  const sparsity = tf.mean(entropyFromLog(logC)) as tf.Scalar;
  const { cOracle, piOracle } = oracleTargets(targets.outputs, targets.oracle);
  const offDiag = tf.sub(1, tf.eye(N));
  const cTerm = tf.div(tf.sum(tf.mul(tf.square(tf.sub(C, cOracle)), offDiag), [1, 2]), N * (N - 1));
  const piTerm = tf.mean(tf.square(tf.sub(s, piOracle)), -1);
  const oracle = maskedMean(tf.add(cTerm, piTerm), targets.hasOracle);
  const k = Math.max(1, Math.min(settings.topK, N));
  const inTopK = tf.tensor2d(topKMembership(s.dataSync() as Float32Array, B, N, k), [B, N]);
  const usage = tf.mul(s, inTopK); // [B, N]
  const diversity = tf.neg(tf.mean(tf.moments(usage, 0).variance)) as tf.Scalar;
  const selection = tf.mean(entropyFromLog(cache.expertLogProbs)) as tf.Scalar;
  const length = tf.mul(settings.lengthAlpha, tf.mean(cache.expectedLength)) as tf.Scalar;
  return { symmetry, sparsity, oracle, diversity, selection, length };
}
