/** A small seeded random generator (mulberry32) so every generated sample and split is reproducible. */
import { mulberry32 } from '../../stats/seeded-random';

/** Deterministic pseudo-random source. */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [lo, hi], inclusive */
  int(lo: number, hi: number): number;
  /** one element of a non-empty array */
  pick<T>(xs: readonly T[]): T;
  /** a shuffled copy (Fisher-Yates) */
  shuffle<T>(xs: readonly T[]): T[];
}

/** mulberry32 seeded with a 32-bit integer. */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]) => {
      if (xs.length === 0) throw new Error('pick: empty array');
      return xs[int(0, xs.length - 1)];
    },
    shuffle: <T>(xs: readonly T[]) => {
      const out = xs.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}
