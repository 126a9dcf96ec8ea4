/**
 * A small seeded pseudo-random generator (mulberry32) returning floats in [0, 1). Used for
 * bootstrap resampling so that a given seed always gives the same interval; it is not meant for
 * cryptography and does not reproduce numpy's stream.
 */
export function seededRandom(seed: number): () => number {
  let state = (Math.trunc(seed) >>> 0) ^ 0x6d2b79f5;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
