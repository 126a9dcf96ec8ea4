/**
 * Hyper-parameters of the orchestrator, with Table 4's values as defaults. Everything that
 * changes what a checkpoint means is in here and is saved with it.
 */
import { z } from 'zod';

/** Shape and behaviour of the model itself (Section 2.1). */
export const modelConfigSchema = z.object({
  /** dimension of the frozen encoder's vectors (768 for BERT and the hashing encoder) */
  inputDim: z.number().int().positive(),
  /** number of experts N in the consortium */
  nExperts: z.number().int().min(2),
  /** routing-space dimension d (Table 4: 256) */
  hidden: z.number().int().positive().default(256),
  /** use the self-attention backbone over [e_x; o_1..o_N] */
  backbone: z.boolean().default(true),
  /** attention heads in the backbone (Table 4: 4); must divide `hidden` */
  heads: z.number().int().positive().default(4),
  /** dropout inside the routing adapter (Table 4: 0.1) */
  dropout: z.number().min(0).max(0.9).default(0.1),
  /** gamma: per-position penalty on every expert's score, which makes stopping likelier as the chain grows */
  lengthPenalty: z.number().min(0).default(0.25),
  /**
   * add r . h_i (a read-out of expert i's own representation) to the selection score. Off by
   * default: Section 2.1's h^(i) is "the projection of the encoded input" only. On, the gradient
   * of log P(i) with respect to h_i is (1[i chosen] - p_i) r, so gradient importance follows
   * selection frequency by construction (docs/decisions.md).
   */
  selectionReadsH: z.boolean().default(false),
  /**
   * which parts of the selection score the model uses when a call does not say (RouteOptions.scoreParts):
   * 'full', or the paper's trained ablations 'relational-only' / 'intrinsic-only'
   */
  scoreParts: z.enum(['full', 'relational-only', 'intrinsic-only']).default('full'),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelConfigInput = z.input<typeof modelConfigSchema>;

/**
 * Named loss-weight presets. The paper's Table 4 lists the weights "used across all experiments";
 * its Table 5 sweep picks other values as best on both GSM8K and MMLU (oracle 0.1, symmetry 0.1,
 * sparsity 0.01). Both ship; Table 4 is the default (docs/decisions.md).
 */
export const LOSS_WEIGHT_PRESETS = {
  table4: { utility: 0.5, distillation: 0.5, symmetry: 0.05, sparsity: 0.1, oracle: 0.5, diversity: 0.1, selection: 1.0, length: 0.5 },
  table5: { utility: 0.5, distillation: 0.5, symmetry: 0.1, sparsity: 0.01, oracle: 0.1, diversity: 0.1, selection: 1.0, length: 0.5 },
} as const;
export type LossWeightPreset = keyof typeof LOSS_WEIGHT_PRESETS;

/** The weights of a named preset (a fresh object); throws naming the known presets. */
export function lossWeightPreset(name: string): LossWeights {
  if (!(name in LOSS_WEIGHT_PRESETS)) throw new Error(`unknown loss-weight preset '${name}' (known: ${Object.keys(LOSS_WEIGHT_PRESETS).join(', ')})`);
  return { ...LOSS_WEIGHT_PRESETS[name as LossWeightPreset] };
}

/** The eight loss weights (Table 4). */
export const lossWeightsSchema = z.object({
  utility: z.number().default(0.5),
  distillation: z.number().default(0.5),
  symmetry: z.number().default(0.05),
  sparsity: z.number().default(0.1),
  oracle: z.number().default(0.5),
  diversity: z.number().default(0.1),
  selection: z.number().default(1.0),
  length: z.number().default(0.5),
});
export type LossWeights = z.infer<typeof lossWeightsSchema>;

/** Optimisation and schedules (Table 4, Appendix C). */
export const trainConfigSchema = z.object({
  learningRate: z.number().positive().default(1e-3),
  batchSize: z.number().int().positive().default(2),
  epochs: z.number().int().positive().default(5),
  warmupRatio: z.number().min(0).max(1).default(0.1),
  clipNorm: z.number().positive().default(15),
  adamBeta1: z.number().default(0.9),
  adamBeta2: z.number().default(0.999),
  adamEps: z.number().default(1e-8),
  /** Gumbel-softmax temperature: start, multiplicative decay per step, floor */
  tauStart: z.number().positive().default(1.0),
  tauDecay: z.number().positive().max(1).default(0.999),
  tauMin: z.number().positive().default(0.5),
  /**
   * the fewest steps a training rollout has, whatever the adaptive top-k says. At k = 1 a rollout
   * is one expert, so the pair term of the utility and the successor term log C_prev,i vanish and
   * C learns from the task only through the connectivity term; 2 keeps one successor step in every
   * rollout (docs/decisions.md has the measurement behind the default)
   */
  minRolloutSteps: z.number().int().min(1).default(2),
  /** smoothing of the moving average of selection confidence that drives the adaptive top-k */
  confidenceMomentum: z.number().min(0).max(1).default(0.98),
  /** alpha in the length loss alpha * E[K]; null means 1/N so the term lies in [0, 1] */
  lengthAlpha: z.number().positive().nullable().default(null),
  weights: lossWeightsSchema.default({}),
  /**
   * where distillation compares the final expert with the oracle: 'adapter-cosine' (default) is
   * 1 - cos(sum_i q_i h_i, h*) with h_i, h* the adapter's outputs for o_i and o* (Appendix C's
   * "hidden representations"; cosine, so shrinking the adapter does not lower it);
   * 'adapter-mse' the mean squared difference there; 'encoder-mse' the old encoder-space form
   */
  distillation: z.enum(['adapter-cosine', 'adapter-mse', 'encoder-mse']).default('adapter-cosine'),
  /**
   * how the utility loss takes the expectation of the chain's final correctness: 'rollout' (along
   * the sampled rollout), 'exact-two-step' (over every chain of one or two experts, from the solo
   * and pair grades) or 'expected-chain' (every length up to N); losses.ts UtilityMode,
   * docs/decisions.md has the validation measurement behind the default
   */
  utility: z.enum(['rollout', 'exact-two-step', 'expected-chain']).default('exact-two-step'),
  /** with 'exact-two-step' / 'expected-chain': eps of the eps-greedy first step the utility is taken under (losses.ts) */
  utilityExploration: z.number().min(0).max(1).default(0.5),
  seed: z.number().int().default(0),
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Validates and fills defaults; throws a readable error naming the offending field. */
export function resolveModelConfig(input: ModelConfigInput): ModelConfig {
  const res = modelConfigSchema.safeParse(input);
  if (!res.success) throw new Error(`invalid orchestrator model config: ${formatZodError(res.error)}`);
  if (res.data.hidden % res.data.heads !== 0) {
    throw new Error(`invalid orchestrator model config: hidden (${res.data.hidden}) must be divisible by heads (${res.data.heads})`);
  }
  return res.data;
}

/** Validates and fills defaults for the training settings. */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  const res = trainConfigSchema.safeParse(input);
  if (!res.success) throw new Error(`invalid orchestrator training config: ${formatZodError(res.error)}`);
  return res.data;
}

function formatZodError(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
