import { StatsInputError } from './errors';
import type { InformationUnitOptions } from './entropy';
import { probabilityVector } from './probability-vector';
import type { NumericArray } from './validate';

/** Options of {@link klDivergence}. */
export interface KlDivergenceOptions extends InformationUnitOptions {
  /**
   * Additive smoothing: when > 0, `epsilon` is added to every entry of both p and q (after each
   * is scaled to sum to 1) and both are renormalised before the divergence is taken. Default 0:
   * no smoothing, scipy's exact value, which is +Infinity when some q_i = 0 < p_i.
   */
  epsilon?: number;
}

/**
 * Kullback-Leibler divergence KL(p || q) = sum_i p_i log(p_i / q_i), in nats (bits with
 * `{ bits: true }`). Matches scipy.stats.entropy(p, q): both inputs are scaled to sum to 1 and
 * terms with p_i = 0 contribute 0.
 *
 * Zero policy: by default nothing is smoothed, so a q that gives zero mass where p does not
 * yields +Infinity (the true value, not an error). Masking an expert produces exactly such zeros;
 * pass e.g. `{ epsilon: 1e-8 }` to get a finite, smoothed divergence, and report the epsilon used.
 * Throws {@link StatsInputError} on mismatched lengths, NaN, negative entries, all-zero inputs or
 * a negative epsilon.
 */
export function klDivergence(p: NumericArray, q: NumericArray, options: KlDivergenceOptions = {}): number {
  const fn = 'klDivergence';
  let pp = probabilityVector(fn, 'p', p);
  let qq = probabilityVector(fn, 'q', q);
  if (pp.length !== qq.length) {
    throw new StatsInputError(`${fn}: p and q must have the same length, got ${pp.length} and ${qq.length}`);
  }
  const epsilon = options.epsilon ?? 0;
  if (!(Number.isFinite(epsilon) && epsilon >= 0)) {
    throw new StatsInputError(`${fn}: epsilon must be a finite number >= 0, got ${String(epsilon)}`);
  }
  if (epsilon > 0) {
    pp = probabilityVector(fn, 'p + epsilon', pp.map((v) => v + epsilon));
    qq = probabilityVector(fn, 'q + epsilon', qq.map((v) => v + epsilon));
  }
  let kl = 0;
  for (let i = 0; i < pp.length; i++) {
    if (pp[i] === 0) continue;
    if (qq[i] === 0) return Infinity;
    kl += pp[i] * Math.log(pp[i] / qq[i]);
  }
  return options.bits ? kl / Math.LN2 : kl;
}
