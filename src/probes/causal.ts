/**
 * Causal importance: per expert, how far masking it moves the routing, with every expert masked in
 * turn (masking.ts's conditional routing KL), and what it costs in accuracy.
 *
 * Why beside intrinsic importance: the gradient of log P(selected) with respect to h_i is local.
 * It is large for experts whose answers tip near ties (interchangeable successors, chosen by their
 * own answers on most items) and small for an expert that decides the route on a minority of
 * items but is nearly never a close call elsewhere (docs/probes.md, "Integrated importance on a
 * model that learned the planted policy"). Masking is the intervention itself; masking every
 * expert costs N masked reads per epoch (~0.05 s each at the paper's size over a notebook split,
 * from the unmasked encoding's mask-independent parts, encode-reuse.ts).
 */
import { pairedOverEpochs, type MaskingSummary, type PairedComparison } from './masking';
import { binomialTest } from '../stats/binomial-test';
import { argmax, divergenceVerdict, modal, type DivergenceVerdict } from './recovery';
import type { EpochProbes } from './run-probes';

/** Causal importance of every expert in one group of items (a task, or 'all'). */
export interface CausalSummary {
  task: string;
  nItems: number;
  /** mean conditional routing KL when expert i is masked, [N] (the causal importance) */
  klRouting: number[];
  /** mean conditional sequence KL when expert i is masked, [N] */
  klSequence: number[];
  /** masked accuracy minus baseline when expert i is masked, [N] */
  accuracyChange: number[];
  /** items graded lower / higher when expert i is masked, [N] (masking.ts's itemsLost, itemsGained) */
  itemsLost: number[];
  itemsGained: number[];
}

/**
 * The causal summaries of a masking result that masked every expert by index (targets
 * `{ kind: 'index', expert: i }` for i < nExperts; other targets are ignored), one per task group.
 */
export function causalSummaries(masking: readonly MaskingSummary[], nExperts: number): CausalSummary[] {
  const tasks = [...new Set(masking.map((m) => m.task))];
  return tasks.map((task) => {
    const row = (i: number) => {
      const m = masking.find((s) => s.task === task && s.target === `expert-${i}`);
      if (!m) throw new Error(`causal importance: the masking result has no row masking expert ${i} for '${task}' (mask every expert by index)`);
      return m;
    };
    const rows = Array.from({ length: nExperts }, (_, i) => row(i));
    return {
      task,
      nItems: rows[0].nItems,
      klRouting: rows.map((r) => r.klRouting),
      klSequence: rows.map((r) => r.klSequence),
      accuracyChange: rows.map((r) => r.accuracyChange),
      itemsLost: rows.map((r) => r.itemsLost),
      itemsGained: rows.map((r) => r.itemsGained),
    };
  });
}

/** One epoch's readings of one task for the causal verdict. */
export interface CausalEpoch {
  epoch: number;
  /** causal importance (routing KL when masked), [N] */
  causal: readonly number[];
  /** calls per expert in the inferred chains, [N]: routing dominance as use */
  usage: readonly number[];
  /** items graded lower / higher when expert i is masked, [N] */
  itemsLost: readonly number[];
  itemsGained: readonly number[];
}

/** Each probed epoch's (>= 1) causal importance and usage of one task, from runProbes' epochs with 'causal' run. */
export function causalEpochs(epochs: readonly EpochProbes[], task: string): CausalEpoch[] {
  return epochs
    .filter((e) => e.epoch >= 1)
    .map((e) => {
      const causal = e.causal?.find((c) => c.task === task);
      const structure = e.structure?.summaries.find((s) => s.task === task);
      if (!causal || !structure) throw new Error(`causal importance: epoch ${e.epoch} has no 'causal' and 'structure' readings for '${task}'`);
      return { epoch: e.epoch, causal: causal.klRouting, usage: structure.usage, itemsLost: causal.itemsLost, itemsGained: causal.itemsGained };
    });
}

/**
 * The divergence verdict with causal importance in the gradient's place and usage in relational
 * importance's: reported when the most causally important expert and the most used one are each
 * the same in at least 2/3 of the epochs, differ, masking the first moves routing more than
 * masking the second, paired over the epochs (Wilcoxon or t below 0.05), and masking the first
 * costs the last epoch's model accuracy beyond chance (accuracyTestOf, below; the test is
 * returned as `accuracyTest`, null when another condition failed first). The paired comparison
 * is returned with it (x = the modal top-causal expert, y = the modal top-usage expert).
 *
 * `select`: the same epochs read on OTHER items (the train split), from which the two experts are
 * picked; the paired test then reads `perEpoch` only. Without it both come from `perEpoch`, and the
 * test favours the expert it picked: on the null preset that gave p = 0.049 for a pair of
 * exchangeable experts (docs/probes.md, "Causal importance").
 */
export function causalVerdict(
  task: string,
  perEpoch: readonly CausalEpoch[],
  expertIds: readonly string[],
  select: readonly CausalEpoch[] = perEpoch,
): { verdict: DivergenceVerdict; paired: PairedComparison | null; accuracyTest: AccuracyTest | null } {
  if (perEpoch.length === 0 || select.length === 0) throw new Error('causalVerdict: no epochs');
  // the modal tops as divergenceVerdict picks them (ties to the first seen), so the pair tested is the pair it names
  const modalTop = (f: (e: CausalEpoch) => readonly number[]) => expertIds.indexOf(modal(select.map((e) => expertIds[argmax(f(e))])).id);
  const x = modalTop((e) => e.causal);
  const y = modalTop((e) => e.usage);
  const paired = x === y ? null : pairedOverEpochs(task, 'klRouting', expertIds[x], expertIds[y], perEpoch.map((e) => e.epoch), perEpoch.map((e) => e.causal[x]), perEpoch.map((e) => e.causal[y]));
  const verdict = divergenceVerdict(
    select.map((e) => ({ intrinsic: e.causal, relational: e.usage })),
    paired,
    expertIds,
    { names: { importance: 'causal', dominance: 'usage' } },
  );
  if (!verdict.reported) return { verdict, paired, accuracyTest: null };
  const accuracyTest = accuracyTestOf(perEpoch[perEpoch.length - 1], x);
  const counts = `at epoch ${accuracyTest.epoch}: ${accuracyTest.lost} items lost, ${accuracyTest.gained} gained; exact McNemar p = ${accuracyTest.pValue.toPrecision(3)}`;
  const name = expertIds[x];
  return {
    verdict: accuracyTest.costs
      ? { ...verdict, reason: `${verdict.reason}; masking ${name} costs accuracy (${counts})` }
      : { ...verdict, reported: false, reason: `${verdict.reason}, but masking ${name} does not cost accuracy beyond chance (${counts})` },
    paired,
    accuracyTest,
  };
}

/** The accuracy condition's test: run only when every other condition of the verdict held. */
export interface AccuracyTest {
  epoch: number;
  /** items the top-causal expert's mask graded lower / higher at that epoch */
  lost: number;
  gained: number;
  /** exact McNemar (two-sided binomial on lost of lost + gained); 1 when no item changed */
  pValue: number;
  /** more lost than gained with p < 0.05: the condition holds */
  costs: boolean;
}

/**
 * The accuracy condition of the causal verdict: masking the top-causal expert must cost the last
 * epoch's model accuracy on the tested items, beyond chance (more items lost than gained, exact
 * McNemar p < 0.05). Why: the KL pairs are tested over epochs, which are checkpoints of one run,
 * not independent samples, so a fixed asymmetry of a router that reads an expert's answer without
 * gaining from it passes that test. On exchangeable experts with distinct answer styles the
 * verdict without this condition reported a divergence in 1 of 20 runs (3 of 20 on a variant
 * where two experts write alike; docs/probes.md, "A router that learned the planted policy");
 * in none of them did masking cost accuracy beyond chance.
 */
function accuracyTestOf(last: CausalEpoch, x: number): AccuracyTest {
  const lost = last.itemsLost[x];
  const gained = last.itemsGained[x];
  const pValue = lost + gained > 0 ? binomialTest(lost, lost + gained).pValue : 1;
  return { epoch: last.epoch, lost, gained, pValue, costs: lost > gained && pValue < 0.05 };
}
