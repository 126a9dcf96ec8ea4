import { tQuantile } from './distributions';
import { StatsInputError } from './errors';
import { atLeast, confidenceLevel, finiteArray } from './validate';
import type { NumericArray } from './validate';

/** A t-based confidence interval for a mean. */
export interface TConfidenceInterval {
  mean: number;
  lower: number;
  upper: number;
  /** half the width: t_{(1+level)/2, n-1} * standard error */
  halfWidth: number;
  /** standard error of the mean, s / sqrt(n) with the n - 1 sample standard deviation */
  standardError: number;
  df: number;
  level: number;
}

/**
 * Confidence interval for the mean of `values` from Student's t:
 * mean +/- t_{(1+level)/2, n-1} * s / sqrt(n), with s the sample (n - 1) standard deviation.
 * Matches scipy.stats.t.interval(level, n - 1, loc=mean, scale=scipy.stats.sem(values)); this is
 * the "mean +/- 95% CI across epochs" of the paper's Table 8.
 *
 * A constant sample gives a zero-width interval (s = 0), which is the correct t interval.
 * Throws {@link StatsInputError} on non-finite values, fewer than 2 values, or a level outside (0, 1).
 */
export function tConfidenceInterval(values: NumericArray, options: { level?: number } = {}): TConfidenceInterval {
  const fn = 'tConfidenceInterval';
  const xs = finiteArray(fn, 'values', values);
  atLeast(fn, 'values', xs, 2, 'a t interval (n - 1 degrees of freedom)');
  const level = confidenceLevel(fn, options.level ?? 0.95);
  const n = xs.length;
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const ss = xs.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  const standardError = Math.sqrt(ss / (n - 1) / n);
  const df = n - 1;
  const halfWidth = tQuantile((1 + level) / 2, df) * standardError;
  if (!Number.isFinite(halfWidth)) throw new StatsInputError(`${fn}: the interval is not finite (level ${level})`);
  return { mean, lower: mean - halfWidth, upper: mean + halfWidth, halfWidth, standardError, df, level };
}
