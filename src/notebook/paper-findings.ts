/**
 * What the paper notebooks show, computed from paper runs (paper-runs.ts): plain rows for
 * DataFrames and paper tables, matrices for heatmaps, and recovery against planted truth through
 * src/probes' recovery functions. Pure functions of the runs; no I/O. Each row names its preset,
 * task and seed, so a reader can tell the finding from its negative control (the null preset).
 */
import { SIMULATED_PRESETS, type SimulatedPresetName } from '../experts/consortium';
import { simulatedPresetSpecs } from '../experts/simulated/presets';
import { divergenceRecovery, divergenceVerdict, perturbationRecovery, relationalIntrinsicAgreement, structureRecovery, taskTruthOf } from '../probes/recovery';
import type { StructureSummary } from '../probes/structure';
import { entropy } from '../stats/entropy';
import { PERTURBATIONS, type PerturbationName } from '../tasks/perturb';
import type { PaperRun } from './paper-runs';
import { PAPER_FIGURE3_TOP, PAPER_TABLE10, PAPER_TABLE2_HUMANEVAL } from './paper-values';

/** A table row; '' marks a missing value and 'yes'/'no' a yes-no answer, so rows export as CSV and paper tables. */
export type FindingRow = Record<string, string | number>;

const yn = (b: boolean) => (b ? 'yes' : 'no');
const blank = (x: string | number | null | undefined) => (x === null || x === undefined ? '' : x);

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : Number.NaN);
const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

/** Short name of a run's consortium for tables: the preset name. */
export function presetOf(run: PaperRun): string {
  return run.spec.preset;
}

/** The structure summary of the run's task at one epoch (throws naming what is missing). */
export function summaryAt(run: PaperRun, epoch: number): StructureSummary {
  const e = run.probes.epochs.find((x) => x.epoch === epoch);
  const s = e?.structure?.summaries.find((x) => x.task === run.spec.task);
  if (!s) throw new Error(`${run.dir}: no structure probe for ${run.spec.task} at epoch ${epoch}`);
  return s;
}

/** Epochs with probes, ascending (0 = untrained). */
export function probedEpochs(run: PaperRun): number[] {
  return run.probes.epochs.filter((e) => e.structure).map((e) => e.epoch).sort((a, b) => a - b);
}

/** The runs of one preset and task, seeds ascending. */
export function runsOf(runs: readonly PaperRun[], preset: string, task: string): PaperRun[] {
  return runs.filter((r) => r.spec.preset === preset && r.spec.task === task).sort((a, b) => a.spec.seed - b.spec.seed);
}

/** The run of a preset, task and seed (throws naming what the runs hold). */
export function pickRun(runs: readonly PaperRun[], preset: string, task: string, seed: number): PaperRun {
  const r = runs.find((x) => x.spec.preset === preset && x.spec.task === task && x.spec.seed === seed);
  if (!r) throw new Error(`no paper run ${preset}/${task}/seed ${seed} among ${runs.map((x) => `${x.spec.preset}/${x.spec.task}/s${x.spec.seed}`).join(', ')}`);
  return r;
}

/** Distinct (preset, task) pairs in the order the runs came. */
export function groupsOf(runs: readonly PaperRun[]): { preset: string; task: string }[] {
  const seen = new Set<string>();
  return runs.flatMap((r) => {
    const k = `${r.spec.preset}\u0000${r.spec.task}`;
    if (seen.has(k)) return [];
    seen.add(k);
    return [{ preset: r.spec.preset, task: r.spec.task }];
  });
}

/** One line per run: what it is, on which data, and how it was obtained. */
export function runRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.map((r) => ({
    preset: presetOf(r),
    consortium: r.consortium.name,
    simulated: yn(r.consortium.simulated),
    task: r.spec.task,
    seed: r.spec.seed,
    'train items': r.items.train,
    'test items': r.items.test,
    epochs: r.spec.epochs,
    d: r.spec.hidden,
    data: r.dataSource,
  }));
}

// ---------------------------------------------------------------------------------------------
// 01: collaboration evolution (Figure 2, Table 2, Studies I and II)

/** Mean collaboration matrix C over the test items of the run's task, per probed epoch. */
export function collaborationMatrices(run: PaperRun): { epoch: number; meanC: number[][] }[] {
  return probedEpochs(run).map((epoch) => ({ epoch, meanC: summaryAt(run, epoch).meanC }));
}

/**
 * Table 2: the start distribution s(x) averaged over the test items, per expert and epoch
 * (epochs 1..5 as in the paper), beside the paper's HumanEval values for its experts 1..10.
 */
export function startDistributionRows(run: PaperRun): FindingRow[] {
  const epochs = probedEpochs(run).filter((e) => e >= 1);
  return run.consortium.experts.map((id, i) => {
    const row: FindingRow = { expert: id };
    for (const e of epochs) row[`epoch ${e}`] = r4(summaryAt(run, e).meanS[i]);
    const paper = PAPER_TABLE2_HUMANEVAL[i];
    for (let e = 1; e <= 5; e++) row[`paper epoch ${e}`] = paper ? paper[e - 1] : '';
    return row;
  });
}

/** Effective number of successors: exp of the entropy of the normalised incoming mass. */
export function effectiveSuccessors(relational: readonly number[]): number {
  const total = relational.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return Number.NaN;
  return Math.exp(entropy(relational.map((u) => u / total)));
}

/** Per run and epoch: routing structure, start distribution and held-out scores beside the baselines. */
export function evolutionRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    probedEpochs(run).map((epoch) => {
      const s = summaryAt(run, epoch);
      const top = s.meanS.indexOf(Math.max(...s.meanS));
      const report = run.epochs.find((e) => e.epoch === epoch);
      const t = report?.eval.perTask?.[run.spec.task];
      return {
        preset: presetOf(run),
        task: run.spec.task,
        seed: run.spec.seed,
        epoch,
        'collaboration entropy (nats)': r4(s.collabEntropy),
        'start entropy H(mean s) (nats)': r4(s.orderingEntropy),
        'Gini of incoming mass': r4(s.giniIncoming),
        'effective successors': r4(effectiveSuccessors(s.relational)),
        'top starter': run.consortium.experts[top],
        'top starter share': r4(s.meanS[top]),
        'held-out accuracy': t ? r4(t.accuracy) : '',
        'best single (train)': t ? `${t.bestSingle.expertId} ${r4(t.bestSingle.accuracy)}` : '',
        'no-content router': t ? r4(t.noContent.accuracy) : '',
        'uniform random chain': t ? r4(t.uniformRouter) : '',
        ceiling: t ? r4(t.anyCorrect) : '',
      };
    }),
  );
}

/**
 * Study I/II as a claim with its control: per preset and task, over seeds, how collaboration
 * entropy, successor centralization and the top starter's share moved from the untrained model
 * (epoch 0) to the last epoch, and in how many seeds routing concentrated.
 */
export function concentrationRows(runs: readonly PaperRun[]): FindingRow[] {
  return groupsOf(runs).map(({ preset, task }) => {
    const rs = runsOf(runs, preset, task);
    const d = rs.map((run) => {
      const ep = probedEpochs(run);
      const a = summaryAt(run, ep[0]);
      const b = summaryAt(run, ep[ep.length - 1]);
      return { dH: b.collabEntropy - a.collabEntropy, dG: b.giniIncoming - a.giniIncoming, dTop: Math.max(...b.meanS) - Math.max(...a.meanS), dEff: effectiveSuccessors(b.relational) - effectiveSuccessors(a.relational) };
    });
    return {
      preset,
      task,
      seeds: rs.length,
      'change in collaboration entropy (nats)': r4(mean(d.map((x) => x.dH))),
      'change in Gini of incoming mass': r4(mean(d.map((x) => x.dG))),
      'change in effective successors': r4(mean(d.map((x) => x.dEff))),
      'change in top starter share': r4(mean(d.map((x) => x.dTop))),
      'seeds where routing concentrated': d.filter((x) => x.dH < 0 && x.dG > 0).length,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// 02: prompt perturbations (Figure 3, Section 4.1)

/** Per run, epoch and perturbation: routing and sequence KL and entropy changes. */
export function perturbationRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    run.probes.epochs.flatMap((e) =>
      (e.perturbations ?? [])
        .filter((p) => p.task === run.spec.task)
        .map((p) => ({
          preset: presetOf(run),
          task: run.spec.task,
          seed: run.spec.seed,
          epoch: e.epoch,
          perturbation: p.perturbation,
          'items changed': p.nItems,
          'KL(sequence)': r4(p.klSequence),
          'KL(routing)': r4(p.klRouting),
          'change in start entropy (nats)': r4(p.deltaSequenceEntropy),
          'change in collaboration entropy (nats)': r4(p.deltaCollabEntropy),
        })),
    ),
  );
}

/** Mean over seeds of a perturbation measure, per epoch: `series[perturbation] = values by epoch`. */
export function perturbationSeries(runs: readonly PaperRun[], preset: string, task: string, measure: 'klSequence' | 'klRouting' | 'deltaSequenceEntropy' | 'deltaCollabEntropy'): { epochs: number[]; series: Partial<Record<PerturbationName, number[]>> } {
  const rs = runsOf(runs, preset, task);
  if (rs.length === 0) return { epochs: [], series: {} };
  const epochs = probedEpochs(rs[0]);
  const series: Partial<Record<PerturbationName, number[]>> = {};
  for (const kind of PERTURBATIONS) {
    const values = epochs.map((epoch) => {
      const v = rs.flatMap((run) => run.probes.epochs.find((e) => e.epoch === epoch)?.perturbations?.find((p) => p.task === task && p.perturbation === kind)?.[measure] ?? []);
      return r4(mean(v));
    });
    if (values.some((v) => !Number.isNaN(v))) series[kind] = values;
  }
  return { epochs, series };
}

/** Which planted sensitivity each perturbation damages. */
export const PERTURBATION_KIND: Readonly<Record<PerturbationName, 'numbers' | 'order' | 'reasoning'>> = {
  'remove-numbers': 'numbers',
  'mask-numbers': 'numbers',
  'shuffle-sentences': 'order',
  'remove-reasoning-cues': 'reasoning',
};

/** Planted prompt sensitivity of a simulated preset on a task: the mean over experts of spec.prompt. */
export function plantedPromptSensitivity(preset: string, task: string): Record<'numbers' | 'order' | 'reasoning', number> | null {
  if (!(SIMULATED_PRESETS as readonly string[]).includes(preset)) return null;
  const specs = simulatedPresetSpecs(preset as SimulatedPresetName);
  const of = (k: 'numbers' | 'order' | 'reasoning') => r4(mean(specs.map((s) => (s.prompt[k] as Record<string, number>)[task] ?? 0)));
  return { numbers: of('numbers'), order: of('order'), reasoning: of('reasoning') };
}

/** The planted prompt sensitivity of each preset and task (the truth Figure 3's probe is checked against). */
export function plantedSensitivityRows(presets: readonly string[], tasks: readonly string[]): FindingRow[] {
  return presets.flatMap((preset) =>
    tasks.flatMap((task) => {
      const p = plantedPromptSensitivity(preset, task);
      return p ? [{ preset, task, 'numbers unreadable': p.numbers, 'sentences out of order': p.order, 'reasoning cues gone': p.reasoning }] : [];
    }),
  );
}

/**
 * Figure 3's claim per preset and task, scored by src/probes' perturbationRecovery: the
 * perturbations ranked by how much they move s(x) at the last epoch (sequence KL, mean over seeds)
 * against the planted ranking (perturbationTruth: expected accuracy drop of the preset's experts on
 * the held-out items), the paper's top perturbation, and whether sensitivity was higher at epoch 1
 * than at the last epoch (the paper: yes).
 */
export function perturbationRecoveryRows(runs: readonly PaperRun[]): FindingRow[] {
  return groupsOf(runs).flatMap(({ preset, task }) => {
    const { epochs, series } = perturbationSeries(runs, preset, task, 'klSequence');
    if (epochs.length === 0 || Object.keys(series).length === 0) return [];
    const last = epochs.length - 1;
    const first = epochs.indexOf(1) >= 0 ? epochs.indexOf(1) : 0;
    const measured = (Object.entries(series) as [PerturbationName, number[]][]).map(([perturbation, v]) => ({ perturbation, klSequence: v[last] }));
    const planted = runsOf(runs, preset, task)[0]?.plantedPerturbations ?? null;
    const rec = planted ? perturbationRecovery(measured, planted.ranking) : null;
    const ranking = [...measured].sort((a, b) => b.klSequence - a.klSequence);
    const early = mean(Object.values(series).map((v) => v![first]));
    const late = mean(Object.values(series).map((v) => v![last]));
    const paperTop = (PAPER_FIGURE3_TOP as Record<string, string>)[task];
    return [
      {
        preset,
        task,
        'top perturbation (last epoch)': ranking[0].perturbation,
        'its KL(sequence)': ranking[0].klSequence,
        'measured ranking': ranking.map((r) => r.perturbation).join(' > '),
        'planted ranking': planted ? planted.ranking.join(' > ') : '',
        'top agrees with planted': rec ? yn(rec.topAgrees) : '',
        'Spearman rho vs planted': rec?.spearman ? r4(rec.spearman.rho) : '',
        'paper: top perturbation': blank(paperTop),
        'same as paper': yn(paperTop === ranking[0].perturbation),
        [`mean KL epoch ${epochs[first]}`]: r4(early),
        [`mean KL epoch ${epochs[last]}`]: r4(late),
        'more sensitive early (paper: yes)': yn(early > late),
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// 03: intrinsic vs relational importance (Figures 4, 5, 13, 14; Table 10)

/** Importance per expert (rows) and epoch (columns) of one run. */
export function importanceByEpoch(run: PaperRun, which: 'intrinsic' | 'relational', fromEpoch = 1): { epochs: number[]; z: number[][] } {
  const epochs = probedEpochs(run).filter((e) => e >= fromEpoch);
  const cols = epochs.map((e) => summaryAt(run, e)[which]);
  return { epochs, z: run.consortium.experts.map((_, i) => cols.map((c) => r4(c[i]))) };
}

/**
 * Table 10: rank agreement of routing mass (relational) and intrinsic importance over the N
 * experts, per epoch, for every run given, with the paper's value for the task beside it.
 */
export function table10Rows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    probedEpochs(run)
      .filter((e) => e >= 1)
      .map((epoch) => {
        const s = summaryAt(run, epoch);
        const a = relationalIntrinsicAgreement(s.relational, s.intrinsic);
        const paper = (PAPER_TABLE10 as Record<string, readonly { epoch: number; rho: number; pValue: number; tau: number }[]>)[run.spec.task]?.find((p) => p.epoch === epoch);
        return {
          preset: presetOf(run),
          task: run.spec.task,
          seed: run.spec.seed,
          epoch,
          rho: a ? r4(a.rho) : '',
          'rho p': a ? r4(a.rhoP) : '',
          tau: a ? r4(a.tau) : '',
          'tau p': a ? r4(a.tauP) : '',
          'paper rho': blank(paper?.rho),
          'paper p': blank(paper?.pValue),
          'paper tau': blank(paper?.tau),
        };
      }),
  );
}

/**
 * Recovery of the planted truth per run, by src/probes' recovery functions: at the last epoch,
 * the planted hub's rank by relational importance and by usage, the planted critical expert's
 * rank by intrinsic importance; over the training epochs, the divergence verdict (top intrinsic
 * vs top relational, paired masking test) scored against the planted divergence.
 */
export function recoveryRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) => {
    if (!run.truth) return [];
    const task = run.spec.task;
    const truth = taskTruthOf(run.truth, task);
    const ids = run.consortium.experts;
    const epochs = probedEpochs(run).filter((e) => e >= 1);
    const last = summaryAt(run, epochs[epochs.length - 1]);
    const rec = structureRecovery(last, truth, ids);
    const masking = run.probes.paired.find((p) => p.task === task && p.measure === 'klRouting' && p.xName === 'top-intrinsic' && p.yName === 'top-relational') ?? null;
    const verdict = divergenceVerdict(epochs.map((e) => summaryAt(run, e)), masking, ids);
    const dr = divergenceRecovery(verdict, truth);
    return [
      {
        preset: presetOf(run),
        task,
        seed: run.spec.seed,
        'planted hub': truth.hub,
        'planted critical': blank(truth.critical),
        'planted divergence': yn(truth.divergence),
        'hub rank by relational': rec.hubRankByRelational,
        'hub rank by usage': rec.hubRankByUsage,
        'critical rank by intrinsic': blank(rec.criticalRankByIntrinsic),
        'top intrinsic (modal)': verdict.topIntrinsic,
        'top relational (modal)': verdict.topRelational,
        'masking p': verdict.pValue === null ? '' : r4(verdict.pValue),
        'divergence reported': yn(verdict.reported),
        'verdict matches planted': yn(dr.correct),
        why: verdict.reason,
      },
    ];
  });
}

/** False when the preset plants no hub: every expert's planted usage on the run's task is equal. */
export function hubPlanted(run: PaperRun): boolean {
  const usage = Object.values(run.truth?.perTask[run.spec.task as keyof NonNullable<PaperRun['truth']>['perTask']]?.usage ?? {});
  return !(usage.length > 0 && Math.max(...usage) - Math.min(...usage) < 1e-9);
}

/** Over seeds: how many runs per preset and task recovered each part of the planted truth. */
export function recoverySummaryRows(runs: readonly PaperRun[]): FindingRow[] {
  const rows = recoveryRows(runs);
  return groupsOf(runs).flatMap(({ preset, task }) => {
    const rs = rows.filter((r) => r.preset === preset && r.task === task);
    if (rs.length === 0) return [];
    const count = (f: (r: FindingRow) => boolean) => `${rs.filter(f).length}/${rs.length}`;
    const run = runsOf(runs, preset, task)[0];
    return [
      {
        preset,
        task,
        'planted divergence': rs[0]['planted divergence'],
        'hub found by relational (rank 1)': run && !hubPlanted(run) ? 'none planted' : count((r) => r['hub rank by relational'] === 1),
        'critical found by intrinsic (rank 1)': rs[0]['planted critical'] === '' ? 'none planted' : count((r) => r['critical rank by intrinsic'] === 1),
        'divergence verdict correct': count((r) => r['verdict matches planted'] === 'yes'),
      },
    ];
  });
}

/**
 * The closing statement of a notebook, generated from recoveryRows (never written by hand): per
 * preset and task, the planted truth in one line and what the probes recovered over the seeds.
 */
export function recoveryStatement(runs: readonly PaperRun[]): string {
  const rows = recoveryRows(runs);
  return groupsOf(runs)
    .flatMap(({ preset, task }) => {
      const rs = rows.filter((r) => r.preset === preset && r.task === task);
      const run = runsOf(runs, preset, task)[0];
      if (rs.length === 0 || !run?.truth) return [];
      const n = rs.length;
      const k = (f: (r: FindingRow) => boolean) => rs.filter(f).length;
      const planted = run.truth.expected[task as keyof typeof run.truth.expected]?.summary ?? '';
      const hub = rs[0]['planted hub'];
      const critical = rs[0]['planted critical'];
      const divergence = rs[0]['planted divergence'] === 'yes';
      const noHub = !hubPlanted(run);
      const parts = [
        noHub ? 'no hub is planted (every planted usage is equal)' : `relational importance ranked the planted hub ${hub} first in ${k((r) => r['hub rank by relational'] === 1)}/${n} seeds`,
        critical === '' ? 'no critical expert is planted' : `intrinsic importance ranked the planted critical expert ${critical} first in ${k((r) => r['critical rank by intrinsic'] === 1)}/${n} seeds`,
        divergence
          ? `the divergence test reported the planted divergence in ${k((r) => r['divergence reported'] === 'yes')}/${n} seeds`
          : `the divergence test reported no divergence in ${k((r) => r['divergence reported'] === 'no')}/${n} seeds (none is planted${preset === 'null' ? ': the negative control' : ''})`,
      ];
      return [`- **${preset} / ${task}** (simulated). Planted: ${planted}. Recovered: ${parts.join('; ')}.`];
    })
    .join('\n');
}

/** The closing statement of the perturbation notebook, generated from perturbationRecoveryRows. */
export function perturbationStatement(runs: readonly PaperRun[]): string {
  return perturbationRecoveryRows(runs)
    .map((r) => {
      const planted = r['planted ranking'] === '' ? 'no planted sensitivity (not a simulated preset)' : `the experts lose most accuracy under ${r['planted ranking']}`;
      const hit = r['top agrees with planted'];
      const rho = r['Spearman rho vs planted'] === '' ? '' : ` (Spearman rho over the four perturbations ${r['Spearman rho vs planted']})`;
      return `- **${r.preset} / ${r.task}** (simulated). Planted: ${planted}. Probe: at the last epoch routing moves ${r['measured ranking']}${rho} — ${hit === 'yes' ? 'the planted top perturbation was recovered' : hit === 'no' ? 'the planted top perturbation was NOT recovered' : 'nothing to recover'}; the paper's top perturbation for this task is ${r['paper: top perturbation']} (${r['same as paper'] === 'yes' ? 'same' : 'different'}); sensitivity was ${r['more sensitive early (paper: yes)'] === 'yes' ? 'higher' : 'not higher'} early than late (the paper: higher early).`;
    })
    .join('\n');
}
