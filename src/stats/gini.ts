import { StatsInputError } from './errors';
import { atLeast, finiteArray } from './validate';
import type { NumericArray } from './validate';

/**
 * Gini coefficient of non-negative values, G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)),
 * computed in O(n log n) as G = sum_i (2i - n - 1) x_(i) / (n sum x) over the ascending order
 * statistics x_(1..n). 0 means mass spread evenly; (n - 1)/n means all mass on one entry. The
 * paper's "Gini centralization of incoming routing mass" applies it to the column sums of the
 * collaboration matrix.
 *
 * Throws {@link StatsInputError} on NaN/infinite or negative values, an empty input, or values that
 * are all zero (no mass to distribute: the coefficient is undefined).
 */
export function gini(xs: NumericArray): number {
  const fn = 'gini';
  const values = finiteArray(fn, 'xs', xs);
  atLeast(fn, 'xs', values, 1, 'a Gini coefficient');
  const negative = values.findIndex((v) => v < 0);
  if (negative >= 0) throw new StatsInputError(`${fn}: xs[${negative}] is ${values[negative]}; values must be non-negative`);
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const total = sorted.reduce((s, v) => s + v, 0);
  if (total === 0) throw new StatsInputError(`${fn}: every value is 0; the Gini coefficient is undefined`);
  let weighted = 0;
  for (let i = 0; i < n; i++) weighted += (2 * (i + 1) - n - 1) * sorted[i];
  return weighted / (n * total);
}
