import { tPValue, tQuantile } from './distributions';
import { StatsInputError } from './errors';
import { alternative as checkAlternative, atLeast, confidenceLevel, finiteArray, sameLength } from './validate';
import type { Alternative, NumericArray } from './validate';

/** Options of {@link pairedTTest}. */
export interface PairedTTestOptions {
  alternative?: Alternative;
  /** level of the confidence interval for the mean difference (default 0.95) */
  confidenceLevel?: number;
}

/** Result of {@link pairedTTest}. */
export interface PairedTTestResult {
  t: number;
  /** degrees of freedom, n - 1 */
  df: number;
  pValue: number;
  /** mean of x - y */
  meanDifference: number;
  /** s_d / sqrt(n) */
  standardError: number;
  /** confidence interval for the mean difference (one-sided alternatives give a half-line) */
  confidenceInterval: { lower: number; upper: number; level: number };
}

/**
 * Paired (dependent-samples) t-test of H0: mean(x - y) = 0, matching scipy.stats.ttest_rel and
 * its `confidence_interval()`: with d = x - y, t = mean(d) / (s_d / sqrt(n)), s_d the n - 1
 * standard deviation, compared with Student's t on n - 1 degrees of freedom.
 *
 * Throws {@link StatsInputError} on mismatched lengths, non-finite values, fewer than 2 pairs, or
 * differences with zero variance (t would be infinite or 0/0; scipy returns inf or NaN there).
 */
export function pairedTTest(x: NumericArray, y: NumericArray, options: PairedTTestOptions = {}): PairedTTestResult {
  const fn = 'pairedTTest';
  const a = finiteArray(fn, 'x', x);
  const b = finiteArray(fn, 'y', y);
  sameLength(fn, a, b);
  atLeast(fn, 'x', a, 2, 'a paired t-test (n - 1 degrees of freedom)');
  const alternative = checkAlternative(fn, options.alternative);
  const level = confidenceLevel(fn, options.confidenceLevel ?? 0.95);
  const d = a.map((v, i) => v - b[i]);
  const n = d.length;
  const meanDifference = d.reduce((s, v) => s + v, 0) / n;
  const ss = d.reduce((s, v) => s + (v - meanDifference) * (v - meanDifference), 0);
  if (ss === 0) {
    throw new StatsInputError(`${fn}: every difference x - y equals ${meanDifference}; with zero variance the t statistic is undefined`);
  }
  const standardError = Math.sqrt(ss / (n - 1) / n);
  const df = n - 1;
  const t = meanDifference / standardError;

  let lower = -Infinity;
  let upper = Infinity;
  if (alternative === 'two-sided') {
    const h = tQuantile((1 + level) / 2, df) * standardError;
    lower = meanDifference - h;
    upper = meanDifference + h;
  } else if (alternative === 'less') {
    upper = meanDifference + tQuantile(level, df) * standardError;
  } else {
    lower = meanDifference - tQuantile(level, df) * standardError;
  }
  return { t, df, pValue: tPValue(t, df, alternative), meanDifference, standardError, confidenceInterval: { lower, upper, level } };
}
