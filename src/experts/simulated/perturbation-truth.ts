/**
 * Planted truth for the prompt perturbations of Figure 3: for each task and perturbation, what the
 * experts can still read of the perturbed prompts of `items` (readPrompt, the same reading the
 * experts do), and the expected standalone accuracy, intact and perturbed, averaged over experts
 * and items (from each expert's skill and planted `prompt` sensitivity). Which perturbation hurts a
 * task most follows from these numbers; the probes compare routing shifts against them.
 */
import { perturbText, PERTURBATIONS, type PerturbationName } from '../../tasks/perturb';
import type { TaskItem, TaskName } from '../../tasks/types';
import { chainPrompt } from '../chain';
import { formatTaskPrompt } from '../task-prompt';
import { INTACT_READING, ownSuccessProbability, type PromptReading } from './competence';
import { readPrompt } from './read-prompt';
import type { SimulatedSpec } from './spec';

export interface PerturbationEffect {
  /** mean reading of the perturbed prompts (1 = intact) */
  reading: PromptReading;
  /** expected standalone accuracy, mean over experts and items */
  intact: number;
  perturbed: number;
  /** intact - perturbed */
  drop: number;
}

export interface PerturbationTruth {
  /** per task (present in the items) and perturbation */
  effects: Partial<Record<TaskName, Record<PerturbationName, PerturbationEffect>>>;
  /** per task: perturbations from the largest expected drop to the smallest */
  ranking: Partial<Record<TaskName, PerturbationName[]>>;
}

/** The expected effect of each perturbation (seeded like `perturbText(text, kind, seed)`) on `items`. */
export function perturbationTruth(specs: readonly SimulatedSpec[], items: readonly TaskItem[], seed = 0, kinds: readonly PerturbationName[] = PERTURBATIONS): PerturbationTruth {
  if (specs.length === 0) throw new Error('perturbationTruth: no simulated experts');
  const effects: PerturbationTruth['effects'] = {};
  const ranking: PerturbationTruth['ranking'] = {};
  const tasks = [...new Set(items.map((i) => i.task))];
  for (const task of tasks) {
    const pool = items.filter((i) => i.task === task);
    const intact = mean(pool.flatMap((item) => specs.map((s) => ownSuccessProbability(s, item, undefined, INTACT_READING))));
    const perKind = {} as Record<PerturbationName, PerturbationEffect>;
    for (const kind of kinds) {
      const readings = pool.map((item) => readPrompt(item, chainPrompt(perturbText(formatTaskPrompt(item), kind, seed))));
      const perturbed = mean(pool.flatMap((item, n) => specs.map((s) => ownSuccessProbability(s, item, undefined, readings[n]))));
      perKind[kind] = {
        reading: { numbers: mean(readings.map((r) => r.numbers)), order: mean(readings.map((r) => r.order)), reasoning: mean(readings.map((r) => r.reasoning)) },
        intact,
        perturbed,
        drop: intact - perturbed,
      };
    }
    effects[task] = perKind;
    ranking[task] = [...kinds].sort((a, b) => perKind[b].drop - perKind[a].drop);
  }
  return { effects, ranking };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
