import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf';
import { normalPValue } from './distributions';
import { StatsInputError } from './errors';
import { averageRanks } from './rank';
import { alternative as checkAlternative, atLeast, finiteArray, sameLength } from './validate';
import type { Alternative, NumericArray } from './validate';

/** Options of {@link wilcoxon}; the defaults are scipy.stats.wilcoxon's. */
export interface WilcoxonOptions {
  alternative?: Alternative;
  /**
   * How zero differences are treated: 'wilcox' (default) drops them before ranking, 'pratt' ranks
   * them and then drops their ranks, 'zsplit' splits their ranks evenly between the two sums.
   */
  zeroMethod?: 'wilcox' | 'pratt' | 'zsplit';
  /** continuity correction of the normal approximation (default false, as in scipy) */
  correction?: boolean;
  /**
   * 'auto' (default): exact when n <= 50 and there are no zero differences and no ties among
   * |d|, else the normal approximation. 'exact' throws when there are ties or zeros.
   */
  method?: 'auto' | 'exact' | 'approx';
}

/** Result of {@link wilcoxon}. */
export interface WilcoxonResult {
  /** min(R+, R-) for the two-sided test, R+ (sum of ranks of positive differences) otherwise */
  statistic: number;
  pValue: number;
  /** which null distribution produced the p-value */
  method: 'exact' | 'approx';
  /** the standardised statistic, present when the normal approximation was used */
  zStatistic?: number;
  /** number of differences that entered the ranking (zeros dropped under 'wilcox') */
  n: number;
}

/**
 * Wilcoxon signed-rank test of H0: the differences d = x - y (or x itself when `y` is omitted)
 * are symmetric about zero. Matches scipy.stats.wilcoxon (1.10) with its defaults.
 *
 * The |d| are ranked (ties get average ranks); R+ and R- are the rank sums of positive and
 * negative differences. Exact p-values use the signed-rank null distribution of R+ (all 2^n sign
 * patterns equally likely, from @stdlib's signrank CDF); the two-sided p is
 * 2 min(P(R+ <= r), P(R+ >= r)), capped at 1. The approximation uses
 * z = (T - n(n+1)/4) / sqrt(n(n+1)(2n+1)/24 - sum t(t^2-1)/48) with tie groups of size t.
 * With five paired values that all differ in the same direction the exact two-sided p is
 * 2/2^5 = 0.0625, the paper's Table 11 value.
 *
 * One difference from scipy 1.10: under 'auto', scipy 1.10 still uses the exact distribution
 * when |d| has ties (truncating the non-integer rank sum); here ties switch to the tie-corrected
 * normal approximation, as the exact distribution assumes untied ranks (current scipy also leaves
 * the exact table with ties, enumerating sign flips for n <= 13). Throws {@link StatsInputError} on mismatched lengths,
 * non-finite values, an empty sample, or (for 'wilcox'/'pratt') differences that are all zero.
 */
export function wilcoxon(x: NumericArray, y?: NumericArray, options: WilcoxonOptions = {}): WilcoxonResult {
  const fn = 'wilcoxon';
  const a = finiteArray(fn, 'x', x);
  let d = a;
  if (y !== undefined) {
    const b = finiteArray(fn, 'y', y);
    sameLength(fn, a, b);
    d = a.map((v, i) => v - b[i]);
  }
  atLeast(fn, y === undefined ? 'x' : 'x - y', d, 1, 'the signed-rank test');
  const alternative = checkAlternative(fn, options.alternative);
  const zeroMethod = options.zeroMethod ?? 'wilcox';
  if (zeroMethod !== 'wilcox' && zeroMethod !== 'pratt' && zeroMethod !== 'zsplit') {
    throw new StatsInputError(`${fn}: zeroMethod must be 'wilcox', 'pratt' or 'zsplit', got '${String(zeroMethod)}'`);
  }
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'approx') {
    throw new StatsInputError(`${fn}: method must be 'auto', 'exact' or 'approx', got '${String(requested)}'`);
  }

  const nZero = d.filter((v) => v === 0).length;
  if (nZero === d.length && zeroMethod !== 'zsplit') {
    throw new StatsInputError(`${fn}: every difference is zero; the test is undefined with zeroMethod '${zeroMethod}'`);
  }
  if (zeroMethod === 'wilcox') d = d.filter((v) => v !== 0);

  const { ranks } = averageRanks(d.map(Math.abs));
  const nonzeroTies = averageRanks(d.filter((v) => v !== 0).map(Math.abs)).tieSizes;
  const hasTies = nonzeroTies.length > 0;

  let method: 'exact' | 'approx';
  if (requested === 'exact') {
    if (nZero > 0 || hasTies) {
      throw new StatsInputError(
        `${fn}: the differences contain ${nZero > 0 ? 'zeros' : 'ties'}, so the exact distribution does not apply; use method 'approx' or 'auto'`,
      );
    }
    method = 'exact';
  } else if (requested === 'approx') {
    method = 'approx';
  } else {
    method = d.length <= 50 && nZero === 0 && !hasTies ? 'exact' : 'approx';
  }

  const count = d.length;
  let rPlus = 0;
  let rMinus = 0;
  let rZero = 0;
  for (let i = 0; i < count; i++) {
    if (d[i] > 0) rPlus += ranks[i];
    else if (d[i] < 0) rMinus += ranks[i];
    else rZero += ranks[i];
  }
  if (zeroMethod === 'zsplit') {
    rPlus += rZero / 2;
    rMinus += rZero / 2;
  }
  const statistic = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;

  if (method === 'exact') {
    const maxSum = (count * (count + 1)) / 2;
    const atMost = (r: number): number => signrankCdf(r, count);
    let pValue: number;
    if (alternative === 'two-sided') {
      // the null distribution of R+ is symmetric about maxSum/2, so P(R+ >= r) = P(R+ <= maxSum - r)
      pValue = rPlus === Math.floor(maxSum / 2) ? 1 : 2 * Math.min(atMost(rPlus), atMost(maxSum - rPlus));
    } else if (alternative === 'greater') {
      pValue = atMost(maxSum - rPlus);
    } else {
      pValue = atMost(rPlus);
    }
    return { statistic, pValue: Math.min(1, Math.max(0, pValue)), method, n: count };
  }

  let mean = (count * (count + 1)) / 4;
  let varianceTimes24 = count * (count + 1) * (2 * count + 1);
  if (zeroMethod === 'pratt') {
    // Cureton's adjustment: the zero ranks 1..nZero are excluded from the sums
    mean -= (nZero * (nZero + 1)) / 4;
    varianceTimes24 -= nZero * (nZero + 1) * (2 * nZero + 1);
  }
  // tie correction over groups of equal |d| among the ranks that count ('zsplit' keeps the zeros)
  const tieGroups = zeroMethod === 'zsplit' ? averageRanks(d.map(Math.abs)).tieSizes : nonzeroTies;
  for (const t of tieGroups) varianceTimes24 -= 0.5 * t * (t * t - 1);
  const se = Math.sqrt(varianceTimes24 / 24);
  let shift = 0;
  if (options.correction) {
    if (alternative === 'two-sided') shift = 0.5 * Math.sign(statistic - mean);
    else shift = alternative === 'less' ? -0.5 : 0.5;
  }
  const z = (statistic - mean - shift) / se;
  return { statistic, pValue: normalPValue(z, alternative), method, zStatistic: z, n: count };
}
