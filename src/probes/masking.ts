/**
 * Masking one expert (Section 4.5, Appendix F, Tables 8 and 11): the expert is taken out of
 * selection, out of C (row and column) and out of the backbone's attention; we compare the
 * sequence distribution s(x) and the routing distribution (the rows of C) with the unmasked model,
 * and rerun the chains to get the accuracy change: run for real through the consortium when a
 * `ChainRunner` of source 'run' is given (chain-runner.ts), else graded from the data (labelled
 * `accuracySource: 'data'`).
 *
 * Two KL readings (docs/decisions.md, "Masking KL"):
 * - conditional (the default `klSequence` / `klRouting`): KL(b~ || m), b~ the baseline restricted to
 *   the experts still available and renormalised. Removing an expert whose mass would simply be
 *   shared out pro rata gives 0; what remains is how much the others' routing *depends* on it.
 * - raw (`rawKlSequence` / `rawKlRouting`): KL(m || b), which also counts the removed mass itself
 *   (-log(1 - b_k) for a pure removal); finite because m is zero wherever b is.
 */
import type { RoutingItem } from '../orchestrator/dataset';
import type { OrchestratorModel } from '../orchestrator/model';
import { pairedTTest } from '../stats/paired-t-test';
import { wilcoxon } from '../stats/wilcoxon';
import { dataChainRunner, type AccuracySource, type ChainGrader, type ChainRunner } from './chain-runner';
import { disposeEncoded, encodeItems, encodeItemsMasked, readRouting, type ProbeRouteOptions, type RoutingRead } from './routing-read';
import { groupsByTask, type StructureResult } from './structure';

/**
 * KL(p || q) of non-negative vectors, each normalised to sum 1; q floored at 1e-12 where p > 0
 * (scipy.stats.entropy gives inf there). A vector with no mass has no distribution: NaN, as
 * scipy.stats.entropy returns for it; callers leave such readings out and count them.
 */
export function klOf(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new Error(`klOf: lengths differ (${p.length} vs ${q.length})`);
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  if (!(sp > 0) || !(sq > 0)) return Number.NaN;
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    const pi = p[i] / sp;
    kl += pi * Math.log(pi / Math.max(q[i] / sq, 1e-12));
  }
  return Math.max(0, kl);
}

/** p with the masked entries set to 0 (renormalisation happens inside klOf). */
function restrict(p: readonly number[], masked: readonly number[]): number[] {
  return p.map((x, i) => (masked.includes(i) ? 0 : x));
}

/** KL readings of one item: baseline (b) against masked (m) s(x) and C(x). */
export interface ItemMaskingKl {
  klSequence: number;
  klRouting: number;
  rawKlSequence: number;
  rawKlRouting: number;
  /** s(x) mass the baseline gave the masked experts */
  removedSequenceMass: number;
}

/** Conditional and raw KL between a baseline and a masked read of one item. */
export function itemMaskingKl(baseS: readonly number[], maskedS: readonly number[], baseC: readonly (readonly number[])[], maskedC: readonly (readonly number[])[], masked: readonly number[]): ItemMaskingKl {
  const N = baseS.length;
  const rows = Array.from({ length: N }, (_, i) => i).filter((i) => !masked.includes(i));
  // A baseline row (or s) with all its mass on the masked experts has no conditional reading: it
  // is left out of the conditional mean (NaN when nothing is left), and counted by the caller.
  const conditional = (b: readonly number[], m: readonly number[]) => {
    const r = restrict(b, masked);
    return r.reduce((a, x) => a + x, 0) > 1e-12 ? klOf(r, m) : Number.NaN;
  };
  const rowKl = (raw: boolean) => {
    const v = rows.map((i) => (raw ? klOf(maskedC[i], baseC[i]) : conditional(baseC[i], maskedC[i]))).filter((x) => !Number.isNaN(x));
    return v.length ? v.reduce((a, x) => a + x, 0) / v.length : Number.NaN;
  };
  return {
    klSequence: conditional(baseS, maskedS),
    klRouting: rowKl(false),
    rawKlSequence: klOf(maskedS, baseS),
    rawKlRouting: rowKl(true),
    removedSequenceMass: masked.reduce((a, k) => a + baseS[k], 0),
  };
}

export { dataChainGrade, finalExpertGrade, type ChainGrader } from './chain-runner';

/** How the probes score chains: a runner (run for real, or the labelled data fallback), or a data grader. */
export interface ChainScoring {
  /** runs the chains (source 'run') or grades them from the data (source 'data'); wins over `grade` */
  runner?: ChainRunner;
  /** a data grader, used as `dataChainRunner(.., grade)` when no runner is given (default `dataChainGrade`) */
  grade?: ChainGrader;
}

/** The runner a probe uses for `opts`. */
export function runnerOf(opts: ChainScoring): ChainRunner {
  return opts.runner ?? dataChainRunner(undefined, opts.grade);
}

/** How an expert to mask is chosen. */
export type MaskTarget = { kind: 'index'; expert: number } | { kind: 'top-intrinsic' } | { kind: 'top-relational' } | { kind: 'top-usage' };

/** Masking result of one group of items. */
export interface MaskingSummary extends ItemMaskingKl {
  task: string;
  target: string;
  /** the masked expert (index) */
  masked: number;
  nItems: number;
  baselineAccuracy: number;
  maskedAccuracy: number;
  /** maskedAccuracy - baselineAccuracy */
  accuracyChange: number;
  /** items graded lower masked than unmasked, and higher: the discordant counts of an exact McNemar test */
  itemsLost: number;
  itemsGained: number;
  /** 'run': the chains were run through the consortium; 'data': graded from the routing dataset (fallback) */
  accuracySource: AccuracySource;
  /** items whose baseline s(x) put (numerically) all its mass on the masked expert: no conditional sequence KL */
  itemsWithoutConditional: number;
}

/** The expert a target names, for one summary of the structure probe. */
export function pickTarget(target: MaskTarget, summary: { intrinsic: number[]; relational: number[]; usage: number[] }): number {
  const argmax = (v: number[]) => v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);
  switch (target.kind) {
    case 'index':
      return target.expert;
    case 'top-intrinsic':
      return argmax(summary.intrinsic);
    case 'top-relational':
      return argmax(summary.relational);
    case 'top-usage':
      return argmax(summary.usage);
  }
}

export function targetName(t: MaskTarget): string {
  return t.kind === 'index' ? `expert-${t.expert}` : t.kind;
}

/**
 * Masks one expert per task group (chosen by `target` from that group's structure summary) and
 * compares with the baseline read in `base`. Groups are the tasks and 'all', as in `base`.
 */
export function maskingProbe(
  model: OrchestratorModel,
  items: readonly RoutingItem[],
  base: StructureResult,
  target: MaskTarget,
  opts: ProbeRouteOptions & ChainScoring = {},
): Promise<MaskingSummary[]> {
  return maskingProbes(model, items, base, [target], opts);
}

/**
 * Several targets at once (e.g. top-intrinsic and top-relational): an expert that several
 * targets or task groups mask is read once, for just the items that need it.
 */
export async function maskingProbes(
  model: OrchestratorModel,
  items: readonly RoutingItem[],
  base: StructureResult,
  targets: readonly MaskTarget[],
  opts: ProbeRouteOptions & ChainScoring = {},
): Promise<MaskingSummary[]> {
  const N = model.config.nExperts;
  const runner = runnerOf(opts);
  for (const target of targets) {
    if (target.kind === 'index' && !(Number.isInteger(target.expert) && target.expert >= 0 && target.expert < N)) {
      throw new Error(`masking: expert index ${target.expert} is not in 0..${N - 1}`);
    }
  }
  // Which expert each (target, group) masks; then one masked read per expert, of the items that need it.
  const plan = targets.flatMap((target) =>
    groupsByTask(base.read.tasks).map((g) => {
      const summary = base.summaries.find((s) => s.task === g.task);
      if (!summary) throw new Error(`masking: the structure result has no summary for '${g.task}'`);
      return { ...g, target, k: pickTarget(target, summary) };
    }),
  );
  // the shared unmasked encoding cannot serve a masked read as is (the mask changes the backbone's
  // attention), but its mask-independent part can
  const { encoded: _unmasked, runner: _runner, grade: _grade, ...readOpts } = opts;
  const reads = new Map<number, Map<number, { s: number[]; C: number[][]; chain: number[] }>>();
  for (const k of new Set(plan.map((g) => g.k))) {
    const need = [...new Set(plan.filter((g) => g.k === k).flatMap((g) => g.idx))].sort((a, b) => a - b);
    const available = (opts.available ?? new Array<boolean>(N).fill(true)).map((a, i) => a && i !== k);
    const needItems = need.map((i) => items[i]);
    // encoded once under the mask, shared by the read's first rollout and its longer second one;
    // from the unmasked encoding's mask-independent part when the caller shares one (encode-reuse.ts)
    const encoded = _unmasked && !_unmasked.available ? encodeItemsMasked(model, _unmasked, items, need, available, opts.batchSize) : encodeItems(model, needItems, { available, batchSize: opts.batchSize });
    let r: RoutingRead;
    try {
      r = readRouting(model, needItems, { ...readOpts, available, encoded });
    } finally {
      disposeEncoded(encoded);
    }
    reads.set(k, new Map(need.map((i, n) => [i, { s: r.s[n], C: r.C[n], chain: r.chains[n] }])));
  }
  // Grades: the baseline chains, then each masked read's chains (one batch; the runner memoises repeats).
  const baseGrades = await runner.grade(items, base.read.chains);
  const maskedGrades = new Map<number, Map<number, number>>();
  for (const [k, byItem] of reads) {
    const idx = [...byItem.keys()];
    const g = await runner.grade(idx.map((i) => items[i]), idx.map((i) => byItem.get(i)!.chain));
    maskedGrades.set(k, new Map(idx.map((i, n) => [i, g[n]])));
  }
  // an item's readings under one mask, computed once however many groups (its task, 'all') and targets ask
  const klMemo = new Map<string, ItemMaskingKl>();
  return plan.map((g) => {
    const k = g.k;
    const byItem = reads.get(k)!;
    const m = (i: number) => byItem.get(i)!;
    const masked = [k, ...(opts.available ?? []).map((a, i) => (a ? -1 : i)).filter((i) => i >= 0)];
    const itemKl = (i: number) => {
      const key = `${k}:${i}`;
      let v = klMemo.get(key);
      if (!v) klMemo.set(key, (v = itemMaskingKl(base.read.s[i], m(i).s, base.read.C[i], m(i).C, masked)));
      return v;
    };
    const kls = g.idx.map(itemKl);
    // means over the items where the reading exists (see itemMaskingKl)
    const mean = (f: (x: ItemMaskingKl) => number) => {
      const v = kls.map(f).filter((x) => !Number.isNaN(x));
      return v.length ? v.reduce((a, x) => a + x, 0) / v.length : Number.NaN;
    };
    const baselineAccuracy = g.idx.reduce((a, i) => a + baseGrades[i], 0) / g.idx.length;
    const maskedAccuracy = g.idx.reduce((a, i) => a + maskedGrades.get(k)!.get(i)!, 0) / g.idx.length;
    const changed = (sign: number) => g.idx.filter((i) => sign * (maskedGrades.get(k)!.get(i)! - baseGrades[i]) > 0).length;
    return {
      task: g.task,
      target: targetName(g.target),
      masked: k,
      nItems: g.idx.length,
      klSequence: mean((x) => x.klSequence),
      klRouting: mean((x) => x.klRouting),
      rawKlSequence: mean((x) => x.rawKlSequence),
      rawKlRouting: mean((x) => x.rawKlRouting),
      removedSequenceMass: mean((x) => x.removedSequenceMass),
      baselineAccuracy,
      maskedAccuracy,
      accuracyChange: maskedAccuracy - baselineAccuracy,
      itemsLost: changed(-1),
      itemsGained: changed(1),
      accuracySource: runner.source,
      itemsWithoutConditional: kls.filter((x) => Number.isNaN(x.klSequence)).length,
    };
  });
}

/** A paired comparison over epochs (Table 11): x and y per epoch, Wilcoxon and paired t. */
export interface PairedComparison {
  task: string;
  measure: string;
  xName: string;
  yName: string;
  epochs: number[];
  x: number[];
  y: number[];
  meanX: number;
  meanY: number;
  sdX: number;
  sdY: number;
  wilcoxonP: number | null;
  tTestP: number | null;
  /** why a test gave no p-value (e.g. every difference is 0) */
  note?: string;
}

function sd(v: number[]): number {
  if (v.length < 2) return 0;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

/** Wilcoxon signed-rank and paired t-test of x against y, paired by epoch. */
export function pairedOverEpochs(task: string, measure: string, xName: string, yName: string, epochs: number[], x: number[], y: number[]): PairedComparison {
  if (x.length !== y.length || x.length !== epochs.length) throw new Error(`pairedOverEpochs: ${epochs.length} epochs, ${x.length} and ${y.length} values`);
  const notes: string[] = [];
  let wilcoxonP: number | null = null;
  let tTestP: number | null = null;
  try {
    wilcoxonP = wilcoxon(x, y).pValue;
  } catch (e) {
    notes.push(`wilcoxon: ${(e as Error).message}`);
  }
  try {
    const r = pairedTTest(x, y).pValue;
    tTestP = Number.isFinite(r) ? r : null;
    if (tTestP === null) notes.push('paired t: undefined (the differences have no variance)');
  } catch (e) {
    notes.push(`paired t: ${(e as Error).message}`);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return { task, measure, xName, yName, epochs, x, y, meanX: mean(x), meanY: mean(y), sdX: sd(x), sdY: sd(y), wilcoxonP, tTestP, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
