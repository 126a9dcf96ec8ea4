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

// Reused scratch buffer for the UTF-8 bytes of one feature (features are short).
let scratch = new Uint8Array(256);

/** UTF-8 encodes `s` into `scratch`, returning the byte length. */
function utf8(s: string): number {
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) scratch[n++] = c;
    else if (c < 0x800) {
      scratch[n++] = 0xc0 | (c >> 6);
      scratch[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
          scratch[n++] = 0xf0 | (c >> 18);
          scratch[n++] = 0x80 | ((c >> 12) & 63);
          scratch[n++] = 0x80 | ((c >> 6) & 63);
          scratch[n++] = 0x80 | (c & 63);
          continue;
        }
      }
      scratch[n++] = 0xe0 | (c >> 12);
      scratch[n++] = 0x80 | ((c >> 6) & 63);
      scratch[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

/** MurmurHash3 x86_32 of the UTF-8 bytes of `s` (the reference algorithm). */
export function murmur3(s: string, seed = 0): number {
  const len = utf8(s);
  const b = scratch;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= b[blocks + 2] << 16;
    // falls through
    case 2:
      k ^= b[blocks + 1] << 8;
    // falls through
    case 1:
      k ^= b[blocks];
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= len;
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
