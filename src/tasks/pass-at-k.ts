/**
 * pass@k by the unbiased estimator of Chen et al. (2021): with n samples of which c pass, the
 * chance that at least one of k samples drawn without replacement passes is
 * 1 - C(n-c, k) / C(n, k), computed as a running product for numerical stability.
 */

/** Unbiased pass@k for one problem: n samples, c of them correct, k drawn. */
export function passAtK(n: number, c: number, k: number): number {
  for (const [name, v] of [['n', n], ['c', c], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`passAtK: ${name} must be a non-negative integer, got ${v}`);
  }
  if (c > n) throw new Error(`passAtK: c (${c}) cannot exceed n (${n})`);
  if (k < 1 || k > n) throw new Error(`passAtK: k must be in 1..n (n=${n}), got ${k}`);
  if (n - c < k) return 1;
  // 1 - prod_{i=n-c+1}^{n} (1 - k/i)
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** Mean pass@k over problems, each given as {n, c}. */
export function meanPassAtK(results: ReadonlyArray<{ n: number; c: number }>, k: number): number {
  if (results.length === 0) throw new Error('meanPassAtK: no problems');
  return results.reduce((s, r) => s + passAtK(r.n, r.c, k), 0) / results.length;
}
