/**
 * The offline default encoder: signed feature hashing ("the hashing trick") of
 *   - word unigrams and bigrams (lower-cased; words are runs of letters/digits, punctuation marks
 *     are tokens of their own, so "Answer: B" and "answer b" differ a little),
 *   - character 3- to 5-grams of each word padded with spaces,
 * into `dim` buckets, each feature adding ±weight to one bucket (the sign from the same hash, so
 * collisions cancel on average), then L2-normalised. Deterministic, no weights, no state; it
 * captures surface features (vocabulary, formatting, style), which is what distinguishes the
 * simulated experts' texts.
 */
import type { Encoder } from './types';

export interface HashingEncoderOptions {
  /** output dimension; 768 matches BERT-base, which the paper's orchestrator consumes */
  dim?: number;
  /** relative weight of the character n-gram features against the word features */
  charWeight?: number;
  /** hash seed; a different seed is a different (equally good) encoder */
  seed?: number;
}

/** MurmurHash3 (x86, 32-bit) over the UTF-16 code units of `s`. */
export function murmur3(s: string, seed = 0): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  for (let i = 0; i < s.length; i++) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TOKEN = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** Lower-cased word and punctuation tokens of `text`. */
export function hashingTokens(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Adds the hashed features of one text into `out` (not normalised). */
function accumulate(text: string, out: Float32Array, charWeight: number, seed: number): void {
  const dim = out.length;
  const add = (feature: string, w: number) => {
    const h = murmur3(feature, seed);
    out[(h >>> 1) % dim] += h & 1 ? w : -w;
  };
  const toks = hashingTokens(text);
  for (let i = 0; i < toks.length; i++) {
    add('w:' + toks[i], 1);
    if (i + 1 < toks.length) add('b:' + toks[i] + ' ' + toks[i + 1], 1);
    const t = toks[i];
    if (t.length < 2) continue; // punctuation: the word features cover it
    const padded = ' ' + t + ' ';
    for (let n = 3; n <= 5; n++) {
      for (let j = 0; j + n <= padded.length; j++) add('c:' + padded.slice(j, j + n), charWeight);
    }
  }
}

/** L2-normalises in place; an all-zero vector (empty text) stays zero. */
function normalise(v: Float32Array): Float32Array {
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += v[i] * v[i];
  if (ss > 0) {
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/** Hashes one text into a unit vector of length `dim` (zero for a text with no tokens). */
export function hashText(text: string, opts: HashingEncoderOptions = {}): Float32Array {
  const v = new Float32Array(opts.dim ?? 768);
  accumulate(text, v, opts.charWeight ?? 0.25, opts.seed ?? 0);
  return normalise(v);
}

/** The hashing encoder (`name` is e.g. "hashing-v1-768"; it changes with any option). */
export function hashingEncoder(opts: HashingEncoderOptions = {}): Encoder {
  const dim = opts.dim ?? 768;
  if (!Number.isInteger(dim) || dim < 2) throw new Error(`hashingEncoder: dim must be an integer >= 2, got ${dim}`);
  const charWeight = opts.charWeight ?? 0.25;
  const seed = opts.seed ?? 0;
  const suffix = (charWeight !== 0.25 ? `-cw${charWeight}` : '') + (seed !== 0 ? `-s${seed}` : '');
  return {
    name: `hashing-v1-${dim}${suffix}`,
    dim,
    async encode(texts: string[]): Promise<Float32Array[]> {
      return texts.map((t) => hashText(t, { dim, charWeight, seed }));
    },
  };
}
