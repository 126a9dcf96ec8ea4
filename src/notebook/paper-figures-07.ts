/**
 * Figure 15 (Appendix I): (a) the stopping distribution of the cascade, planted beside measured;
 * (b) intrinsic importance E|dp_stop/dH_i| per expert; (c) disruption when an expert is skipped:
 * the masking KL of the stopping distribution; (d) accuracy lost when skipped, planted and measured.
 * One measure per axis, so each panel is its own figure.
 */
import type { Figure } from '../plots/figure';
import { groupedBar, type BarGroup } from '../plots/grouped-bar';
import { presetLabel, type CascadeRun } from './paper-findings-07';

function summaryOf(run: CascadeRun, task: string) {
  const s = run.summaries.find((x) => x.task === task);
  if (!s) throw new Error(`figure 15: no cascade summary for task '${task}'`);
  return s;
}

/** Figure 15a: share of items each expert answers (stops the cascade). */
export function figure15Stopping(run: CascadeRun, task = 'all'): Figure {
  const s = summaryOf(run, task);
  const t = run.truth?.[task];
  const groups: BarGroup[] = [{ name: 'measured', values: s.stopFrequency }];
  if (t) groups.unshift({ name: 'planted', values: run.expertIds.map((id) => t.stopShare[id]) });
  return groupedBar({
    name: `fig15a-stopping-${presetLabel(run.preset)}`,
    title: `Figure 15a: stopping distribution (${presetLabel(run.preset)}, cascade order ${run.expertIds.join(' → ')})`,
    categories: run.expertIds,
    groups,
    xTitle: 'expert (cascade order)',
    yTitle: 'share of items stopped at the expert',
    yRange: [0, 1],
  });
}

/** Figure 15b: intrinsic importance, the stopping rule's sensitivity to each expert's entropy. */
export function figure15Intrinsic(run: CascadeRun, task = 'all'): Figure {
  const s = summaryOf(run, task);
  return groupedBar({
    name: `fig15b-intrinsic-${presetLabel(run.preset)}`,
    title: `Figure 15b: intrinsic importance E|dp_stop/dH| (${presetLabel(run.preset)})`,
    categories: run.expertIds,
    groups: [{ name: 'intrinsic importance', values: s.intrinsic }],
    xTitle: 'expert (cascade order)',
    yTitle: 'E|dp_stop(i|x)/dH_i(x)| (1/nat)',
  });
}

/** Figure 15c: KL of the stopping distribution when the expert is skipped (raw and conditional). */
export function figure15Masking(run: CascadeRun, task = 'all'): Figure {
  const s = summaryOf(run, task);
  return groupedBar({
    name: `fig15c-masking-kl-${presetLabel(run.preset)}`,
    title: `Figure 15c: stopping-distribution KL when an expert is skipped (${presetLabel(run.preset)})`,
    categories: run.expertIds,
    groups: [
      { name: 'KL(masked || baseline)', values: s.maskKl },
      { name: 'conditional KL', values: s.maskKlConditional },
    ],
    xTitle: 'skipped expert',
    yTitle: 'KL divergence (nats)',
  });
}

/** Figure 15d: the cascade's accuracy lost when the expert is skipped, planted and measured. */
export function figure15Necessity(run: CascadeRun, task = 'all'): Figure {
  const s = summaryOf(run, task);
  const t = run.truth?.[task];
  const groups: BarGroup[] = [{ name: 'measured', values: s.maskedAccuracy.map((a) => s.accuracy - a) }];
  if (t) groups.unshift({ name: 'planted', values: run.expertIds.map((id) => t.necessity[id]) });
  return groupedBar({
    name: `fig15d-accuracy-lost-${presetLabel(run.preset)}`,
    title: `Figure 15d: causal necessity, accuracy lost when skipped (${presetLabel(run.preset)})`,
    categories: run.expertIds,
    groups,
    xTitle: 'skipped expert',
    yTitle: 'cascade accuracy lost (fraction of items)',
  });
}
