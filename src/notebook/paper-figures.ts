/**
 * Figure builders of the paper notebooks: each takes paper runs and returns src/plots figures
 * (interactive in a notebook, exported with exportFigure). Titles say the consortium is simulated
 * where it is; the data behind each figure is its `source` (written as CSV/JSON on export).
 */
import * as path from 'node:path';
import type { Figure } from '../plots/figure';
import { heatmap } from '../plots/heatmap';
import { lineOverEpochs, type LineSeries } from '../plots/line-over-epochs';
import { scatterWithFit } from '../plots/scatter-with-fit';
import { relationalIntrinsicAgreement } from '../probes/recovery';
import { PERTURBATIONS } from '../tasks/perturb';
import { probedEpochs, runsOf, summaryAt, collaborationMatrices, effectiveSuccessors, importanceByEpoch, perturbationSeries } from './paper-findings';
import type { PaperRun } from './paper-runs';

const TASK_LABEL: Record<string, string> = { gsm8k: 'GSM8K', mmlu: 'MMLU', humaneval: 'HumanEval' };
const taskLabel = (t: string) => TASK_LABEL[t] ?? t;
const sim = (run: PaperRun) => (run.consortium.simulated ? 'simulated ' : '');
/** The run folder's name (<preset>-<task>-s<seed>, made file-safe), for figure names. */
const tag = (run: PaperRun) => path.basename(run.dir);

/** Figure 2: mean collaboration matrix C at the first training epoch and at the last one. */
export function figure2(run: PaperRun, epochs?: [number, number]): Figure[] {
  const all = collaborationMatrices(run);
  const trained = all.filter((m) => m.epoch >= 1);
  const pick = epochs ?? [trained[0].epoch, trained[trained.length - 1].epoch];
  const ids = run.consortium.experts;
  return pick.map((epoch, k) => {
    const m = all.find((x) => x.epoch === epoch);
    if (!m) throw new Error(`figure2: ${run.dir} has no probes at epoch ${epoch}`);
    return heatmap({
      name: `figure-2${'ab'[k]}-collaboration-epoch-${epoch}-${tag(run)}`,
      title: `Mean C(x) on held-out ${taskLabel(run.spec.task)} items, epoch ${epoch} (${sim(run)}${run.spec.preset}, seed ${run.spec.seed})`,
      z: m.meanC,
      x: ids,
      y: ids,
      xTitle: 'successor expert j',
      yTitle: 'current expert i',
      zTitle: 'C_ij (transition probability)',
      zmin: 0,
    });
  });
}

/** Table 2 as lines: each expert's share of chain starts s(x) over epochs. */
export function startDistributionFigure(run: PaperRun): Figure {
  const epochs = probedEpochs(run);
  return lineOverEpochs({
    name: `table-2-start-distribution-${tag(run)}`,
    title: `Start distribution s(x) over epochs, ${taskLabel(run.spec.task)} (${sim(run)}${run.spec.preset}, seed ${run.spec.seed})`,
    xTitle: 'epoch (0 = untrained)',
    series: run.consortium.experts.map((id, i): LineSeries => ({ name: id, epochs, values: epochs.map((e) => summaryAt(run, e).meanS[i]), measure: 'mean start probability s_i(x)' })),
  });
}

function meanBand(runs: readonly PaperRun[], f: (run: PaperRun, epoch: number) => number): { epochs: number[]; values: number[]; band?: { lower: number[]; upper: number[] } } {
  const epochs = probedEpochs(runs[0]);
  const per = epochs.map((e) => runs.map((r) => f(r, e)));
  const values = per.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  if (runs.length < 2) return { epochs, values };
  return { epochs, values, band: { lower: per.map((v) => Math.min(...v)), upper: per.map((v) => Math.max(...v)) } };
}

/**
 * Study I/II: routing concentration over epochs per preset (mean over seeds, band = min..max):
 * collaboration entropy, successor centralization (Gini of incoming mass) and start entropy.
 */
export function concentrationFigure(runs: readonly PaperRun[], task: string, presets: readonly string[]): Figure {
  const series: LineSeries[] = [];
  for (const [k, preset] of presets.entries()) {
    const rs = runsOf(runs, preset, task);
    if (rs.length === 0) continue;
    const dash = k === 0 ? 'solid' : 'dash';
    series.push({ name: `${preset}: collaboration entropy`, measure: 'collaboration entropy (nats)', dash, ...meanBand(rs, (r, e) => summaryAt(r, e).collabEntropy) });
    series.push({ name: `${preset}: Gini of incoming mass`, measure: 'Gini of incoming mass', dash, ...meanBand(rs, (r, e) => summaryAt(r, e).giniIncoming) });
    series.push({ name: `${preset}: start entropy`, measure: 'start entropy H(mean s) (nats)', dash, ...meanBand(rs, (r, e) => summaryAt(r, e).orderingEntropy) });
  }
  return lineOverEpochs({
    name: `study-1-2-concentration-${task}`,
    title: `Routing concentration over training, ${taskLabel(task)}: ${presets.join(' vs ')} (simulated; mean over seeds, band min-max)`,
    xTitle: 'epoch (0 = untrained)',
    series,
  });
}

/** Effective number of successors over epochs (exp entropy of incoming mass) per preset. */
export function effectiveSuccessorsFigure(runs: readonly PaperRun[], task: string, presets: readonly string[]): Figure {
  return lineOverEpochs({
    name: `study-1-effective-successors-${task}`,
    title: `Effective number of successors over training, ${taskLabel(task)} (simulated; mean over seeds)`,
    xTitle: 'epoch (0 = untrained)',
    series: presets.flatMap((preset) => {
      const rs = runsOf(runs, preset, task);
      return rs.length ? [{ name: preset, measure: 'effective successors exp(H(u / sum u)) (experts)', ...meanBand(rs, (r, e) => effectiveSuccessors(summaryAt(r, e).relational)) }] : [];
    }),
  });
}

/** Figure 3: KL of the sequence distribution under each perturbation over epochs (mean over seeds), preset solid, control dashed. */
export function figure3(runs: readonly PaperRun[], task: string, presets: readonly string[], measure: 'klSequence' | 'deltaSequenceEntropy' = 'klSequence'): Figure {
  const label = measure === 'klSequence' ? 'KL(s_base || s_perturbed) (nats)' : 'change in start entropy H(s) (nats)';
  const series: LineSeries[] = [];
  presets.forEach((preset, k) => {
    const { epochs, series: s } = perturbationSeries(runs, preset, task, measure);
    for (const kind of PERTURBATIONS) {
      const values = s[kind];
      if (values) series.push({ name: `${kind} (${preset})`, epochs, values, measure: label, dash: k === 0 ? 'solid' : 'dash' });
    }
  });
  return lineOverEpochs({
    name: `figure-3-${measure === 'klSequence' ? 'kl' : 'entropy'}-${task}`,
    title: `${measure === 'klSequence' ? 'Routing sensitivity' : 'Start-entropy change'} under prompt perturbations, ${taskLabel(task)} (simulated; ${presets.join(' solid, ')} dashed)`,
    xTitle: 'epoch (0 = untrained)',
    series,
  });
}

/** Figures 4/13 and 5/14: intrinsic or relational importance per expert and epoch, one run. */
export function importanceHeatmap(run: PaperRun, which: 'intrinsic' | 'relational'): Figure {
  const { epochs, z } = importanceByEpoch(run, which);
  const fig = which === 'intrinsic' ? 'figure-4-intrinsic' : 'figure-5-relational';
  return heatmap({
    name: `${fig}-${tag(run)}`,
    title: `${which === 'intrinsic' ? 'Intrinsic importance I(E_i)' : 'Relational importance u_j'}, ${taskLabel(run.spec.task)} (${sim(run)}${run.spec.preset}, seed ${run.spec.seed})`,
    z,
    x: epochs.map((e) => String(e)),
    y: run.consortium.experts,
    xTitle: 'training epoch',
    yTitle: 'expert',
    zTitle: which === 'intrinsic' ? 'I(E_i) (gradient norm)' : 'u_j (incoming mass)',
    zmin: 0,
    digits: 2,
  });
}

/** Relational vs intrinsic importance over experts at one epoch, with Spearman/Kendall. */
export function relationalVsIntrinsicFigure(run: PaperRun, epoch?: number): Figure {
  const ep = epoch ?? probedEpochs(run)[probedEpochs(run).length - 1];
  const s = summaryAt(run, ep);
  const a = relationalIntrinsicAgreement(s.relational, s.intrinsic);
  return scatterWithFit({
    name: `relational-vs-intrinsic-${tag(run)}-epoch-${ep}`,
    title: `Routing mass vs intrinsic importance, ${taskLabel(run.spec.task)} epoch ${ep} (${sim(run)}${run.spec.preset}, seed ${run.spec.seed})`,
    x: s.relational,
    y: s.intrinsic,
    labels: run.consortium.experts,
    xTitle: 'relational importance u_j (incoming mass)',
    yTitle: 'intrinsic importance I(E_i) (gradient norm)',
    annotation: a ? { rho: a.rho, pValue: a.rhoP, text: `Kendall τ = ${a.tau.toFixed(3)}, p = ${a.tauP.toPrecision(2)}; N = ${run.consortium.experts.length} experts` } : { text: 'a constant side: no rank correlation' },
  });
}
