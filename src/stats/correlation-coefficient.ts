/**
 * Pearson's product-moment correlation of two equal-length samples, computed from centred sums,
 * r = sum (a_i - mean a)(b_i - mean b) / sqrt(sum (a_i - mean a)^2 * sum (b_i - mean b)^2),
 * and clipped to [-1, 1] against rounding. Callers validate the input (finite, same length,
 * non-constant); this is the shared arithmetic of `pearson` and `spearman`.
 */
export function correlationCoefficient(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/**
 * The t statistic that tests a correlation r against zero with `df` = n - 2 degrees of freedom,
 * t = r * sqrt(df / ((1 + r)(1 - r))), infinite when |r| = 1 (scipy.stats.spearmanr's formula).
 */
export function correlationTStatistic(r: number, df: number): number {
  if (Math.abs(r) === 1) return r * Infinity;
  return r * Math.sqrt(Math.max(0, df / ((r + 1) * (1 - r))));
}
