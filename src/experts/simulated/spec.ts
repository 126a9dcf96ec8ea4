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

const taskProbabilities = z.object({ gsm8k: probability, mmlu: probability, humaneval: probability }).strict();

/**
 * A planted dependency: the expert's own success probability rises by `boost` when one of the
 * experts `on` answered just before it (several ids: near-copies can each play the role), on
 * every item or only on items of the listed `subtypes`.
 */
export const dependencySpec = z
  .object({
    on: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    boost: z.number().min(0).max(1),
    subtypes: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type DependencySpec = z.infer<typeof dependencySpec>;

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
   * the "leaky" condition: how often a response carries a visible cue of its correctness (a
   * wrong answer hedges with probability `cues`, a right one with probability `cues / 5`, a
   * right one shows a verification line with probability `cues / 2`, a wrong GSM8K answer drops
   * its last step unless it shows its slip, and a chain remark says whether the previous answer
   * was kept or corrected). The default 0 is the zero-leak condition: right and wrong responses
   * have the same shape, and correctness shows only in the answer itself and in agreement.
   */
  cues: probability.default(0),
  /**
   * extra mean per-token entropy (nats) of a wrong response, beside the temperature's share: a
   * confidence signal outside the text (cascades stop on it), 0 by default
   */
  entropySignal: z.number().min(0).max(5).default(0),
  /**
   * planted prompt sensitivity, per task: the share of the success probability lost when every
   * number of the task is unreadable (`numbers`), when its sentences are out of order (`order`),
   * and when its reasoning cues are gone (`reasoning`); partial damage loses a proportional part.
   * The expert measures the damage by comparing the prompt it is given with the item.
   */
  prompt: z
    .object({
      numbers: taskProbabilities.default({ gsm8k: 0.9, mmlu: 0.1, humaneval: 0.05 }),
      order: taskProbabilities.default({ gsm8k: 0.15, mmlu: 0.4, humaneval: 0.5 }),
      reasoning: taskProbabilities.default({ gsm8k: 0.1, mmlu: 0.05, humaneval: 0.05 }),
    })
    .strict()
    .default({}),
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
  /** planted dependencies (one or a list): own accuracy rises by `boost` after expert `on` */
  dependsOn: z.union([dependencySpec, z.array(dependencySpec).min(1)]).optional(),
  /**
   * latent item sub-types (e.g. which approach an item needs): name -> share of items; the
   * remaining share is 'routine'. Set it in `defaults` so every expert sees the same sub-types.
   * An item's sub-type is a seeded function of its id, unknown to the prompt.
   */
  subtypes: z.record(probability).optional(),
  /** per sub-type skill, for every task (overrides `skill` on items of that sub-type) */
  subtypeSkill: z.record(probability).optional(),
  /** this expert's responses name the item's sub-type (its content tells which successor fits) */
  reveals: z.boolean().default(false),
  /**
   * mixture-of-agents aggregation: given several previous answers, with probability `aggregate`
   * the expert answers with their plurality answer (its own attempt breaks ties and fills in
   * when fewer than two previous answers are readable); otherwise it answers on its own
   */
  aggregate: probability.optional(),
  /** size label for displays, e.g. "8B" */
  size: z.string().optional(),
});
export type SimulatedSpec = z.infer<typeof simulatedSpec>;
export type SimulatedSpecInput = z.input<typeof simulatedSpec>;

/**
 * Consistency of the sub-type fields, which the schema alone cannot see: shares that sum to at
 * most 1, and sub-type names used in `subtypeSkill` or `dependsOn.subtypes` that `subtypes`
 * declares (or 'routine'). Returns one issue per problem, with the field path.
 */
export function simulatedSpecIssues(spec: SimulatedSpec): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const declared = new Set(['routine', ...Object.keys(spec.subtypes ?? {})]);
  const total = Object.values(spec.subtypes ?? {}).reduce((a, b) => a + b, 0);
  if (total > 1 + 1e-9) issues.push({ path: ['subtypes'], message: `sub-type shares sum to ${Math.round(total * 1e6) / 1e6}, more than 1` });
  if (spec.subtypes?.routine !== undefined) issues.push({ path: ['subtypes', 'routine'], message: "'routine' is the rest of the items and cannot be given a share" });
  for (const name of Object.keys(spec.subtypeSkill ?? {})) {
    if (!declared.has(name)) issues.push({ path: ['subtypeSkill', name], message: `unknown sub-type '${name}' (declared: ${[...declared].join(', ')})` });
  }
  const deps = spec.dependsOn === undefined ? [] : Array.isArray(spec.dependsOn) ? spec.dependsOn : [spec.dependsOn];
  deps.forEach((d, k) => {
    (d.subtypes ?? []).forEach((name, j) => {
      const base = Array.isArray(spec.dependsOn) ? ['dependsOn', k, 'subtypes', j] : ['dependsOn', 'subtypes', j];
      if (!declared.has(name)) issues.push({ path: base, message: `unknown sub-type '${name}' (declared: ${[...declared].join(', ')})` });
    });
  });
  return issues;
}
