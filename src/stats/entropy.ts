import { probabilityVector } from './probability-vector';
import type { NumericArray } from './validate';

/** Options of {@link entropy} and {@link klDivergence}. */
export interface InformationUnitOptions {
  /** report in bits (log base 2) instead of nats */
  bits?: boolean;
}

/**
 * Shannon entropy H(p) = -sum_i p_i log p_i in nats (bits with `{ bits: true }`), terms with
 * p_i = 0 contributing 0. Like scipy.stats.entropy(p), `p` is first scaled to sum to 1, so counts
 * are fine. Throws {@link StatsInputError} on NaN/infinite or negative entries, or all zeros.
 */
export function entropy(p: NumericArray, options: InformationUnitOptions = {}): number {
  const probs = probabilityVector('entropy', 'p', p);
  let h = 0;
  for (const v of probs) if (v > 0) h -= v * Math.log(v);
  return options.bits ? h / Math.LN2 : h;
}
