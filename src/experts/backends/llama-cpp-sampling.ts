/**
 * Pure decoding math for the llama-cpp backend: predictive entropy of a next-token distribution,
 * temperature + nucleus (top-p) sampling from raw logits, and a small seeded PRNG.
 *
 * We sample in JavaScript from the model's raw logits instead of letting llama.cpp sample, because
 * we need the *untruncated* distribution at every step for the entropy anyway, and owning the
 * sampler makes "same seed, same sample" and "temperature 0 is greedy" hold by construction.
 */

/** Decoding knobs the sampler understands. */
export interface SamplingParams {
  /** 0 (or anything below 1e-12) means greedy argmax. */
  temperature: number;
  /** nucleus mass in (0, 1]; 1 disables the cut. */
  topP: number;
}

/**
 * Shannon entropy (nats) of softmax(logits), computed stably in float64:
 * H = logsumexp(l) - sum_i p_i * l_i.
 */
export function entropyFromLogits(logits: ArrayLike<number>): number {
  const n = logits.length;
  if (n === 0) throw new Error('entropyFromLogits: empty logits');
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  if (!Number.isFinite(max)) throw new Error(`entropyFromLogits: non-finite maximum logit ${max}`);
  let z = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(logits[i] - max);
    z += e;
    weighted += e * (logits[i] - max);
  }
  // H = log z - E[l - max]; clamp tiny negative rounding to 0.
  return Math.max(0, Math.log(z) - weighted / z);
}

/** Index of the largest logit; ties go to the lowest index so greedy decoding is deterministic. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * Draws an index from softmax(logits / temperature) restricted to the top-p nucleus.
 * `uniform` is one draw from [0, 1) (pass it from a seeded PRNG).
 */
export function sampleIndex(logits: ArrayLike<number>, params: SamplingParams, uniform: number): number {
  const { temperature, topP } = params;
  if (!(temperature >= 0)) throw new Error(`temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1], got ${topP}`);
  if (temperature < 1e-12 || logits.length === 1) return argmax(logits);
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  const probs = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    probs[i] = Math.exp((logits[i] - max) / temperature);
    z += probs[i];
  }
  // Order by probability (ties by index, for determinism) and keep the smallest prefix reaching topP.
  // llama.cpp hands logits over already sorted, so the sort is usually skipped.
  const order = isNonIncreasing(logits)
    ? Int32Array.from({ length: n }, (_, i) => i)
    : Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b));
  let kept = 0;
  let mass = 0;
  while (kept < n) {
    mass += probs[order[kept]] / z;
    kept++;
    if (mass >= topP) break;
  }
  let keptMass = 0;
  for (let k = 0; k < kept; k++) keptMass += probs[order[k]];
  let target = uniform * keptMass;
  for (let k = 0; k < kept; k++) {
    target -= probs[order[k]];
    if (target < 0) return order[k];
  }
  return order[kept - 1];
}

function isNonIncreasing(xs: ArrayLike<number>): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[i - 1]) return false;
  return true;
}

/** The seeded uniform source of the sampler (mulberry32, shared with the rest of the project). */
export { mulberry32 as seededUniform } from '../../stats/seeded-random';

/** FNV-1a 32-bit hash of a string: a stable default seed derived from an expert id. */
export function seedFromString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
