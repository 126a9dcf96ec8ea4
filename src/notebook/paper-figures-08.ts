/**
 * Seed 001's figures on the workbench: (a) per proposer expert, one sample vs Self-MoA (3 samples,
 * one aggregation) vs Self-MoA-Seq (6 samples, sliding window); (b) accuracy t against quality q
 * and (c) against Vendi diversity d over all configurations, with the regression's numbers.
 */
import type { Figure } from '../plots/figure';
import { formatPValue, formatSignificant } from '../plots/format';
import { groupedBar } from '../plots/grouped-bar';
import { scatterWithFit } from '../plots/scatter-with-fit';
import { presetLabel } from './paper-findings-07';
import { isTrulyMixed, type MoaPaperRun } from './paper-findings-08';

/** (a) Self-MoA and Self-MoA-Seq per expert, beside that expert's single sample. */
export function moaSelfFigure(run: MoaPaperRun): Figure {
  const self = run.result.summaries.filter((s) => s.kind === 'self');
  const experts = self.map((s) => run.configs.find((c) => c.name === s.config)!.proposers[0]);
  const seqOf = (id: string) => run.result.summaries.find((s) => s.kind === 'self-seq' && run.configs.find((c) => c.name === s.config)!.proposers[0] === id);
  return groupedBar({
    name: `moa-self-vs-seq-${presetLabel(run.spec.preset)}`,
    title: `Self-MoA and Self-MoA-Seq per proposer (${presetLabel(run.spec.preset)}, aggregator ${run.spec.aggregator})`,
    categories: experts,
    groups: [
      { name: 'one sample (mean of the proposals)', values: self.map((s) => s.quality) },
      { name: `Self-MoA (${run.spec.k} samples)`, values: self.map((s) => s.accuracy) },
      { name: `Self-MoA-Seq (${2 * run.spec.k} samples, window 3)`, values: experts.map((id) => seqOf(id)?.accuracy ?? Number.NaN) },
    ],
    xTitle: 'proposer expert',
    yTitle: 'accuracy (fraction of items)',
    yRange: [0, 1],
  });
}

function labels(run: MoaPaperRun): string[] {
  return run.result.summaries.map((s) => (s.kind === 'mixed' ? (isTrulyMixed(run, s.config) ? s.config : `${s.config} (one model)`) : s.config));
}

/** (b) t against q over the configurations. */
export function moaQualityFigure(run: MoaPaperRun): Figure {
  const g = run.result.regression;
  return scatterWithFit({
    name: `moa-accuracy-vs-quality-${presetLabel(run.spec.preset)}`,
    title: `MoA accuracy vs proposal quality (${presetLabel(run.spec.preset)})`,
    x: run.result.summaries.map((s) => s.quality),
    y: run.result.summaries.map((s) => s.accuracy),
    labels: labels(run),
    xTitle: 'quality q (mean proposal accuracy)',
    yTitle: 'accuracy t of the aggregated answer',
    annotation: g ? { text: `t = ${formatSignificant(g.alpha, 3)} q + ${formatSignificant(g.beta, 3)} d + ${formatSignificant(g.gamma, 3)}<br>R² = ${formatSignificant(g.rSquared, 3)}, p(α) = ${formatPValue(g.pAlpha)}` } : undefined,
  });
}

/** (c) t against d over the configurations. */
export function moaDiversityFigure(run: MoaPaperRun): Figure {
  const g = run.result.regression;
  return scatterWithFit({
    name: `moa-accuracy-vs-diversity-${presetLabel(run.spec.preset)}`,
    title: `MoA accuracy vs proposal diversity (${presetLabel(run.spec.preset)})`,
    x: run.result.summaries.map((s) => s.diversity),
    y: run.result.summaries.map((s) => s.accuracy),
    labels: labels(run),
    xTitle: 'diversity d (Vendi score of the proposals)',
    yTitle: 'accuracy t of the aggregated answer',
    annotation: g ? { text: `p(β) = ${formatPValue(g.pBeta)}` } : undefined,
  });
}
