import { StatsInputError } from './errors';
import { finiteArray } from './validate';
import type { NumericArray } from './validate';

/**
 * Validates non-negative finite weights and scales them to sum to 1 (scipy.stats.entropy also
 * normalises its inputs, so counts or unnormalised masses are accepted).
 */
export function probabilityVector(fn: string, name: string, weights: NumericArray): number[] {
  const p = finiteArray(fn, name, weights);
  if (p.length === 0) throw new StatsInputError(`${fn}: ${name} is empty`);
  const negative = p.findIndex((v) => v < 0);
  if (negative >= 0) {
    throw new StatsInputError(`${fn}: ${name}[${negative}] is ${p[negative]}; probabilities must be non-negative`);
  }
  const total = p.reduce((s, v) => s + v, 0);
  if (total === 0) throw new StatsInputError(`${fn}: ${name} sums to 0; it is not a distribution`);
  return p.map((v) => v / total);
}
