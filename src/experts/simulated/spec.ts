/**
 * Config schema of a simulated expert: its family (writing style), size label, decoding
 * temperature (noise), per-domain skill and chain behaviour. Every number here is part of the
 * planted ground truth that `plantedTruth` exposes.
 */
import { z } from 'zod';
import { baseExpertSpec } from '../spec';

/** Writing styles, after the model families of Tables 6 and 7. */
export const SIMULATED_FAMILIES = ['llama', 'qwen', 'deepseek', 'mistral'] as const;
export type SimulatedFamily = (typeof SIMULATED_FAMILIES)[number];

const probability = z.number().min(0).max(1);

export const simulatedSkillSpec = z.object({
  /** probability of a correct GSM8K answer at temperature 0, standalone */
  gsm8k: probability,
  /** same for MMLU; `mmluSubjects` overrides it per subject */
  mmlu: probability,
  /** same for HumanEval (pass@1) */
  humaneval: probability,
  mmluSubjects: z.record(probability).optional(),
});

export const simulatedSpec = baseExpertSpec.extend({
  backend: z.literal('simulated'),
  family: z.enum(SIMULATED_FAMILIES),
  skill: simulatedSkillSpec,
  /** accuracy lost per unit of temperature (a T = 2.0 expert loses 2 * noise) */
  noise: z.number().min(0).max(1).default(0.08),
  /**
   * how often a response carries a visible cue of its correctness: a wrong answer hedges with
   * probability `cues`, a right one with probability `cues / 5`, and a right one shows a
   * verification line with probability `cues / 2`
   */
  cues: probability.default(0.4),
  chain: z
    .object({
      /** probability of adopting the previous expert's final answer as is */
      copy: probability.default(0.2),
      /** probability of fixing a wrong previous answer */
      fix: probability.default(0.2),
    })
    .default({}),
  /**
   * how strongly this expert's own successes follow the item's shared difficulty (0: independent
   * of the other experts; 1: every expert with this loading succeeds on the same easiest items).
   * It correlates errors across experts without changing any expert's success probability.
   */
  itemCorrelation: probability.default(0),
  /** planted dependency: own accuracy rises by `boost` when expert `on` answered just before */
  dependsOn: z.object({ on: z.string().min(1), boost: z.number().min(0).max(1) }).optional(),
  /** size label for displays, e.g. "8B" */
  size: z.string().optional(),
});
export type SimulatedSpec = z.infer<typeof simulatedSpec>;
export type SimulatedSpecInput = z.input<typeof simulatedSpec>;
