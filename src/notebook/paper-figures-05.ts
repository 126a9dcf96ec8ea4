/**
 * Figure 8: KL divergence of the sequence distribution s(x) and of the routing distribution (rows
 * of C) when the top-intrinsic expert is masked, over training epochs, for one task; the preset
 * solid, the null control dashed (mean over seeds, band min-max). Plus the accuracy cost of
 * masking the planted hub and critical expert over epochs.
 */
import type { Figure } from '../plots/figure';
import { lineOverEpochs, type LineSeries } from '../plots/line-over-epochs';
import { seriesColor } from '../plots/theme';
import { runsOf } from './paper-findings';
import { maskedEpochs, maskingAt } from './paper-findings-05';
import type { PaperRun } from './paper-runs';

const TASK_LABEL: Record<string, string> = { gsm8k: 'GSM8K', mmlu: 'MMLU', humaneval: 'HumanEval' };
const CONDITIONAL = 'conditional KL(b restricted || masked) (nats)';
const RAW = 'raw KL(masked || baseline) (nats)';

function band(rs: readonly PaperRun[], f: (run: PaperRun, epoch: number) => number | undefined): Pick<LineSeries, 'epochs' | 'values' | 'band'> | null {
  const epochs = maskedEpochs(rs[0]);
  const per = epochs.map((e) => rs.map((r) => f(r, e)).filter((x): x is number => x !== undefined && Number.isFinite(x)));
  if (per.some((v) => v.length === 0)) return null;
  const values = per.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  return rs.length < 2 ? { epochs, values } : { epochs, values, band: { lower: per.map((v) => Math.min(...v)), upper: per.map((v) => Math.max(...v)) } };
}

export function figure8(runs: readonly PaperRun[], task: string, presets: readonly string[]): Figure {
  const series: LineSeries[] = [];
  presets.forEach((preset, k) => {
    const rs = runsOf(runs, preset, task);
    if (rs.length === 0) return;
    // colour: sequence vs routing; dash: preset vs control
    for (const [measure, label, axis, c] of [
      ['klSequence', 'sequence KL', CONDITIONAL, 0],
      ['klRouting', 'routing KL', CONDITIONAL, 1],
      ['rawKlSequence', 'raw sequence KL', RAW, 0],
      ['rawKlRouting', 'raw routing KL', RAW, 1],
    ] as const) {
      const b = band(rs, (r, e) => maskingAt(r, e, 'top-intrinsic')?.[measure]);
      if (b) series.push({ name: `${label} (${preset})`, measure: axis, color: seriesColor(c), dash: k === 0 ? 'solid' : 'dash', ...b });
    }
  });
  return lineOverEpochs({
    name: `figure-8-masking-top-intrinsic-${task}`,
    title: `Figure 8: masking the top-intrinsic expert, ${TASK_LABEL[task] ?? task} (simulated; ${presets.join(' solid, ')} dashed; mean over seeds)`,
    xTitle: 'training epoch',
    series,
  });
}

/** Accuracy change when the planted hub / critical expert is masked, over epochs, one task. */
export function maskingCostFigure(run: PaperRun, experts: readonly string[]): Figure {
  const ids = run.consortium.experts;
  const series: LineSeries[] = experts.flatMap((id) => {
    const b = band([run], (r, e) => maskingAt(r, e, `expert-${ids.indexOf(id)}`)?.accuracyChange);
    return b ? [{ name: `mask ${id}`, measure: 'accuracy change (masked - unmasked)', ...b }] : [];
  });
  return lineOverEpochs({
    name: `masking-accuracy-cost-${run.spec.preset}-${run.spec.task}-s${run.spec.seed}`,
    title: `Accuracy cost of masking ${experts.join(' / ')}, ${TASK_LABEL[run.spec.task] ?? run.spec.task} (simulated ${run.spec.preset}, seed ${run.spec.seed})`,
    xTitle: 'training epoch',
    series,
  });
}
