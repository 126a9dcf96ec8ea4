/**
 * A hand-made routing dataset with planted structure, for tests and for a first look without a
 * consortium:
 *   - each item belongs to one of `nDomains` domains, and its prompt encoding e_x points
 *     (noisily) at that domain's prototype, so the domain is visible to the orchestrator;
 *   - each domain has one competent expert (correct with probability `competentSkill`), every
 *     other expert is right with probability `baseSkill`;
 *   - an expert's response encoding is its own style vector plus the domain prototype plus noise,
 *     nudged towards a shared "correct answer" direction when it is right: a weak per-item cue;
 *   - the oracle encoding points at the domain and the correct-answer direction.
 * The planted truth (who is competent where) is returned in `meta.planted`.
 */
import type { RoutingDataset, RoutingItem } from './dataset';
import { Rng } from './rng';

export interface SyntheticRoutingOptions {
  seed: number;
  nItems: number;
  nExperts: number;
  /** encoder dimension (default 64) */
  dim?: number;
  /** number of domains (default 3, at most nExperts) */
  nDomains?: number;
  /** P(correct) of a domain's competent expert (default 0.9) */
  competentSkill?: number;
  /** P(correct) of every other expert (default 0.35) */
  baseSkill?: number;
  /** length of the correctness cue added to a right answer's encoding (default 0.3) */
  cue?: number;
  /** noise scale per coordinate, relative to unit vectors (default 0.5) */
  noise?: number;
  /** include oracle encodings (default true) */
  oracle?: boolean;
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}

function randomUnit(rng: Rng, dim: number): Float32Array {
  return unit(rng.fill(dim, (r) => r.normal()));
}

/** a*x + b*y + noise * N(0, 1/dim) per coordinate, L2-normalised (encoders emit unit vectors). */
function mix(rng: Rng, parts: Array<[number, Float32Array]>, noise: number, dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const [w, v] of parts) for (let i = 0; i < dim; i++) out[i] += w * v[i];
  for (let i = 0; i < dim; i++) out[i] += (noise / Math.sqrt(dim)) * rng.normal();
  return unit(out);
}

/** Builds the planted dataset described above (deterministic in `seed`). */
export function syntheticRoutingDataset(opts: SyntheticRoutingOptions): RoutingDataset {
  const dim = opts.dim ?? 64;
  const N = opts.nExperts;
  const nDomains = Math.min(opts.nDomains ?? 3, N);
  const competentSkill = opts.competentSkill ?? 0.9;
  const baseSkill = opts.baseSkill ?? 0.35;
  const cue = opts.cue ?? 0.3;
  const noise = opts.noise ?? 0.5;
  const rng = new Rng(opts.seed);

  const domains = Array.from({ length: nDomains }, () => randomUnit(rng, dim));
  const styles = Array.from({ length: N }, () => randomUnit(rng, dim));
  const rightAnswer = randomUnit(rng, dim);
  // Expert d is the competent one for domain d.
  const skill = Array.from({ length: N }, (_, i) => Array.from({ length: nDomains }, (_, d) => (i === d ? competentSkill : baseSkill)));

  const items: RoutingItem[] = [];
  for (let n = 0; n < opts.nItems; n++) {
    const d = rng.int(nDomains);
    const correct = skill.map((row) => (rng.uniform() < row[d] ? 1 : 0));
    const ex = mix(rng, [[1, domains[d]]], noise, dim);
    const outputs = correct.map((c, i) => mix(rng, [[1, styles[i]], [0.5, domains[d]], [c ? cue : -cue, rightAnswer]], noise, dim));
    const oracle = opts.oracle === false ? null : mix(rng, [[0.5, domains[d]], [1, rightAnswer]], noise, dim);
    items.push({ id: `synthetic-${n}`, task: `domain-${d}`, ex, outputs, oracle, correct });
  }
  return {
    expertIds: Array.from({ length: N }, (_, i) => `expert-${i + 1}`),
    dim,
    items,
    meta: {
      source: 'synthetic (planted)',
      seed: opts.seed,
      planted: { competentExpertPerDomain: Array.from({ length: nDomains }, (_, d) => `expert-${d + 1}`), skill },
    },
  };
}
