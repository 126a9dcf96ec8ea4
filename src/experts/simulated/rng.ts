/**
 * Seeded randomness for the simulated consortium. A stream is named by parts (seed, expert id,
 * item id, chain position, purpose), hashed with SHA-256 into the state of sfc32, so every draw
 * is reproducible from those parts alone and independent of the order in which items are run.
 */
import { createHash } from 'node:crypto';

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** a uniformly chosen element */
  pick<T>(xs: readonly T[]): T;
  /** true with probability p */
  chance(p: number): boolean;
}

/** A deterministic stream named by `parts`. */
export function seededRng(...parts: (string | number)[]): Rng {
  const h = createHash('sha256').update(JSON.stringify(parts)).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const next = (): number => {
    // sfc32 (Chris Doty-Humphrey's small fast counting generator)
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed in
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => {
      if (xs.length === 0) throw new Error('pick from an empty list');
      return xs[int(xs.length)];
    },
    chance: (p: number) => next() < p,
  };
}
