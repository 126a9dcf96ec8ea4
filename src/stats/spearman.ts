import { correlationCoefficient, correlationTStatistic } from './correlation-coefficient';
import { tPValue } from './distributions';
import { StatsInputError } from './errors';
import { averageRanks } from './rank';
import { alternative as checkAlternative, atLeast, finiteArray, isConstant, sameLength } from './validate';
import type { Alternative, NumericArray } from './validate';

/** Result of {@link spearman}. */
export interface SpearmanResult {
  /** Spearman's rank correlation rho in [-1, 1] */
  rho: number;
  /** p-value for H0: rho = 0 (two-sided unless `alternative` says otherwise) */
  pValue: number;
}

/**
 * Spearman's rank correlation, matching scipy.stats.spearmanr.
 *
 * rho is Pearson's correlation of the average ranks (ties share the mean rank). The p-value
 * treats t = rho * sqrt((n-2) / ((1+rho)(1-rho))) as Student's t with n - 2 degrees of freedom,
 * exactly as scipy does (no exact permutation distribution, also for small n). The paper's Table 10
 * uses this with n = 10 experts: rho = 0.648 gives p = 0.043.
 *
 * Throws {@link StatsInputError} on mismatched lengths, non-finite values, fewer than 3 pairs,
 * or a constant sample (scipy returns NaN there; here the caller is told why).
 */
export function spearman(x: NumericArray, y: NumericArray, options: { alternative?: Alternative } = {}): SpearmanResult {
  const fn = 'spearman';
  const a = finiteArray(fn, 'x', x);
  const b = finiteArray(fn, 'y', y);
  sameLength(fn, a, b);
  atLeast(fn, 'x', a, 3, 'a p-value (n - 2 degrees of freedom)');
  if (isConstant(a) || isConstant(b)) {
    throw new StatsInputError(`${fn}: ${isConstant(a) ? 'x' : 'y'} is constant; the rank correlation is undefined`);
  }
  const rho = correlationCoefficient(averageRanks(a).ranks, averageRanks(b).ranks);
  const df = a.length - 2;
  return { rho, pValue: tPValue(correlationTStatistic(rho, df), df, checkAlternative(fn, options.alternative)) };
}
