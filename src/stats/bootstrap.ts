import { normalCdfStd, normalQuantile } from './distributions';
import { StatsInputError } from './errors';
import { seededRandom } from './seeded-random';
import { atLeast, confidenceLevel, finiteArray } from './validate';
import type { NumericArray } from './validate';

/** A statistic computed from one sample, e.g. the mean or the median. */
export type SampleStatistic = (sample: readonly number[]) => number;

/** Options of {@link bootstrapConfidenceInterval}. */
export interface BootstrapOptions {
  /** the statistic to bootstrap (default: the mean) */
  statistic?: SampleStatistic;
  /** confidence level (default 0.95) */
  level?: number;
  /** number of resamples (default 9999, scipy's default) */
  resamples?: number;
  /** seed of the resampling generator (default 0); the same seed gives the same interval */
  seed?: number;
  /** 'bca' (default, as scipy.stats.bootstrap) or 'percentile' */
  method?: 'bca' | 'percentile';
}

/** A bootstrap confidence interval. */
export interface BootstrapInterval {
  /** the statistic on the original sample */
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  method: 'bca' | 'percentile';
  /** standard deviation (n - 1) of the bootstrap distribution */
  standardError: number;
  resamples: number;
}

const sampleMean: SampleStatistic = (s) => s.reduce((a, v) => a + v, 0) / s.length;

/** numpy.percentile's default ('linear') rule: interpolate between the order statistics around q (n - 1). */
function percentileOfSorted(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The statistic on `resamples` samples drawn with replacement from `data`, using a seeded
 * generator (so the result is reproducible, though not the same draws numpy would make).
 */
export function bootstrapDistribution(
  data: NumericArray,
  statistic: SampleStatistic = sampleMean,
  resamples = 9999,
  seed = 0,
): number[] {
  const fn = 'bootstrapDistribution';
  const xs = finiteArray(fn, 'data', data);
  atLeast(fn, 'data', xs, 2, 'resampling');
  if (!Number.isInteger(resamples) || resamples < 2) {
    throw new StatsInputError(`${fn}: resamples must be an integer >= 2, got ${resamples}`);
  }
  const random = seededRandom(seed);
  const n = xs.length;
  const sample = new Array<number>(n);
  const out = new Array<number>(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) sample[i] = xs[Math.floor(random() * n)];
    out[b] = statistic(sample);
  }
  return out;
}

/**
 * Turns a bootstrap distribution into a confidence interval, following scipy.stats.bootstrap.
 *
 * Percentile: the alpha/2 and 1 - alpha/2 percentiles of the distribution (alpha = 1 - level).
 * BCa (Efron & Tibshirani 1993, 14.3): percentiles at Phi(z0 + (z0 + z)/(1 - a (z0 + z))) for
 * z = Phi^-1(alpha/2) and Phi^-1(1 - alpha/2), where the bias correction z0 = Phi^-1 of the share of
 * bootstrap values below the estimate (ties count half) and the acceleration
 * a = sum U^3 / (6 (sum U^2)^1.5) from the jackknife values U_i = (n - 1)(mean_j theta_(j) - theta_(i)).
 * Given the same distribution this reproduces scipy's interval exactly.
 */
export function bootstrapInterval(
  data: NumericArray,
  distribution: readonly number[],
  options: Omit<BootstrapOptions, 'resamples' | 'seed'> = {},
): BootstrapInterval {
  const fn = 'bootstrapInterval';
  const xs = finiteArray(fn, 'data', data);
  const dist = finiteArray(fn, 'distribution', distribution);
  atLeast(fn, 'distribution', dist, 2, 'an interval');
  const statistic = options.statistic ?? sampleMean;
  const level = confidenceLevel(fn, options.level ?? 0.95);
  const method = options.method ?? 'bca';
  if (method !== 'bca' && method !== 'percentile') {
    throw new StatsInputError(`${fn}: method must be 'bca' or 'percentile', got '${String(method)}'`);
  }
  const estimate = statistic(xs);
  const alpha = (1 - level) / 2;
  let qLow = alpha;
  let qHigh = 1 - alpha;

  if (method === 'bca') {
    const below = dist.filter((v) => v < estimate).length;
    const atOrBelow = dist.filter((v) => v <= estimate).length;
    const z0 = normalQuantile((below + atOrBelow) / (2 * dist.length));
    const n = xs.length;
    const jackknife = xs.map((_, i) => statistic(xs.filter((__, j) => j !== i)));
    const jackMean = jackknife.reduce((s, v) => s + v, 0) / n;
    let num = 0;
    let den = 0;
    for (const v of jackknife) {
      const u = (n - 1) * (jackMean - v);
      num += u * u * u;
      den += u * u;
    }
    // scipy divides the sums by n^3 and n^2 first; the ratio is the same
    const a = num / n ** 3 / 6 / (den / n ** 2) ** 1.5;
    const adjust = (z: number): number => normalCdfStd(z0 + (z0 + z) / (1 - a * (z0 + z)));
    qLow = adjust(normalQuantile(alpha));
    qHigh = adjust(-normalQuantile(alpha));
    if (!Number.isFinite(qLow) || !Number.isFinite(qHigh)) {
      throw new StatsInputError(
        `${fn}: the BCa interval is undefined here (degenerate bootstrap distribution or jackknife); use method 'percentile'`,
      );
    }
  }
  const sorted = [...dist].sort((p, q) => p - q);
  const mean = dist.reduce((s, v) => s + v, 0) / dist.length;
  const standardError = Math.sqrt(dist.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (dist.length - 1));
  return {
    estimate,
    lower: percentileOfSorted(sorted, qLow),
    upper: percentileOfSorted(sorted, qHigh),
    level,
    method,
    standardError,
    resamples: dist.length,
  };
}

/**
 * Seeded bootstrap confidence interval for a statistic of one sample (default: the mean, BCa,
 * 95%, 9999 resamples, seed 0), the counterpart of scipy.stats.bootstrap. For paired data,
 * bootstrap the differences. Throws {@link StatsInputError} on non-finite values, fewer than two
 * values, or a degenerate BCa case.
 */
export function bootstrapConfidenceInterval(data: NumericArray, options: BootstrapOptions = {}): BootstrapInterval {
  const distribution = bootstrapDistribution(data, options.statistic, options.resamples ?? 9999, options.seed ?? 0);
  return bootstrapInterval(data, distribution, options);
}
