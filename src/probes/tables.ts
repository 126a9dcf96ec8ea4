/**
 * Tidy rows (one object per observation) from probe results, for CSV files, src/plots and
 * danfojs DataFrames. `toDataFrame` loads danfojs-node lazily (it takes about a second).
 */
import type { AblationSummary } from './ablations';
import type { CascadeSummary } from './cascade';
import type { CausalSummary } from './causal';
import type { MaskingSummary, PairedComparison } from './masking';
import type { MoaConfigSummary } from './moa';
import type { PerturbationSummary } from './perturbations';
import { relationalIntrinsicAgreement } from './recovery';
import type { StructureSummary } from './structure';

export type Row = Record<string, string | number>;

/** Per epoch, task and expert: s(x), u_j, I(E_i), usage, chain starts (Table 2, Figures 4, 5, 13, 14). */
export function expertRows(epoch: number, summaries: readonly StructureSummary[], expertIds: readonly string[]): Row[] {
  return summaries.flatMap((s) =>
    expertIds.map((id, i) => ({ epoch, task: s.task, expert: id, s: s.meanS[i], relational: s.relational[i], intrinsic: s.intrinsic[i], usage: s.usage[i], firstCount: s.firstCounts[i] })),
  );
}

/** Per epoch, task and expert: integrated intrinsic importance (the opt-in 'integrated' probe). */
export function integratedRows(epoch: number, summaries: readonly { task: string; integrated: number[] }[], expertIds: readonly string[]): Row[] {
  return summaries.flatMap((s) => expertIds.map((id, i) => ({ epoch, task: s.task, expert: id, integrated: s.integrated[i] })));
}

/** Per epoch, task and expert: causal importance (routing and sequence KL when it is masked) and the accuracy change (the opt-in 'causal' probe). */
export function causalRows(epoch: number, summaries: readonly CausalSummary[], expertIds: readonly string[]): Row[] {
  return summaries.flatMap((s) => expertIds.map((id, i) => ({ epoch, task: s.task, expert: id, klRouting: s.klRouting[i], klSequence: s.klSequence[i], accuracyChange: s.accuracyChange[i], itemsLost: s.itemsLost[i], itemsGained: s.itemsGained[i] })));
}

/** Per epoch and task: the scalar structure measures and the relational/intrinsic rank agreement (Figures 6, 7; Table 10). */
export function structureRows(epoch: number, summaries: readonly StructureSummary[]): Row[] {
  return summaries.map((s) => {
    const a = relationalIntrinsicAgreement(s.relational, s.intrinsic);
    return {
      epoch,
      task: s.task,
      nItems: s.nItems,
      collabEntropy: s.collabEntropy,
      orderingEntropy: s.orderingEntropy,
      meanItemStartEntropy: s.meanItemStartEntropy,
      rankMeanC: s.rankMeanC,
      meanItemRank: s.meanItemRank,
      giniIncoming: s.giniIncoming,
      giniUsage: s.giniUsage,
      avgCalls: s.avgCalls,
      spearmanRho: a ? a.rho : Number.NaN,
      spearmanP: a ? a.rhoP : Number.NaN,
      kendallTau: a ? a.tau : Number.NaN,
      kendallP: a ? a.tauP : Number.NaN,
    };
  });
}

/** Per epoch and task, the mean collaboration matrix in long form (Figure 2). */
export function collabRows(epoch: number, summaries: readonly StructureSummary[], expertIds: readonly string[]): Row[] {
  return summaries.flatMap((s) => s.meanC.flatMap((row, i) => row.map((v, j) => ({ epoch, task: s.task, from: expertIds[i], to: expertIds[j], value: v }))));
}

export function maskingRows(epoch: number, rows: readonly MaskingSummary[], expertIds: readonly string[]): Row[] {
  return rows.map((m) => ({ epoch, ...m, maskedExpert: expertIds[m.masked] }));
}

export function ablationRows(epoch: number, rows: readonly AblationSummary[], expertIds: readonly string[]): Row[] {
  return rows.map(({ usage, ...r }) => ({ epoch, ...r, ...Object.fromEntries(expertIds.map((id, i) => [`usage:${id}`, usage[i]])) }));
}

export function perturbationRows(epoch: number, rows: readonly PerturbationSummary[]): Row[] {
  return rows.map((r) => ({ epoch, ...r }));
}

export function pairedRows(rows: readonly PairedComparison[]): Row[] {
  return rows.map((r) => ({
    task: r.task,
    measure: r.measure,
    x: r.xName,
    y: r.yName,
    epochs: r.epochs.join(' '),
    meanX: r.meanX,
    sdX: r.sdX,
    meanY: r.meanY,
    sdY: r.sdY,
    wilcoxonP: r.wilcoxonP ?? Number.NaN,
    tTestP: r.tTestP ?? Number.NaN,
    note: r.note ?? '',
  }));
}

export function cascadeRows(rows: readonly CascadeSummary[], expertIds: readonly string[]): Row[] {
  return rows.flatMap((c) =>
    expertIds.map((id, i) => ({
      task: c.task,
      expert: id,
      stopFrequency: c.stopFrequency[i],
      meanPStop: c.meanPStop[i],
      intrinsic: c.intrinsic[i],
      maskKl: c.maskKl[i],
      maskKlConditional: c.maskKlConditional[i],
      itemsWithoutConditional: c.itemsWithoutConditional[i],
      maskedAccuracy: c.maskedAccuracy[i],
      accuracy: c.accuracy,
    })),
  );
}

export function moaRows(rows: readonly MoaConfigSummary[]): Row[] {
  return rows.map((r) => ({ ...r }));
}

/** A danfojs DataFrame of tidy rows (danfojs-node is loaded on first use). */
export function toDataFrame(rows: readonly Row[]): import('danfojs-node').DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dfd = require('danfojs-node') as typeof import('danfojs-node');
  if (rows.length === 0) throw new Error('toDataFrame: no rows');
  return new dfd.DataFrame(rows.map((r) => ({ ...r })));
}
