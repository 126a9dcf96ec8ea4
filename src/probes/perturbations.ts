/**
 * Prompt perturbations (Section 4.1, Figure 3): each item's task text is perturbed (numbers
 * removed or masked, sentences shuffled, reasoning cues removed); the perturbed prompt goes back
 * through the consortium (every expert answers it; a store-wrapped expert generates each answer
 * once) and the encoder, and the orchestrator routes the perturbed item. We report, per
 * perturbation and task, the KL between the baseline and perturbed sequence distributions s(x),
 * the same for the rows of C, and the entropy changes.
 *
 * Building the perturbed items is the slow, asynchronous part and does not depend on the
 * checkpoint; `perturbationShift` then compares routings for any epoch.
 */
import type { Encoder } from '../encoders/types';
import { chainPrompt } from '../experts/chain';
import { formatTaskPrompt } from '../experts/task-prompt';
import type { Expert } from '../experts/types';
import type { RoutingItem } from '../orchestrator/dataset';
import type { OrchestratorModel } from '../orchestrator/model';
import { perturbText, PERTURBATIONS, type PerturbationName } from '../tasks/perturb';
import type { TaskItem } from '../tasks/types';
import { klOf } from './masking';
import { collaborationEntropy, entropyOf } from './matrix-measures';
import { readRouting, type ProbeRouteOptions } from './routing-read';
import { groupsByTask } from './structure';

/** Perturbed routing items of one perturbation, aligned with the base items. */
export interface PerturbedSet {
  perturbation: PerturbationName;
  /** ids of the items whose text the perturbation changed (the others are identical and skipped) */
  changed: string[];
  items: RoutingItem[];
}

/**
 * Builds the perturbed routing items: for each item whose text changes, every expert answers the
 * perturbed standalone prompt and the prompt and answers are encoded. `experts` must be in the
 * routing dataset's expert order. `correct` is copied from the base item (grades of perturbed
 * answers are not needed by the routing comparison).
 */
export async function buildPerturbedItems(
  items: readonly TaskItem[],
  base: readonly RoutingItem[],
  experts: readonly Expert[],
  encoder: Encoder,
  opts: { perturbations?: readonly PerturbationName[]; seed?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<PerturbedSet[]> {
  const baseById = new Map(base.map((it) => [it.id, it]));
  const kinds = opts.perturbations ?? PERTURBATIONS;
  const out: PerturbedSet[] = [];
  const total = kinds.length * items.length;
  let done = 0;
  for (const kind of kinds) {
    const set: PerturbedSet = { perturbation: kind, changed: [], items: [] };
    for (const item of items) {
      const b = baseById.get(item.id);
      if (!b) throw new Error(`perturbations: item '${item.id}' is not in the routing dataset`);
      if (b.outputs.length !== experts.length) throw new Error(`perturbations: the routing dataset has ${b.outputs.length} experts, ${experts.length} given`);
      const text = formatTaskPrompt(item);
      const perturbed = perturbText(text, kind, opts.seed ?? 0);
      done++;
      if (perturbed === text) {
        opts.onProgress?.(done, total);
        continue;
      }
      const prompt = chainPrompt(perturbed);
      const answers: string[] = [];
      for (const e of experts) answers.push((await e.generate(prompt, { item })).text);
      const v = await encoder.encode([perturbed, ...answers]);
      if (v.length !== answers.length + 1) throw new Error(`perturbations: encoder ${encoder.name} returned ${v.length} vectors for ${answers.length + 1} texts`);
      set.changed.push(item.id);
      set.items.push({ id: item.id, task: item.task, split: b.split, ex: v[0], outputs: v.slice(1), oracle: b.oracle, correct: b.correct });
      opts.onProgress?.(done, total);
    }
    out.push(set);
  }
  return out;
}

/** Routing shift of one perturbation on one task group. */
export interface PerturbationSummary {
  perturbation: PerturbationName;
  task: string;
  /** items the perturbation changed (the mean is over these) */
  nItems: number;
  /** mean KL(s_base || s_perturbed) */
  klSequence: number;
  /** mean over items and rows of KL(C_base,i || C_perturbed,i) */
  klRouting: number;
  /** mean H(s_perturbed) - H(s_base) (nats) */
  deltaSequenceEntropy: number;
  /** mean change of C's mean row entropy */
  deltaCollabEntropy: number;
}

/** Compares the model's routing of base and perturbed items; one summary per perturbation and task group with changed items. */
export function perturbationShift(model: OrchestratorModel, base: readonly RoutingItem[], sets: readonly PerturbedSet[], opts: ProbeRouteOptions = {}): PerturbationSummary[] {
  const out: PerturbationSummary[] = [];
  const baseById = new Map(base.map((it) => [it.id, it]));
  for (const set of sets) {
    if (set.items.length === 0) continue;
    const b = readRouting(model, set.items.map((it) => baseById.get(it.id)!), opts);
    const p = readRouting(model, set.items, opts);
    for (const g of groupsByTask(p.tasks)) {
      const mean = (f: (i: number) => number) => g.idx.reduce((a, i) => a + f(i), 0) / g.idx.length;
      const N = b.s[0].length;
      out.push({
        perturbation: set.perturbation,
        task: g.task,
        nItems: g.idx.length,
        klSequence: mean((i) => klOf(b.s[i], p.s[i])),
        klRouting: mean((i) => Array.from({ length: N }, (_, r) => klOf(b.C[i][r], p.C[i][r])).reduce((x, y) => x + y, 0) / N),
        deltaSequenceEntropy: mean((i) => entropyOf(p.s[i]) - entropyOf(b.s[i])),
        deltaCollabEntropy: mean((i) => collaborationEntropy(p.C[i]) - collaborationEntropy(b.C[i])),
      });
    }
  }
  return out;
}
