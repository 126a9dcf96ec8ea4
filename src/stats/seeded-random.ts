/**
 * mulberry32: a tiny, well-mixed 32-bit seeded PRNG returning floats in [0, 1). The one seeded
 * uniform source of the project (samples, fixtures, decoding, bootstrap), so that a seed means
 * the same stream everywhere. Not for cryptography; does not reproduce numpy's stream.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The bootstrap's generator: mulberry32 on the seed mixed with the generator's constant, so that
 * a given seed always gives the same interval.
 */
export function seededRandom(seed: number): () => number {
  return mulberry32((Math.trunc(seed) >>> 0) ^ 0x6d2b79f5);
}
