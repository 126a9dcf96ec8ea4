import { StatsInputError } from './errors';
import { alternative as checkAlternative } from './validate';
import type { Alternative } from './validate';

/** Options of {@link binomialTest}. */
export interface BinomialTestOptions {
  /** the success probability under H0 (default 0.5) */
  p?: number;
  alternative?: Alternative;
}

/** Result of {@link binomialTest}. */
export interface BinomialTestResult {
  k: number;
  n: number;
  pValue: number;
  /** k / n */
  statistic: number;
}

/** log C(n, k) + k log p + (n - k) log(1 - p): the log probability of k successes in n trials. */
function logPmf(logFact: Float64Array, n: number, k: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  return logFact[n] - logFact[k] - logFact[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * Exact binomial test of H0: the success probability is p, given k successes in n trials;
 * matches scipy.stats.binomtest(k, n, p, alternative).pvalue. The two-sided p-value sums the
 * probabilities of every outcome no more likely than k (with scipy's relative tolerance 1e-7).
 * With k the items a change lost and n the items it changed either way, it is the exact McNemar
 * test (statsmodels' `mcnemar(exact=True)`).
 */
export function binomialTest(k: number, n: number, opts: BinomialTestOptions = {}): BinomialTestResult {
  if (!(Number.isInteger(n) && n >= 1)) throw new StatsInputError(`binomialTest: n must be an integer >= 1, got ${n}`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new StatsInputError(`binomialTest: k must be an integer in 0..n (${n}), got ${k}`);
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new StatsInputError(`binomialTest: p must be in [0, 1], got ${p}`);
  const alt = checkAlternative('binomialTest', opts.alternative);
  const logFact = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  const pmf = (i: number) => Math.exp(logPmf(logFact, n, i, p));
  const sum = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i <= to; i++) s += pmf(i);
    return s;
  };
  let pValue: number;
  if (alt === 'less') pValue = sum(0, k);
  else if (alt === 'greater') pValue = sum(k, n);
  else if (k === p * n) pValue = 1;
  else {
    const d = pmf(k) * (1 + 1e-7);
    pValue = 0;
    for (let i = 0; i <= n; i++) {
      const q = pmf(i);
      if (q <= d) pValue += q;
    }
  }
  return { k, n, pValue: Math.min(1, pValue), statistic: k / n };
}
