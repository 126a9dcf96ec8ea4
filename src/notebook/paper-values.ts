/**
 * Numbers printed in the paper (shared/seeds/002, "Disentangling Causal Importance from Emergent
 * Structure in Multi-Expert Orchestration"), transcribed so the notebooks can put the paper's
 * value beside the workbench's. They are the paper's measurements on real LLM consortia, never
 * inputs of any computation here.
 */

/** Table 2: start distribution s(x) per expert (1..10) over epochs 1..5, HumanEval, homogeneous consortium. */
export const PAPER_TABLE2_HUMANEVAL: readonly (readonly number[])[] = [
  [0.064, 0.045, 0.006, 0.036, 0.065],
  [0.169, 0.227, 0.163, 0.078, 0.039],
  [0.158, 0.085, 0.157, 0.071, 0.354],
  [0.204, 0.201, 0.086, 0.096, 0.02],
  [0.029, 0.036, 0.048, 0.085, 0.041],
  [0.126, 0.177, 0.081, 0.126, 0.053],
  [0.003, 0.01, 0.053, 0.031, 0.055],
  [0.068, 0.007, 0.192, 0.186, 0.303],
  [0.046, 0.029, 0.063, 0.117, 0.024],
  [0.128, 0.181, 0.144, 0.166, 0.044],
];

export interface PaperCorrelationRow {
  epoch: number;
  rho: number;
  pValue: number;
  tau: number;
}

/** Table 10: Spearman rho (two-sided p) and Kendall tau between routing mass and intrinsic importance, N = 10. */
export const PAPER_TABLE10: Readonly<Record<'mmlu' | 'gsm8k' | 'humaneval', readonly PaperCorrelationRow[]>> = {
  mmlu: [
    { epoch: 1, rho: 0.285, pValue: 0.425, tau: 0.2 },
    { epoch: 2, rho: 0.648, pValue: 0.043, tau: 0.467 },
    { epoch: 3, rho: 0.345, pValue: 0.328, tau: 0.244 },
    { epoch: 4, rho: 0.152, pValue: 0.676, tau: 0.156 },
    { epoch: 5, rho: 0.261, pValue: 0.467, tau: 0.156 },
  ],
  gsm8k: [
    { epoch: 1, rho: 0.467, pValue: 0.174, tau: 0.378 },
    { epoch: 2, rho: 0.382, pValue: 0.276, tau: 0.244 },
    { epoch: 3, rho: 0.455, pValue: 0.187, tau: 0.333 },
    { epoch: 4, rho: 0.467, pValue: 0.174, tau: 0.333 },
    { epoch: 5, rho: 0.43, pValue: 0.215, tau: 0.333 },
  ],
  humaneval: [
    { epoch: 1, rho: 0.212, pValue: 0.556, tau: 0.156 },
    { epoch: 2, rho: 0.152, pValue: 0.675, tau: 0.09 },
    { epoch: 3, rho: 0.188, pValue: 0.603, tau: 0.111 },
    { epoch: 4, rho: 0.322, pValue: 0.364, tau: 0.225 },
    { epoch: 5, rho: 0.261, pValue: 0.467, tau: 0.156 },
  ],
};

/** Table 9: accuracy (%) of the orchestrated three-model consortium per epoch, and the single models. */
export const PAPER_TABLE9 = {
  singles: { 'LLaMA 3.1 8B': { mmlu: 34.2, gsm8k: 66.6, humaneval: 60.0 }, 'Qwen3 8B': { mmlu: 77.4, gsm8k: 89.6, humaneval: 67.0 }, 'DeepSeek-R1 8B': { mmlu: 78.2, gsm8k: 90.0, humaneval: 72.4 } },
  orchestrated: [
    { epoch: 1, mmlu: 61.1, gsm8k: 69.1, humaneval: 67.0 },
    { epoch: 2, mmlu: 67.3, gsm8k: 71.2, humaneval: 84.1 },
    { epoch: 3, mmlu: 77.1, gsm8k: 72.7, humaneval: 85.9 },
    { epoch: 4, mmlu: 77.1, gsm8k: 89.6, humaneval: 87.1 },
    { epoch: 5, mmlu: 82.7, gsm8k: 94.0, humaneval: 88.4 },
  ],
} as const;

/**
 * Section 4.1 / Figure 3 in words (the figure prints no numbers): the perturbation that moves
 * routing most per task, and that routing sensitivity is highest in early epochs.
 */
export const PAPER_FIGURE3_TOP: Readonly<Record<'gsm8k' | 'mmlu' | 'humaneval', string>> = {
  gsm8k: 'remove-numbers',
  mmlu: 'shuffle-sentences',
  humaneval: 'shuffle-sentences',
};

/** Table 8: masking the top-intrinsic expert, mean KL ± 95% CI over training epochs (HumanEval: real homogeneous consortium). */
export const PAPER_TABLE8: Readonly<Record<'mmlu' | 'gsm8k' | 'humaneval', { klSequence: number; klSequenceCi95: number; klRouting: number; klRoutingCi95: number }>> = {
  mmlu: { klSequence: 0.428, klSequenceCi95: 0.072, klRouting: 2.366, klRoutingCi95: 0.497 },
  gsm8k: { klSequence: 0.905, klSequenceCi95: 0.161, klRouting: 1.377, klRoutingCi95: 0.39 },
  humaneval: { klSequence: 0.851, klSequenceCi95: 0.191, klRouting: 0.3, klRoutingCi95: 0.184 },
};

/** Table 11: routing KL (mean ± sd over epochs) masking the top-intrinsic vs the most frequently routed expert, paired by epoch. */
export const PAPER_TABLE11: Readonly<Record<'mmlu' | 'gsm8k' | 'humaneval', { intrinsic: number; intrinsicSd: number; frequent: number; frequentSd: number; wilcoxonP: number; tTestP: number }>> = {
  mmlu: { intrinsic: 2.37, intrinsicSd: 0.51, frequent: 1.4, frequentSd: 1.76, wilcoxonP: 0.3125, tTestP: 0.267 },
  gsm8k: { intrinsic: 1.38, intrinsicSd: 0.4, frequent: 0.11, frequentSd: 0.15, wilcoxonP: 0.0625, tTestP: 0.0065 },
  humaneval: { intrinsic: 0.3, intrinsicSd: 0.19, frequent: 0.81, frequentSd: 0.46, wilcoxonP: 0.0625, tTestP: 0.0223 },
};

/**
 * Section 4.5 / Figures 9-11 in words and the few numbers the text prints: relational-only Gini
 * >= 0.80 on GSM8K and MMLU, the full model's Gini 0.35-0.60, intrinsic-only +9.0 points on MMLU
 * (over relational-only), every ablation below the full model, the uniform baseline lowest.
 */
export const PAPER_ABLATIONS = {
  relationalOnlyGiniAtLeast: { gsm8k: 0.8, mmlu: 0.8 },
  fullGiniRange: [0.35, 0.6] as const,
  intrinsicOnlyGainMmluPoints: 9.0,
  fullIsBest: true,
  uniformIsWorst: true,
} as const;

/**
 * Section 4.3 / 5 (Figures 6, 7; they print no numbers): the heterogeneous consortium routes less
 * confidently (higher collaboration entropy) and centralizes less (lower Gini) than the homogeneous one.
 */
export const PAPER_CENTRALIZATION = { heterogeneousGini: 'lower', heterogeneousCollabEntropy: 'higher', centralizationBeforeConfidence: true } as const;

/**
 * Appendix I / Figure 15 (three-expert cascade LLaMA-3.2-1B -> Qwen2.5-3B -> Mistral-7B on a mixed
 * GSM8K/MMLU/HumanEval test set): the figure prints no numbers; these are the text's statements.
 */
export const PAPER_APPENDIX_I: readonly string[] = [
  'the first expert accounts for the majority of stopping events (Figure 15a)',
  'a downstream expert has the highest intrinsic importance despite a lower stopping frequency',
  'another expert with similar local sensitivity causes only minor disruption when masked',
  'stopping frequency does not reflect causal necessity',
];

/**
 * Seed 001 (an article on "Rethinking Mixture-of-Agents", arXiv 2502.00674): the numbers and
 * statements it prints. It gives no accuracy table in text (its tables are images).
 */
export const PAPER_MOA = {
  /** the regression t = alpha q + beta d + gamma: R^2 around 0.7 overall */
  regressionR2About: 0.7,
  /** both coefficients significant with very small p-values */
  coefficientsSignificant: true,
  /** the quality coefficient exceeds the diversity coefficient in most cases */
  qualityOverDiversity: true,
  /** Self-MoA beats Mixed-MoA when the proposers' quality differs */
  selfBeatsMixed: true,
  /** Self-MoA-Seq scales to 6-30 samples and stays above single-model one-shot inference */
  seqSamples: [6, 30] as const,
} as const;
