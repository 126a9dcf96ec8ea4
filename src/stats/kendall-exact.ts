import type { Alternative } from './validate';

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

/**
 * Exact p-value of Kendall's tau for n untied pairs with `c` concordant pairs, a port of the
 * algorithm scipy 1.10 uses (`scipy.stats._mstats_basic._kendall_p_exact`, after Kendall,
 * "Rank Correlation Methods", 1970). It counts permutations of 1..n by number of inversions with a
 * running-sum recurrence over the left tail (the distribution is symmetric, so only
 * min(c, n(n-1)/2 - c) is needed), then doubles for the two-sided p-value.
 */
export function kendallExactPValue(n: number, concordant: number, alternative: Alternative): number {
  const pairs = (n * (n - 1)) / 2;
  const inRightTail = concordant >= pairs - concordant;
  const c = Math.min(concordant, pairs - concordant);
  let prob: number;
  let massAtC = 0;
  if (n === 1) {
    prob = 1;
    massAtC = 1;
  } else if (n === 2) {
    prob = 1;
    massAtC = 0.5;
  } else if (c === 0) {
    prob = n < 171 ? 2 / factorial(n) : 0;
    massAtC = prob / 2;
  } else if (c === 1) {
    prob = n < 172 ? 2 / factorial(n - 1) : 0;
    massAtC = (n - 1) / factorial(n);
  } else if (4 * c === n * (n - 1) && alternative === 'two-sided') {
    prob = 1;
  } else {
    // counts[k] = number of permutations of 1..j with k inversions, for k <= c. For n >= 171 the
    // counts overflow, so scipy divides by j at each step and works with probabilities instead.
    const scaled = n >= 171;
    let counts = new Array<number>(c + 1).fill(0);
    counts[0] = 1;
    counts[1] = 1;
    for (let j = 3; j <= n; j++) {
      const next = new Array<number>(c + 1);
      let running = 0;
      for (let k = 0; k <= c; k++) {
        running += counts[k];
        next[k] = scaled ? running / j : running;
      }
      if (j <= c) {
        // subtract the window that fell off: next[k] -= next[k - j] (uses values before this loop,
        // hence the descending order)
        for (let k = c; k >= j; k--) next[k] -= next[k - j];
      }
      counts = next;
    }
    const total = counts.reduce((s, v) => s + v, 0);
    if (scaled) {
      prob = total;
      massAtC = counts[c] / 2;
    } else {
      prob = (2 * total) / factorial(n);
      massAtC = counts[c] / factorial(n);
    }
  }
  if (alternative !== 'two-sided') {
    // the one-sided p is half the two-sided one when the data lean the way the alternative says
    if (inRightTail === (alternative === 'greater')) prob /= 2;
    else prob = 1 - prob / 2 + massAtC;
  }
  return Math.min(1, Math.max(0, prob));
}
