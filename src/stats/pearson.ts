import { correlationCoefficient, correlationTStatistic } from './correlation-coefficient';
import { tPValue } from './distributions';
import { StatsInputError } from './errors';
import { alternative as checkAlternative, atLeast, finiteArray, isConstant, sameLength } from './validate';
import type { Alternative, NumericArray } from './validate';

/** Result of {@link pearson}. */
export interface PearsonResult {
  /** Pearson's correlation coefficient r in [-1, 1] */
  r: number;
  /** p-value for H0: r = 0 */
  pValue: number;
}

/**
 * Pearson's linear correlation with the p-value of scipy.stats.pearsonr: under H0 (independent
 * normal samples) t = r sqrt((n-2)/(1-r^2)) follows Student's t with n - 2 degrees of freedom
 * (scipy states the same test through a beta distribution on r; the two are identical).
 *
 * Throws {@link StatsInputError} on mismatched lengths, non-finite values, fewer than 3 pairs,
 * or a constant sample (the correlation is then undefined).
 */
export function pearson(x: NumericArray, y: NumericArray, options: { alternative?: Alternative } = {}): PearsonResult {
  const fn = 'pearson';
  const a = finiteArray(fn, 'x', x);
  const b = finiteArray(fn, 'y', y);
  sameLength(fn, a, b);
  atLeast(fn, 'x', a, 3, 'a p-value (n - 2 degrees of freedom)');
  if (isConstant(a) || isConstant(b)) {
    throw new StatsInputError(`${fn}: ${isConstant(a) ? 'x' : 'y'} is constant; the correlation is undefined`);
  }
  const r = correlationCoefficient(a, b);
  const df = a.length - 2;
  return { r, pValue: tPValue(correlationTStatistic(r, df), df, checkAlternative(fn, options.alternative)) };
}
