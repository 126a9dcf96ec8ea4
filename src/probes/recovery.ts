/**
 * Recovery scores: how well a probe recovers a simulated preset's planted truth. The notebooks
 * state recovery only through these functions.
 *
 * The planted truth (src/experts, `presetTruth(name).expected[task]` and `.perTask[task]`) names,
 * per task, the hub (most used expert under the ideal policy), the critical expert (most
 * necessary, or null when no expert matters) and whether they diverge; it also gives each
 * expert's planted usage and necessity. The types below are the parts read here, structurally.
 */
import { kendallTau } from '../stats/kendall-tau';
import { spearman } from '../stats/spearman';
import type { PairedComparison } from './masking';

/** What a probe is checked against, for one task. */
export interface TaskTruthInput {
  hub: string;
  critical: string | null;
  divergence: boolean;
  /** planted usage share per expert id */
  usage?: Record<string, number>;
  /** planted necessity per expert id */
  necessity?: Record<string, number>;
}

/** Reads one task's truth out of a PlantedTruth-shaped object. */
export function taskTruthOf(
  truth: { expected: Record<string, { hub: string; critical: string | null; divergence: boolean }>; perTask?: Record<string, { usage: Record<string, number>; necessity: Record<string, number> }> },
  task: string,
): TaskTruthInput {
  const e = truth.expected[task];
  if (!e) throw new Error(`recovery: the planted truth has no task '${task}' (has ${Object.keys(truth.expected).join(', ')})`);
  const t = truth.perTask?.[task];
  return { ...e, ...(t ? { usage: t.usage, necessity: t.necessity } : {}) };
}

/** 1-based rank of expert `id` when `scores` (in `expertIds` order) are sorted descending; ties share the best rank. */
export function rankOf(id: string, scores: readonly number[], expertIds: readonly string[]): number {
  const k = expertIds.indexOf(id);
  if (k < 0) throw new Error(`recovery: expert '${id}' is not among [${expertIds.join(', ')}]`);
  if (scores.length !== expertIds.length) throw new Error(`recovery: ${scores.length} scores for ${expertIds.length} experts`);
  return 1 + scores.filter((s) => s > scores[k]).length;
}

/** The index of the largest value (the first on ties). */
export function argmax(v: readonly number[]): number {
  return v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);
}

/** Structure-probe recovery for one task and epoch. */
export interface StructureRecovery {
  /** rank of the planted hub by relational importance u_j (1 = recovered) */
  hubRankByRelational: number;
  /** rank of the planted hub by usage in the inferred chains */
  hubRankByUsage: number;
  /** rank of the planted critical expert by intrinsic importance (null when none is planted) */
  criticalRankByIntrinsic: number | null;
  /** rank of the planted critical expert by integrated intrinsic importance (null when none is planted or none was measured) */
  criticalRankByIntegrated: number | null;
  /** rank of the planted critical expert by causal importance (routing KL when masked, causal.ts; null when none is planted or none was measured) */
  criticalRankByCausal: number | null;
  /** rank of the planted critical expert by relational importance (a hub-like signal should NOT find it) */
  criticalRankByRelational: number | null;
  /** Spearman rho (and p) between planted usage and relational importance */
  usageVsRelational: { rho: number; pValue: number } | null;
  /** Spearman rho (and p) between planted necessity and intrinsic importance */
  necessityVsIntrinsic: { rho: number; pValue: number } | null;
}

function corr(a: Record<string, number> | undefined, scores: readonly number[], ids: readonly string[]): { rho: number; pValue: number } | null {
  if (!a) return null;
  const x = ids.map((id) => a[id] ?? 0);
  if (new Set(x).size < 2 || new Set(scores).size < 2) return null; // a constant side has no rank correlation
  const r = spearman(x, [...scores]);
  return { rho: r.rho, pValue: r.pValue };
}

/**
 * Scores a structure summary (relational, intrinsic, usage per expert) against one task's truth;
 * `integrated` and `causal` (the 'integrated' and 'causal' probes' per-expert values for the same
 * task, when measured) add the critical expert's rank by each.
 */
export function structureRecovery(summary: { relational: number[]; intrinsic: number[]; usage: number[] }, truth: TaskTruthInput, expertIds: readonly string[], integrated?: readonly number[], causal?: readonly number[]): StructureRecovery {
  return {
    hubRankByRelational: rankOf(truth.hub, summary.relational, expertIds),
    hubRankByUsage: rankOf(truth.hub, summary.usage, expertIds),
    criticalRankByIntrinsic: truth.critical ? rankOf(truth.critical, summary.intrinsic, expertIds) : null,
    criticalRankByIntegrated: truth.critical && integrated ? rankOf(truth.critical, integrated, expertIds) : null,
    criticalRankByCausal: truth.critical && causal ? rankOf(truth.critical, causal, expertIds) : null,
    criticalRankByRelational: truth.critical ? rankOf(truth.critical, summary.relational, expertIds) : null,
    usageVsRelational: corr(truth.usage, summary.relational, expertIds),
    necessityVsIntrinsic: corr(truth.necessity, summary.intrinsic, expertIds),
  };
}

/** Rank agreement of relational and intrinsic importance over experts (Table 10). */
export function relationalIntrinsicAgreement(relational: readonly number[], intrinsic: readonly number[]): { rho: number; rhoP: number; tau: number; tauP: number } | null {
  if (new Set(relational).size < 2 || new Set(intrinsic).size < 2) return null;
  const s = spearman([...relational], [...intrinsic]);
  const k = kendallTau([...relational], [...intrinsic]);
  return { rho: s.rho, rhoP: s.pValue, tau: k.tau, tauP: k.pValue };
}

/** The divergence verdict of one task (see `divergenceVerdict`). */
export interface DivergenceVerdict {
  reported: boolean;
  topIntrinsic: string;
  topRelational: string;
  /** share of epochs whose top-intrinsic / top-relational expert is the modal one */
  intrinsicStability: number;
  relationalStability: number;
  pValue: number | null;
  reason: string;
}

/** The most frequent id (the first seen on ties) and its share. */
export function modal(ids: readonly string[]): { id: string; share: number } {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const [id, c] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return { id, share: c / ids.length };
}

/**
 * Whether the probes report a divergence between routing dominance and causal importance for
 * one task, from per-epoch structure summaries and the paired masking comparison
 * (x = masking the top-intrinsic expert, y = masking the top-relational expert, routing KL):
 * reported when (1) the top-intrinsic expert is the same in at least `stability` of the epochs,
 * (2) so is the top-relational expert, (3) they differ, and (4) masking the top-intrinsic
 * expert moves routing more, with a paired-t or Wilcoxon p below `alpha`. Each condition guards
 * against a different accident of one trained model: on exchangeable experts the argmax
 * wanders between epochs and masking effects do not differ systematically.
 */
export function divergenceVerdict(
  perEpoch: readonly { intrinsic: readonly number[]; relational: readonly number[] }[],
  masking: PairedComparison | null,
  expertIds: readonly string[],
  opts: { alpha?: number; stability?: number; names?: { importance: string; dominance: string } } = {},
): DivergenceVerdict {
  if (perEpoch.length === 0) throw new Error('divergenceVerdict: no epochs');
  const alpha = opts.alpha ?? 0.05;
  const need = opts.stability ?? 2 / 3;
  // what the two readings are called in the reasons (the causal verdict passes causal importance and usage)
  const { importance, dominance } = opts.names ?? { importance: 'intrinsic', dominance: 'relational' };
  const ti = modal(perEpoch.map((e) => expertIds[argmax(e.intrinsic)]));
  const tr = modal(perEpoch.map((e) => expertIds[argmax(e.relational)]));
  const ps = masking ? [masking.tTestP, masking.wilcoxonP].filter((p): p is number => p !== null) : [];
  const p = ps.length ? Math.min(...ps) : null;
  const base = { topIntrinsic: ti.id, topRelational: tr.id, intrinsicStability: ti.share, relationalStability: tr.share, pValue: p };
  if (ti.share < need) return { ...base, reported: false, reason: `the top-${importance} expert changes between epochs (modal ${ti.id} in ${(ti.share * 100).toFixed(0)}%)` };
  if (tr.share < need) return { ...base, reported: false, reason: `the top-${dominance} expert changes between epochs (modal ${tr.id} in ${(tr.share * 100).toFixed(0)}%)` };
  if (ti.id === tr.id) return { ...base, reported: false, reason: `${ti.id} tops both ${importance} and ${dominance} importance` };
  if (!masking || p === null) return { ...base, reported: false, reason: 'no paired masking test available' };
  if (!(masking.meanX > masking.meanY)) return { ...base, reported: false, reason: `masking ${ti.id} (top ${importance}) moves routing less than masking ${tr.id} (top ${dominance})` };
  if (p >= alpha) return { ...base, reported: false, reason: `masking difference not significant (p = ${p.toPrecision(3)} >= ${alpha})` };
  return { ...base, reported: true, reason: `${ti.id} tops ${importance} importance, ${tr.id} ${dominance === 'relational' ? 'routing mass' : dominance}; masking ${ti.id} moves routing more (p = ${p.toPrecision(3)})` };
}

/** The divergence verdict scored against the planted truth. */
export function divergenceRecovery(verdict: DivergenceVerdict, truth: TaskTruthInput): { planted: boolean; reported: boolean; correct: boolean; identifiedCritical: boolean | null; identifiedHub: boolean } {
  return {
    planted: truth.divergence,
    reported: verdict.reported,
    correct: verdict.reported === truth.divergence,
    identifiedCritical: truth.critical ? verdict.topIntrinsic === truth.critical : null,
    identifiedHub: verdict.topRelational === truth.hub,
  };
}

/**
 * Centralization (Figures 6, 7; Section 5): does the measured ordering of two consortia by
 * successor centralization (Gini of incoming mass) and routing confidence (lower C entropy)
 * follow the planted one (the ideal policy's usage Gini and confidence)?
 */
export function centralizationRecovery(
  measured: Record<string, { giniIncoming: number; collabEntropy: number }>,
  planted: Record<string, { gini: number; confidence: number }>,
): { names: [string, string]; plantedMoreCentral: string; measuredMoreCentral: string; plantedMoreConfident: string; measuredMoreConfident: string; giniAgrees: boolean; confidenceAgrees: boolean } {
  const names = Object.keys(planted);
  if (names.length !== 2) throw new Error(`centralizationRecovery: compares exactly two consortia, got ${names.length} (${names.join(', ')})`);
  for (const n of names) if (!measured[n]) throw new Error(`centralizationRecovery: no measurement for '${n}'`);
  const [a, b] = names;
  const plantedMoreCentral = planted[a].gini >= planted[b].gini ? a : b;
  const measuredMoreCentral = measured[a].giniIncoming >= measured[b].giniIncoming ? a : b;
  const plantedMoreConfident = planted[a].confidence >= planted[b].confidence ? a : b;
  const measuredMoreConfident = measured[a].collabEntropy <= measured[b].collabEntropy ? a : b;
  return {
    names: [a, b],
    plantedMoreCentral,
    measuredMoreCentral,
    plantedMoreConfident,
    measuredMoreConfident,
    giniAgrees: plantedMoreCentral === measuredMoreCentral,
    confidenceAgrees: plantedMoreConfident === measuredMoreConfident,
  };
}

/**
 * Masking against planted necessity: per masked expert, the accuracy lost when it is masked
 * (from `maskingProbe` with index targets, one task) against its planted necessity — Spearman
 * over the masked experts, and whether the expert whose masking costs most is the planted
 * critical one.
 */
export function maskingRecovery(
  rows: readonly { maskedExpert: string; accuracyChange: number }[],
  truth: TaskTruthInput,
): { spearman: { rho: number; pValue: number } | null; mostCostly: string; criticalIsMostCostly: boolean | null } {
  if (rows.length === 0) throw new Error('maskingRecovery: no masking rows');
  const loss = rows.map((r) => -r.accuracyChange);
  const mostCostly = rows[argmax(loss)].maskedExpert;
  const nec = truth.necessity;
  let sp: { rho: number; pValue: number } | null = null;
  if (nec && rows.length >= 3) {
    const x = rows.map((r) => nec[r.maskedExpert] ?? 0);
    if (new Set(x).size >= 2 && new Set(loss).size >= 2) {
      const r = spearman(x, loss);
      sp = { rho: r.rho, pValue: r.pValue };
    }
  }
  return { spearman: sp, mostCostly, criticalIsMostCostly: truth.critical ? mostCostly === truth.critical : null };
}

/**
 * Ablations (Figures 9-11): the full model against the uniform baseline and each ablation, on
 * one task: which ablations the full model beats, and by how much.
 */
export function ablationRecovery(rows: readonly { ablation: string; accuracy: number }[]): { full: number; uniform: number | null; fullBeatsUniform: boolean | null; margins: Record<string, number> } {
  const full = rows.find((r) => r.ablation === 'full');
  if (!full) throw new Error("ablationRecovery: no 'full' row");
  const uni = rows.find((r) => r.ablation === 'uniform');
  const margins: Record<string, number> = {};
  for (const r of rows) if (r.ablation !== 'full') margins[r.ablation] = full.accuracy - r.accuracy;
  return { full: full.accuracy, uniform: uni ? uni.accuracy : null, fullBeatsUniform: uni ? full.accuracy > uni.accuracy : null, margins };
}

/**
 * Prompt perturbations (Figure 3) against the planted sensitivity: the perturbations of one task
 * ranked by the routing shift they caused (sequence KL, largest first) against the planted
 * ranking (`perturbationTruth(...).ranking[task]` in src/experts: kinds by expected accuracy
 * drop) — whether the top perturbation agrees, and Spearman over the kinds both rank.
 */
export function perturbationRecovery(
  rows: readonly { perturbation: string; klSequence: number }[],
  plantedRanking: readonly string[],
): { measuredRanking: string[]; topAgrees: boolean; spearman: { rho: number; pValue: number } | null } {
  if (rows.length === 0) throw new Error('perturbationRecovery: no perturbation rows');
  const measuredRanking = [...rows].sort((a, b) => b.klSequence - a.klSequence).map((r) => r.perturbation);
  const common = plantedRanking.filter((k) => measuredRanking.includes(k));
  let sp: { rho: number; pValue: number } | null = null;
  if (common.length >= 3) {
    const r = spearman(
      common.map((k) => common.length - plantedRanking.indexOf(k)),
      common.map((k) => rows.find((x) => x.perturbation === k)!.klSequence),
    );
    sp = { rho: r.rho, pValue: r.pValue };
  }
  return { measuredRanking, topAgrees: measuredRanking[0] === plantedRanking[0], spearman: sp };
}
