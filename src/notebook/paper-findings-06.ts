/**
 * Notebook 06 (Figures 9, 10, 11; Section 4.5, Appendix F): the trained orchestrator against its
 * ablations (static uniform C, static sequence, relational-only, intrinsic-only scoring) and the
 * uniform random chain, accuracy and Gini of expert usage per task, the paper's printed numbers
 * beside them, the null preset as negative control, and recovery of the planted headroom of
 * routing (ablationRecovery). Pure functions of paper runs.
 */
import type { AblationName, AblationSummary } from '../probes/ablations';
import { ABLATIONS } from '../probes/ablations';
import { pairedOverEpochs } from '../probes/masking';
import { type FindingRow, groupsOf, runsOf } from './paper-findings';
import { ablationRecovery } from './paper-recovery';
import type { PaperRun } from './paper-runs';
import { PAPER_ABLATIONS } from './paper-values';

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : Number.NaN);
const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
const sd = (v: readonly number[]) => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};
const yn = (b: boolean) => (b ? 'yes' : 'no');

/** The ablation summary of the run's task at one epoch (undefined when not probed). */
export function ablationAt(run: PaperRun, epoch: number, ablation: AblationName): AblationSummary | undefined {
  return run.probes.epochs.find((e) => e.epoch === epoch)?.ablations?.find((a) => a.task === run.spec.task && a.ablation === ablation);
}

/** Training epochs (>= 1) with ablation probes. */
export function ablatedEpochs(run: PaperRun): number[] {
  return run.probes.epochs.filter((e) => e.epoch >= 1 && e.ablations?.length).map((e) => e.epoch).sort((a, b) => a - b);
}

/** The last probed training epoch of a run. */
export function lastAblatedEpoch(run: PaperRun): number {
  const ep = ablatedEpochs(run);
  if (ep.length === 0) throw new Error(`${run.dir}: no ablation probes`);
  return ep[ep.length - 1];
}

/** Per run, epoch and ablation: accuracy, calls per item, Gini of expert usage. */
export function ablationRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    ablatedEpochs(run).flatMap((epoch) =>
      ABLATIONS.flatMap((a) => {
        const s = ablationAt(run, epoch, a);
        return s ? [{ preset: run.spec.preset, task: run.spec.task, seed: run.spec.seed, epoch, ablation: a, variant: s.variant, accuracy: r4(s.accuracy), 'calls per item': r4(s.avgCalls), 'Gini of expert usage': r4(s.giniUsage) }] : [];
      }),
    ),
  );
}

/** Mean and sd over the seeds of a preset and task, at each seed's last epoch. */
export function ablationStat(runs: readonly PaperRun[], preset: string, task: string, ablation: AblationName, measure: 'accuracy' | 'giniUsage' | 'avgCalls'): { mean: number; sd: number; n: number } {
  const v = runsOf(runs, preset, task).flatMap((r) => {
    const s = ablationAt(r, lastAblatedEpoch(r), ablation);
    return s ? [s[measure]] : [];
  });
  return { mean: mean(v), sd: sd(v), n: v.length };
}

/**
 * The ablation table (Figures 9-11 as numbers): per task and ablation, accuracy and Gini of usage
 * at the last epoch (mean ± sd over seeds) for the preset and the null control, and what the paper
 * prints for that ablation.
 */
export function ablationTableRows(runs: readonly PaperRun[], preset: string, control: string): FindingRow[] {
  const tasks = [...new Set(groupsOf(runs).filter((g) => g.preset === preset).map((g) => g.task))];
  const f = (x: { mean: number; sd: number; n: number }) => (x.n === 0 ? '' : x.n > 1 ? `${x.mean.toFixed(3)} ± ${x.sd.toFixed(3)}` : x.mean.toFixed(3));
  const paperNote = (task: string, a: AblationName): string => {
    if (a === 'relational-only' && task in PAPER_ABLATIONS.relationalOnlyGiniAtLeast) return `Gini >= ${PAPER_ABLATIONS.relationalOnlyGiniAtLeast[task as 'gsm8k']}`;
    if (a === 'full') return `Gini ${PAPER_ABLATIONS.fullGiniRange.join('-')}; best accuracy`;
    if (a === 'intrinsic-only' && task === 'mmlu') return `+${PAPER_ABLATIONS.intrinsicOnlyGainMmluPoints} points over relational-only`;
    if (a === 'uniform') return 'lowest accuracy';
    return 'below full';
  };
  return tasks.flatMap((task) =>
    ABLATIONS.map((a) => ({
      task,
      ablation: a,
      [`accuracy ${preset}`]: f(ablationStat(runs, preset, task, a, 'accuracy')),
      [`Gini ${preset}`]: f(ablationStat(runs, preset, task, a, 'giniUsage')),
      [`accuracy ${control} (control)`]: f(ablationStat(runs, control, task, a, 'accuracy')),
      [`Gini ${control} (control)`]: f(ablationStat(runs, control, task, a, 'giniUsage')),
      paper: paperNote(task, a),
    })),
  );
}

/**
 * Full model against each ablation, paired over every (seed, training epoch) of a preset and
 * task (pairedOverEpochs: Wilcoxon and paired t); for the uniform random chain, scored against
 * the planted headroom of routing by ablationRecovery (the other ablations have no planted
 * expectation and are reported as measured).
 */
export function ablationRecoveryRows(runs: readonly PaperRun[]): FindingRow[] {
  return groupsOf(runs).flatMap(({ preset, task }) => {
    const rs = runsOf(runs, preset, task);
    const truth = rs[0]?.truth?.perTask[task as keyof NonNullable<PaperRun['truth']>['perTask']];
    return ABLATIONS.filter((a) => a !== 'full').flatMap((a) => {
      const pairs = rs.flatMap((r) =>
        ablatedEpochs(r).flatMap((e) => {
          const full = ablationAt(r, e, 'full');
          const abl = ablationAt(r, e, a);
          return full && abl ? [{ label: r.spec.seed * 1000 + e, full: full.accuracy, abl: abl.accuracy }] : [];
        }),
      );
      if (pairs.length < 2) return [];
      const t = pairedOverEpochs(task, 'accuracy', 'full', a, pairs.map((p) => p.label), pairs.map((p) => p.full), pairs.map((p) => p.abl));
      const ps = [t.tTestP, t.wilcoxonP].filter((x): x is number => x !== null);
      const p = ps.length ? Math.min(...ps) : null;
      const gain = t.meanX - t.meanY;
      const rec = a === 'uniform' && truth ? ablationRecovery(a, Object.values(truth.solo), gain, p) : null;
      return [
        {
          preset,
          task,
          ablation: a,
          'pairs (seed x epoch)': pairs.length,
          'mean accuracy full': r4(t.meanX),
          'mean accuracy ablated': r4(t.meanY),
          'full minus ablated': r4(gain),
          'Wilcoxon p': t.wilcoxonP === null ? '' : r4(t.wilcoxonP),
          'paired t p': t.tTestP === null ? '' : r4(t.tTestP),
          'full significantly better': yn(gain > 0 && p !== null && p < 0.05),
          'planted routing headroom': rec ? r4(rec.plantedHeadroom) : '',
          'full expected better (planted)': rec ? yn(rec.plantedRoutingMatters) : '',
          recovered: rec ? yn(rec.recovered) : '',
        },
      ];
    });
  });
}

/** The closing statement, generated from ablationRecoveryRows (never written by hand). */
export function ablationStatement(runs: readonly PaperRun[]): string {
  const rows = ablationRecoveryRows(runs);
  return groupsOf(runs)
    .flatMap(({ preset, task }) => {
      const u = rows.find((r) => r.preset === preset && r.task === task && r.ablation === 'uniform');
      if (!u || u.recovered === '') return [];
      const others = rows.filter((r) => r.preset === preset && r.task === task && r.ablation !== 'uniform');
      const better = others.filter((r) => r['full significantly better'] === 'yes').map((r) => r.ablation);
      const planted = u['full expected better (planted)'] === 'yes' ? `choosing the expert pays (best planted solo accuracy ${u['planted routing headroom']} above the mean expert), so learned routing should beat the uniform random chain` : `the experts are exchangeable (headroom ${u['planted routing headroom']}), so learned routing should NOT beat the uniform random chain`;
      return [
        `- **${preset} / ${task}** (simulated${preset === 'null' ? ', negative control' : ''}). Planted: ${planted}. Measured: full ${u['mean accuracy full']} vs uniform ${u['mean accuracy ablated']} (p ${u['paired t p'] === '' ? 'n/a' : u['paired t p']}) — ${u.recovered === 'yes' ? 'recovered' : 'NOT recovered'}. Full significantly above: ${better.length ? better.join(', ') : 'none of the other ablations'}.`,
      ];
    })
    .join('\n');
}
