// Thin typed wrappers over the @stdlib distribution functions, in the shapes the tests need.
// Tail probabilities are computed from the tail itself (never as 1 - cdf) so that tiny
// p-values keep their precision.
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tQuantileFn from '@stdlib/stats-base-dists-t-quantile';
import normalQuantileFn from '@stdlib/stats-base-dists-normal-quantile';
import fCdf from '@stdlib/stats-base-dists-f-cdf';
import type { Alternative } from './validate';

/** P-value of a t statistic with `df` degrees of freedom (scipy's `_ttest_finish`). */
export function tPValue(t: number, df: number, alternative: Alternative): number {
  if (alternative === 'less') return tCdf(t, df);
  if (alternative === 'greater') return tCdf(-t, df);
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** P-value of a standard-normal z statistic (scipy's `_normtest_finish`). */
export function normalPValue(z: number, alternative: Alternative): number {
  if (alternative === 'less') return normalCdf(z, 0, 1);
  if (alternative === 'greater') return normalCdf(-z, 0, 1);
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** Quantile function of Student's t with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  return tQuantileFn(p, df);
}

/** Standard-normal quantile function (scipy.special.ndtri). */
export function normalQuantile(p: number): number {
  return normalQuantileFn(p, 0, 1);
}

/** Standard-normal CDF (scipy.special.ndtr). */
export function normalCdfStd(z: number): number {
  return normalCdf(z, 0, 1);
}

/**
 * Upper-tail probability of an F statistic with (d1, d2) degrees of freedom, from the lower tail
 * of the reciprocal: X ~ F(d1, d2) gives 1/X ~ F(d2, d1), so P(X > f) = P(F(d2, d1) < 1/f).
 * (1 - cdf would round every p below about 1e-16 to 0.)
 */
export function fUpperTail(f: number, d1: number, d2: number): number {
  if (f <= 0) return 1;
  return fCdf(1 / f, d2, d1);
}
