/**
 * Routing ablations (Section 4.5, Appendix F, Figures 9-11), each run as chains on the same
 * items and scored per task with the same grader, with the Gini of expert usage (Figure 10):
 *
 * - full: the trained model as is;
 * - static-uniform-C: C(x) replaced by a fixed uniform graph over the other available experts,
 *   s(x) kept (Appendix F, "Static Collaboration Graph");
 * - static-sequence: every item runs the same sequence (default experts 1 -> 2 -> 3) (Figure 11b);
 * - relational-only / intrinsic-only: only the connectivity or only a_i(x) + phi_i in the score
 *   (inference-time overrides by default; a run trained with that variant can be given instead);
 * - uniform: a uniformly random chain of the full model's length for each item (seeded).
 *
 * Accuracy: the chains run for real through the consortium when a runner of source 'run' is given
 * (chain-runner.ts), else graded from the data; `accuracySource` says which.
 */
import type { RoutingItem } from '../orchestrator/dataset';
import type { OrchestratorModel } from '../orchestrator/model';
import { Rng } from '../orchestrator/rng';
import type { AccuracySource } from './chain-runner';
import { runnerOf, type ChainScoring } from './masking';
import { giniOf, usageCounts } from './matrix-measures';
import { disposeEncoded, encodeItems, readRouting, type EncodedItems, type ProbeRouteOptions, type RoutingRead } from './routing-read';
import { groupsByTask } from './structure';

export const ABLATIONS = ['full', 'static-uniform-C', 'static-sequence', 'relational-only', 'intrinsic-only', 'uniform'] as const;
export type AblationName = (typeof ABLATIONS)[number];

/** Accuracy and centralization of one ablation on one task group. */
export interface AblationSummary {
  ablation: AblationName;
  /** 'override' (inference-time change of the trained model) or 'trained' (a separately trained variant) */
  variant: 'override' | 'trained' | 'baseline';
  task: string;
  nItems: number;
  accuracy: number;
  avgCalls: number;
  giniUsage: number;
  usage: number[];
  /** 'run': the chains were run through the consortium; 'data': graded from the routing dataset (fallback) */
  accuracySource: AccuracySource;
}

export interface AblationOptions extends Pick<ProbeRouteOptions, 'maxSteps' | 'batchSize' | 'encoded'>, ChainScoring {
  /** which ablations (default all) */
  ablations?: readonly AblationName[];
  /** the static sequence (default [0, 1, 2], clipped to N) */
  staticSequence?: number[];
  /** trained variants: models trained with that score part, evaluated in place of the override */
  trained?: Partial<Record<'relational-only' | 'intrinsic-only', OrchestratorModel>>;
  /** seed of the uniform random chains (default 0) */
  seed?: number;
  /** the full model's read of the same items with the same maxSteps (e.g. the structure probe's), reused instead of read again */
  full?: RoutingRead;
}

/** A uniform collaboration graph: each row spreads its mass evenly over the other experts. */
export function uniformCollab(N: number): number[][] {
  return Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? 0 : 1 / (N - 1))));
}

/** Runs the ablations on items; returns one summary per ablation and task group (tasks, then 'all'). */
export async function ablationProbe(model: OrchestratorModel, items: readonly RoutingItem[], opts: AblationOptions = {}): Promise<AblationSummary[]> {
  const N = model.config.nExperts;
  const which = opts.ablations ?? ABLATIONS;
  for (const a of which) if (!ABLATIONS.includes(a)) throw new Error(`ablations: unknown ablation '${a}' (known: ${ABLATIONS.join(', ')})`);
  const seq = (opts.staticSequence ?? [0, 1, 2]).slice(0, N);
  seq.forEach((e) => {
    if (!(Number.isInteger(e) && e >= 0 && e < N)) throw new Error(`ablations: static sequence entry ${e} is not an expert index 0..${N - 1}`);
  });
  if (new Set(seq).size !== seq.length) throw new Error(`ablations: static sequence [${seq}] repeats an expert`);
  // every override reads the same unmasked representations: encode once (unless shared by the caller)
  const encoded = opts.encoded ?? encodeItems(model, items, { batchSize: opts.batchSize });
  try {
    return await runAblations(model, items, opts, which, seq, encoded);
  } finally {
    if (!opts.encoded) disposeEncoded(encoded);
  }
}

async function runAblations(model: OrchestratorModel, items: readonly RoutingItem[], opts: AblationOptions, which: readonly AblationName[], seq: number[], encoded: EncodedItems): Promise<AblationSummary[]> {
  const N = model.config.nExperts;
  const runner = runnerOf(opts);
  const base = { maxSteps: opts.maxSteps, batchSize: opts.batchSize, encoded };
  if (opts.full && opts.full.itemIds.join('\u0000') !== items.map((it) => it.id).join('\u0000')) throw new Error('ablations: the given full read is of other items');
  const full = opts.full ?? readRouting(model, items, base);
  const chainsOf = (a: AblationName): { chains: number[][]; variant: AblationSummary['variant'] } => {
    switch (a) {
      case 'full':
        return { chains: full.chains, variant: 'override' };
      case 'static-uniform-C':
        return { chains: readRouting(model, items, { ...base, collabOverride: uniformCollab(N) }).chains, variant: 'override' };
      case 'static-sequence':
        // A forced sequence runs in full and is cut at its own length, so every item's chain is the
        // sequence itself (readRouting with forcedPrefix gives exactly this; the model has no say).
        return { chains: items.map(() => [...seq]), variant: 'override' };
      case 'relational-only':
      case 'intrinsic-only': {
        const trained = opts.trained?.[a];
        if (trained) {
          if (trained.config.nExperts !== N) throw new Error(`ablations: the trained ${a} model has ${trained.config.nExperts} experts, the model ${N}`);
          return { chains: readRouting(trained, items, { maxSteps: opts.maxSteps, batchSize: opts.batchSize, scoreParts: a }).chains, variant: 'trained' };
        }
        return { chains: readRouting(model, items, { ...base, scoreParts: a }).chains, variant: 'override' };
      }
      case 'uniform': {
        const rng = new Rng(opts.seed ?? 0);
        const chains = full.chains.map((c) => rng.shuffle(Array.from({ length: N }, (_, i) => i)).slice(0, c.length));
        return { chains, variant: 'baseline' };
      }
    }
  };
  const out: AblationSummary[] = [];
  for (const a of which) {
    const { chains, variant } = chainsOf(a);
    const grades = await runner.grade(items, chains);
    for (const g of groupsByTask(full.tasks)) {
      const cs = g.idx.map((i) => chains[i]);
      const usage = usageCounts(cs, N);
      out.push({
        ablation: a,
        variant,
        task: g.task,
        nItems: g.idx.length,
        accuracy: g.idx.reduce((acc, i) => acc + grades[i], 0) / g.idx.length,
        avgCalls: cs.reduce((acc, c) => acc + c.length, 0) / cs.length,
        giniUsage: giniOf(usage),
        usage,
        accuracySource: runner.source,
      });
    }
  }
  return out;
}
