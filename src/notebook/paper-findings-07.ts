/**
 * Notebook 07 (Appendix I, Figure 15): a fixed-order confidence cascade read with INFORM. The
 * experts answer on their own (solo answers through the transcript store; no orchestrator is
 * trained), the cascade stops at the first answer whose mean token entropy is under the threshold,
 * and `cascadeProbe` (src/probes) reports the stopping distribution, intrinsic importance
 * E|dp_stop/dH_i|, the masking KL of the stopping distribution and the accuracy lost per skipped
 * expert. The planted truth is `cascadeTruth` (src/experts); `cascadeRecovery` scores the read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConsortium, type SimulatedPresetName, SIMULATED_PRESETS } from '../experts/consortium';
import { collectResponses, generateTranscripts } from '../experts/generate';
import { cascadeTruth, CASCADE_ENTROPY_THRESHOLD, type CascadeTruth } from '../experts/simulated/cascade-truth';
import { simulatedPresetSpecs } from '../experts/simulated/presets';
import { TranscriptStore } from '../experts/store/transcript-store';
import { cascadeProbe, hardStop, type CascadeItem, type CascadeSettings, type CascadeSummary } from '../probes/cascade';
import { pairedTTest } from '../stats/paired-t-test';
import { loadTaskItems } from '../tasks/task-source';
import type { TaskName } from '../tasks/types';
import { liveLine } from './display';
import { paperRunsRoot } from './paper-plan';
import type { FindingRow } from './paper-findings';

/** One cascade read: a consortium's solo answers on some items, the probe, and the planted truth. */
export interface CascadeRun {
  preset: string;
  tasks: TaskName[];
  expertIds: string[];
  /** says SIMULATED and where the items came from */
  label: string;
  items: CascadeItem[];
  settings: CascadeSettings;
  /** per task, then 'all' */
  summaries: CascadeSummary[];
  /** per task, then 'all' (item-weighted); null when the preset's truth is not defined (e.g. correlated attempts) */
  truth: Record<string, CascadeTruth> | null;
  /** answers generated now (0 on a warm run) */
  generated: number;
}

export interface CascadeRunSpec {
  /** a simulated preset name or a consortium config path (real backends must report token entropies) */
  preset: string;
  tasks: TaskName[];
  /** items per task over all splits (the cascade trains nothing, so every item is read) */
  limitPerTask: number;
  /** seed of the item subset */
  dataSeed?: number;
  /** stopping threshold on the mean token entropy (default the cascade preset's, 0.5 nats) */
  threshold?: number;
}

/** A short name for a preset or config path (its file name without the extension). */
export function presetLabel(preset: string): string {
  return path.basename(preset).replace(/\.(ya?ml|json)$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_');
}

const isPreset = (p: string): p is SimulatedPresetName => (SIMULATED_PRESETS as readonly string[]).includes(p);

/** The planted truth of the cascade per task and pooled ('all', weighted by items), or null. */
export function cascadeTruthOf(preset: string, counts: Record<string, number>, threshold: number): Record<string, CascadeTruth> | null {
  if (!isPreset(preset)) return null;
  const specs = simulatedPresetSpecs(preset);
  let perTask: Record<string, CascadeTruth>;
  try {
    perTask = Object.fromEntries(Object.keys(counts).map((t) => [t, cascadeTruth(specs, t as TaskName, threshold)]));
  } catch {
    return null; // the truth is computed for independent attempts only (the null preset's are correlated)
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const first = Object.values(perTask)[0];
  const pool = (f: (t: CascadeTruth) => number) => Object.entries(perTask).reduce((a, [t, tr]) => a + (counts[t] / total) * f(tr), 0);
  const ids = first.order;
  const stopShare = Object.fromEntries(ids.map((id) => [id, pool((t) => t.stopShare[id])]));
  const necessity = Object.fromEntries(ids.map((id) => [id, pool((t) => t.necessity[id])]));
  const argmax = (r: Record<string, number>) => ids.reduce((a, b) => (r[b] > r[a] + 1e-12 ? b : a));
  return { ...perTask, all: { ...first, stopShare, necessity, accuracy: pool((t) => t.accuracy), mostStopping: argmax(stopShare), decisive: argmax(necessity) } };
}

/**
 * Generates (or reads back) the consortium's solo answers and runs the cascade probe. Answers are
 * kept in runs/paper/cascade/<preset>/ (a transcript store), so a warm run generates nothing.
 */
export async function ensureCascadeRun(spec: CascadeRunSpec): Promise<CascadeRun> {
  const threshold = spec.threshold ?? CASCADE_ENTROPY_THRESHOLD;
  const sel = loadTaskItems({ tasks: spec.tasks, limitPerTask: spec.limitPerTask, seed: spec.dataSeed ?? 0, source: 'auto' });
  const consortium = loadConsortium(spec.preset);
  const expertIds = consortium.experts.map((e) => e.id);
  const dir = path.join(paperRunsRoot(), 'cascade', presetLabel(spec.preset));
  fs.mkdirSync(dir, { recursive: true });
  const store = TranscriptStore.open(dir);
  const line = liveLine();
  try {
    // The cascade needs only the solo answers: no oracle, no pairs.
    const gen = await generateTranscripts({
      consortium: consortium.experts,
      items: sel.items,
      run: store,
      onProgress: (p) => line.update(`${presetLabel(spec.preset)}: answers ${p.done}/${p.total}`),
    });
    line.done(`${presetLabel(spec.preset)}: ${sel.items.length} items x ${expertIds.length} experts (${gen.generated} answers generated now)`);
    const rows = collectResponses(store, consortium.experts, sel.items, { oracle: 'gold' });
    const items: CascadeItem[] = rows.map((row) => ({
      id: row.item.id,
      task: row.item.task,
      entropies: row.responses.map((r) => {
        if (!r.tokenEntropies?.length) throw new Error(`cascade: expert ${r.expertId} reports no token entropies on item ${row.item.id} (its backend does not give them)`);
        return r.tokenEntropies.reduce((a, b) => a + b, 0) / r.tokenEntropies.length;
      }),
      correct: row.responses.map((r) => (r.correct ? 1 : 0)),
    }));
    const { settings, summaries } = cascadeProbe(items, { thresholds: expertIds.map(() => threshold) });
    const counts: Record<string, number> = {};
    for (const it of items) counts[it.task] = (counts[it.task] ?? 0) + 1;
    const label = `${consortium.simulated ? 'SIMULATED consortium' : 'consortium'} ${consortium.name} (${expertIds.join(' -> ')}) on ${sel.items.length} items from ${sel.dataSource}; threshold ${threshold} nats`;
    return { preset: spec.preset, tasks: spec.tasks, expertIds, label, items, settings, summaries, truth: cascadeTruthOf(spec.preset, counts, threshold), generated: gen.generated };
  } finally {
    store.close();
    await consortium.dispose();
  }
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : Number.NaN);
const yn = (b: boolean) => (b ? 'yes' : 'no');

/** Per item: 1 when the cascade's answer is right, minus the same with expert k skipped. */
export function accuracyLossPerItem(items: readonly CascadeItem[], s: CascadeSettings, k: number): number[] {
  const skip: CascadeSettings = { ...s, order: s.order.filter((e) => e !== k) };
  return items.map((it) => it.correct[hardStop(it.entropies, s)] - it.correct[hardStop(it.entropies, skip)]);
}

/** What the probe read and whether it matches the planted truth. */
export interface CascadeRecovery {
  task: string;
  measuredMostStopping: string;
  measuredDecisive: string;
  topIntrinsic: string;
  topMaskingKl: string;
  /** the measured decisive expert costs more accuracy when skipped than the most-stopping one (paired t, one-sided p) */
  decisiveVsStoppingP: number | null;
  /** a misalignment is reported: decisive != most stopping and p < 0.05 */
  misalignmentReported: boolean;
  plantedMostStopping: string | null;
  plantedDecisive: string | null;
  plantedMisalignment: boolean | null;
  /** null when there is no planted truth */
  mostStoppingRecovered: boolean | null;
  decisiveRecovered: boolean | null;
  misalignmentCorrect: boolean | null;
}

/** Recovery of the planted cascade structure from one task group's read. */
export function cascadeRecovery(run: Pick<CascadeRun, 'items' | 'settings' | 'summaries' | 'expertIds' | 'truth'>, task = 'all'): CascadeRecovery {
  const s = run.summaries.find((x) => x.task === task);
  if (!s) throw new Error(`cascadeRecovery: no summary for task '${task}' (have ${run.summaries.map((x) => x.task).join(', ')})`);
  const ids = run.expertIds;
  const argmax = (v: readonly number[]) => ids[v.reduce((b, x, i) => (x > v[b] + 1e-12 ? i : b), 0)];
  const loss = s.maskedAccuracy.map((a) => s.accuracy - a);
  const mostStopping = argmax(s.stopFrequency);
  const decisive = argmax(loss);
  let p: number | null = null;
  if (decisive !== mostStopping) {
    const its = task === 'all' ? run.items : run.items.filter((it) => it.task === task);
    const a = accuracyLossPerItem(its, run.settings, ids.indexOf(decisive));
    const b = accuracyLossPerItem(its, run.settings, ids.indexOf(mostStopping));
    try {
      p = pairedTTest(a, b, { alternative: 'greater' }).pValue;
    } catch {
      p = 1; // no variance in the differences: nothing to report
    }
  }
  const reported = p !== null && p < 0.05;
  const t = run.truth?.[task] ?? null;
  const plantedMis = t ? t.decisive !== t.mostStopping : null;
  return {
    task,
    measuredMostStopping: mostStopping,
    measuredDecisive: decisive,
    topIntrinsic: argmax(s.intrinsic),
    topMaskingKl: argmax(s.maskKl),
    decisiveVsStoppingP: p,
    misalignmentReported: reported,
    plantedMostStopping: t?.mostStopping ?? null,
    plantedDecisive: t?.decisive ?? null,
    plantedMisalignment: plantedMis,
    mostStoppingRecovered: t ? t.mostStopping === mostStopping : null,
    decisiveRecovered: t ? t.decisive === decisive : null,
    misalignmentCorrect: plantedMis === null ? null : plantedMis === reported,
  };
}

/** Figure 15's numbers per expert (pooled over tasks): planted beside measured. */
export function cascadeExpertRows(run: CascadeRun, task = 'all'): FindingRow[] {
  const s = run.summaries.find((x) => x.task === task)!;
  const t = run.truth?.[task] ?? null;
  return run.expertIds.map((id, i) => ({
    preset: presetLabel(run.preset),
    task,
    expert: id,
    position: run.settings.order.indexOf(i) + 1,
    'planted stop share': t ? r4(t.stopShare[id]) : Number.NaN,
    'stop frequency': r4(s.stopFrequency[i]),
    'mean soft p_stop': r4(s.meanPStop[i]),
    'intrinsic E|dp_stop/dH|': r4(s.intrinsic[i]),
    'masking KL (nats)': r4(s.maskKl[i]),
    'conditional masking KL (nats)': r4(s.maskKlConditional[i]),
    'planted accuracy lost': t ? r4(t.necessity[id]) : Number.NaN,
    'accuracy lost when skipped': r4(s.accuracy - s.maskedAccuracy[i]),
  }));
}

/** One row per run and task: the cascade's accuracy, planted vs measured. */
export function cascadeAccuracyRows(runs: readonly CascadeRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    run.summaries.map((s) => ({
      preset: presetLabel(run.preset),
      task: s.task,
      items: s.nItems,
      'planted cascade accuracy': run.truth?.[s.task] ? r4(run.truth[s.task].accuracy) : Number.NaN,
      'cascade accuracy': r4(s.accuracy),
    })),
  );
}

/** The closing table: planted vs recovered, the cascade preset beside the null control. */
export function cascadeRecoveryRows(runs: readonly CascadeRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    run.summaries.map((s) => {
      const r = cascadeRecovery(run, s.task);
      return {
        preset: presetLabel(run.preset),
        task: s.task,
        'planted most stopping': r.plantedMostStopping ?? 'not planted',
        'measured most stopping': r.measuredMostStopping,
        'planted decisive': r.plantedDecisive ?? 'not planted',
        'measured decisive': r.measuredDecisive,
        'top intrinsic': r.topIntrinsic,
        'top masking KL': r.topMaskingKl,
        'p (decisive > most stopping)': r.decisiveVsStoppingP === null ? Number.NaN : r4(r.decisiveVsStoppingP),
        'misalignment reported': yn(r.misalignmentReported),
        'planted misalignment': r.plantedMisalignment === null ? 'none planted (control)' : yn(r.plantedMisalignment),
        recovered: r.plantedMisalignment === null ? (r.misalignmentReported ? 'FALSE POSITIVE' : 'correct (none reported)') : yn(!!(r.mostStoppingRecovered && r.decisiveRecovered && r.misalignmentCorrect)),
      };
    }),
  );
}

/** One sentence per run, generated from cascadeRecovery. */
export function cascadeStatement(runs: readonly CascadeRun[]): string {
  return runs
    .map((run) => {
      const r = cascadeRecovery(run, 'all');
      const p = r.decisiveVsStoppingP === null ? '' : ` (one-sided paired t p = ${r4(r.decisiveVsStoppingP)})`;
      if (r.plantedMisalignment === null) {
        return `- **${presetLabel(run.preset)}** (negative control, no planted cascade structure): most stopping ${r.measuredMostStopping}, most accuracy lost when skipped ${r.measuredDecisive}${p}; misalignment ${r.misalignmentReported ? '**reported: a false positive**' : 'not reported, as it should not be'}.`;
      }
      return (
        `- **${presetLabel(run.preset)}**: planted most stopping ${r.plantedMostStopping}, planted decisive ${r.plantedDecisive}; ` +
        `read: most stopping ${r.measuredMostStopping} (${r.mostStoppingRecovered ? 'recovered' : 'NOT recovered'}), decisive ${r.measuredDecisive} (${r.decisiveRecovered ? 'recovered' : 'NOT recovered'})${p}; ` +
        `top intrinsic importance ${r.topIntrinsic}, top masking KL ${r.topMaskingKl}; the misalignment is ${r.misalignmentReported ? 'reported' : 'not reported'} (${r.misalignmentCorrect ? 'correct' : 'WRONG'}).`
      );
    })
    .join('\n');
}
