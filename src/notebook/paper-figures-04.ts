/**
 * Figures 6 and 7: collaboration entropy (a), ordering entropy (b) and successor centralization
 * (c) over training epochs, one panel per measure, one line per task; the null preset's lines
 * dashed as the negative control. Mean over a preset's seeds, band min-max.
 */
import type { Figure } from '../plots/figure';
import { lineOverEpochs, type LineSeries } from '../plots/line-over-epochs';
import { seriesColor } from '../plots/theme';
import { CENTRALIZATION_MEASURES, type CentralizationMeasure } from './paper-findings-04';
import { probedEpochs, runsOf, summaryAt } from './paper-findings';
import type { PaperRun } from './paper-runs';

const TASK_LABEL: Record<string, string> = { gsm8k: 'GSM8K', mmlu: 'MMLU', humaneval: 'HumanEval' };

function meanSeries(runs: readonly PaperRun[], measure: CentralizationMeasure): Pick<LineSeries, 'epochs' | 'values' | 'band'> {
  const epochs = probedEpochs(runs[0]);
  const per = epochs.map((e) => runs.map((r) => summaryAt(r, e)[measure]));
  const values = per.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  return runs.length < 2 ? { epochs, values } : { epochs, values, band: { lower: per.map((v) => Math.min(...v)), upper: per.map((v) => Math.max(...v)) } };
}

/** Figure 6 (figure = 6, the homogeneous consortium) or 7 (heterogeneous), with the control dashed. */
export function centralizationFigure(runs: readonly PaperRun[], figure: 6 | 7, preset: string, control: string | null, tasks: readonly string[]): Figure {
  const series: LineSeries[] = [];
  // one colour per task and one dash per consortium in every panel; the panel letter (a, b, c) keeps legend names unique
  (Object.keys(CENTRALIZATION_MEASURES) as CentralizationMeasure[]).forEach((measure, m) => {
    for (const p of control ? [preset, control] : [preset]) {
      tasks.forEach((task, t) => {
        const rs = runsOf(runs, p, task);
        if (rs.length === 0) return;
        series.push({ name: `${TASK_LABEL[task] ?? task}, ${p} (${'abc'[m]})`, measure: CENTRALIZATION_MEASURES[measure], color: seriesColor(t), dash: p === preset ? 'solid' : 'dash', ...meanSeries(rs, measure) });
      });
    }
  });
  return lineOverEpochs({
    name: `figure-${figure}-confidence-centralization-${preset}`,
    title: `Figure ${figure}: routing confidence, ordering and centralization over training (simulated ${preset}${control ? `; ${control} dashed` : ''})`,
    xTitle: 'epoch (0 = untrained)',
    series,
  });
}
