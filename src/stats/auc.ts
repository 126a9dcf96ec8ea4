/**
 * Area under the ROC curve of scores for binary labels: the probability that a random positive
 * scores above a random negative, ties counting one half. Computed from average ranks, equal to
 * the Mann-Whitney U statistic over n1 * n0 (scipy.stats.mannwhitneyu(pos, neg).statistic / (n1 n0)).
 * Pure.
 */
import { StatsInputError } from './errors';
import { averageRanks } from './rank';
import { finiteArray, type NumericArray } from './validate';

export function rocAuc(scores: NumericArray, labels: ArrayLike<number | boolean>): number {
  const fn = 'rocAuc';
  const s = finiteArray(fn, 'scores', scores);
  if (labels.length !== s.length) throw new StatsInputError(`${fn}: ${s.length} scores but ${labels.length} labels`);
  const y = Array.from(labels, (v, i) => {
    const b = typeof v === 'boolean' ? Number(v) : v;
    if (b !== 0 && b !== 1) throw new StatsInputError(`${fn}: labels[${i}] is ${String(v)}; labels must be 0/1 or booleans`);
    return b;
  });
  const n1 = y.reduce((a: number, b) => a + b, 0);
  const n0 = y.length - n1;
  if (n1 === 0 || n0 === 0) throw new StatsInputError(`${fn}: needs both classes (got ${n1} positive, ${n0} negative)`);
  const { ranks } = averageRanks(s);
  let rankSum = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) rankSum += ranks[i];
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}
