import { normalPValue } from './distributions';
import { StatsInputError } from './errors';
import { kendallExactPValue } from './kendall-exact';
import { averageRanks } from './rank';
import { alternative as checkAlternative, atLeast, finiteArray, sameLength } from './validate';
import type { Alternative, NumericArray } from './validate';

/** Options of {@link kendallTau}. */
export interface KendallTauOptions {
  alternative?: Alternative;
  /**
   * 'auto' (default) is scipy's rule: exact when neither sample has ties and n <= 33 (or the
   * data are at most one swap away from perfect order), asymptotic otherwise.
   */
  method?: 'auto' | 'exact' | 'asymptotic';
}

/** Result of {@link kendallTau}. */
export interface KendallTauResult {
  /** Kendall's tau-b in [-1, 1] */
  tau: number;
  /** p-value for H0: tau = 0 */
  pValue: number;
  /** which null distribution produced the p-value */
  method: 'exact' | 'asymptotic';
}

/** Sums over tie groups that enter the tau-b variance: sum t(t-1)/2, sum t(t-1)(t-2), sum t(t-1)(2t+5). */
function tieTerms(values: readonly number[]): { pairs: number; v0: number; v1: number } {
  let pairs = 0;
  let v0 = 0;
  let v1 = 0;
  for (const t of averageRanks(values).tieSizes) {
    pairs += (t * (t - 1)) / 2;
    v0 += t * (t - 1) * (t - 2);
    v1 += t * (t - 1) * (2 * t + 5);
  }
  return { pairs, v0, v1 };
}

/**
 * Kendall's tau-b with the p-value scipy.stats.kendalltau (1.10, variant 'b') reports.
 *
 * tau_b = (C - D) / sqrt((P - Tx)(P - Ty)), where C and D count concordant and discordant pairs,
 * P = n(n-1)/2 and Tx, Ty count pairs tied in x and in y. The p-value is exact (the permutation
 * distribution of C) when there are no ties and n <= 33; otherwise C - D is treated as normal with
 * variance (v0 - vx - vy)/18 + 2 Tx Ty / (n(n-1)) + tx ty / (9 n(n-1)(n-2)), the tie-corrected
 * formula scipy uses. Pairs are counted directly (O(n^2)), which is instant at the consortium
 * sizes this workbench sees and fine up to a few thousand points.
 *
 * Throws {@link StatsInputError} on mismatched lengths, non-finite values, fewer than 2 pairs, or
 * a sample whose values are all equal (tau undefined).
 */
export function kendallTau(x: NumericArray, y: NumericArray, options: KendallTauOptions = {}): KendallTauResult {
  const fn = 'kendallTau';
  const a = finiteArray(fn, 'x', x);
  const b = finiteArray(fn, 'y', y);
  sameLength(fn, a, b);
  atLeast(fn, 'x', a, 2, 'a rank correlation');
  const alternative = checkAlternative(fn, options.alternative);
  const n = a.length;

  let concordantMinusDiscordant = 0;
  let discordant = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = Math.sign(a[i] - a[j]) * Math.sign(b[i] - b[j]);
      concordantMinusDiscordant += s;
      if (s < 0) discordant++;
    }
  }
  const total = (n * (n - 1)) / 2;
  const tx = tieTerms(a);
  const ty = tieTerms(b);
  if (tx.pairs === total || ty.pairs === total) {
    throw new StatsInputError(`${fn}: ${tx.pairs === total ? 'x' : 'y'} is constant; tau is undefined`);
  }
  const tau = Math.max(-1, Math.min(1, concordantMinusDiscordant / Math.sqrt(total - tx.pairs) / Math.sqrt(total - ty.pairs)));

  const ties = tx.pairs !== 0 || ty.pairs !== 0;
  let method = options.method ?? 'auto';
  if (method === 'exact' && ties) {
    throw new StatsInputError(`${fn}: the samples contain ties, so the exact method cannot be used; use 'asymptotic' or 'auto'`);
  }
  if (method === 'auto') {
    method = !ties && (n <= 33 || Math.min(discordant, total - discordant) <= 1) ? 'exact' : 'asymptotic';
  }
  if (method === 'exact') {
    return { tau, pValue: kendallExactPValue(n, total - discordant, alternative), method };
  }
  if (method !== 'asymptotic') {
    throw new StatsInputError(`${fn}: method must be 'auto', 'exact' or 'asymptotic', got '${String(method)}'`);
  }
  const m = n * (n - 1);
  const variance =
    (m * (2 * n + 5) - tx.v1 - ty.v1) / 18 + (2 * tx.pairs * ty.pairs) / m + (n > 2 ? (tx.v0 * ty.v0) / (9 * m * (n - 2)) : 0);
  return { tau, pValue: normalPValue(concordantMinusDiscordant / Math.sqrt(variance), alternative), method };
}
