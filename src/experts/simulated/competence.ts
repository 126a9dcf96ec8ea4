/**
 * What a simulated expert gets right: pure functions from its spec, the item and the chain so far
 * to a decision (correct or not, and why). The text is written afterwards (writers/), so the
 * decision can be read, tested and exposed as ground truth without parsing any text.
 */
import type { TaskItem, TaskName } from '../../tasks/types';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { seededRng, type Rng } from './rng';
import type { SimulatedSpec } from './spec';

const FLOOR = 0.01;
const CEIL = 0.99;

/** Skill of `spec` on a domain at temperature 0 (MMLU: per subject when the spec gives one). */
export function domainSkill(spec: SimulatedSpec, task: TaskName, subject?: string): number {
  if (task === 'mmlu') return (subject !== undefined ? spec.skill.mmluSubjects?.[subject] : undefined) ?? spec.skill.mmlu;
  return spec.skill[task];
}

function clamp(p: number): number {
  return Math.min(CEIL, Math.max(FLOOR, p));
}

/** Standalone success probability on a domain: skill minus `noise` per unit of temperature. */
export function standaloneProbability(spec: SimulatedSpec, task: TaskName, subject?: string): number {
  return clamp(domainSkill(spec, task, subject) - spec.noise * spec.temperature);
}

/**
 * Probability that the expert's own attempt at `item` is correct: the standalone probability,
 * plus its planted boost when the expert it depends on answered just before.
 */
export function ownSuccessProbability(spec: SimulatedSpec, item: TaskItem, previousExpertId?: string): number {
  let p = domainSkill(spec, item.task, item.task === 'mmlu' ? item.subject : undefined) - spec.noise * spec.temperature;
  if (spec.dependsOn && previousExpertId === spec.dependsOn.on) p += spec.dependsOn.boost;
  return clamp(p);
}

/** How the final answer came about. */
export type AnswerSource = 'own' | 'copied' | 'corrected';

export interface Decision {
  correct: boolean;
  source: AnswerSource;
  /** the response hedges ("I'm not sure") */
  hedge: boolean;
  /** the response shows a verification step ("Check: ...") */
  verify: boolean;
  /** a wrong response shows its slip (an inconsistent step) rather than an incomplete solution */
  visibleSlip: boolean;
  /** the success probability of the own attempt that was used */
  pOwn: number;
}

/** What the expert could read of the previous response in the chain. */
export interface PreviousView {
  expertId: string;
  /** whether the previous final answer is right; null when it cannot be read */
  correct: boolean | null;
}

/** A standard normal draw (Box-Muller) from two uniforms of `rng`. */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next(); // (0, 1]
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** The item's shared difficulty factor (standard normal), the same for every expert and position. */
export function itemFactor(seed: number, itemId: string): number {
  return standardNormal(seededRng('item-difficulty', seed, itemId));
}

/**
 * The uniform that decides an own attempt: a Gaussian copula of the item's factor and the
 * expert's own draw, so the marginal stays uniform (success probability exactly `pOwn`) while
 * experts with `itemCorrelation` > 0 tend to fail on the same items.
 */
function ownUniform(spec: SimulatedSpec, zItem: number, zOwn: number): number {
  const rho = spec.itemCorrelation;
  // a high item factor means a hard item: it pushes the uniform up, towards failure
  return normalCdf(Math.sqrt(rho) * zItem + Math.sqrt(1 - rho) * zOwn, 0, 1);
}

/**
 * Draws the decision. The draws happen in a fixed order whatever the branch (common random
 * numbers): the same expert on the same item and position differs between two chains only
 * through what came before it.
 */
export function decide(spec: SimulatedSpec, item: TaskItem, previous: PreviousView | null, rng: Rng, zItem = 0): Decision {
  const uOwn = ownUniform(spec, zItem, standardNormal(rng));
  const uChain = rng.next();
  const uHedge = rng.next();
  const uVerify = rng.next();
  const pOwn = ownSuccessProbability(spec, item, previous?.expertId);
  let correct = uOwn < pOwn;
  let source: AnswerSource = 'own';
  if (previous && previous.correct !== null) {
    const { copy, fix } = spec.chain;
    if (previous.correct) {
      if (uChain < copy) {
        correct = true;
        source = 'copied';
      }
    } else if (uChain < fix) {
      correct = true;
      source = 'corrected';
    } else if (uChain < fix + copy) {
      correct = false;
      source = 'copied';
    }
  }
  const hedge = uHedge < (correct ? spec.cues / 5 : spec.cues);
  const verify = correct && !hedge && uVerify < spec.cues / 2;
  const visibleSlip = !correct && uVerify < spec.cues;
  return { correct, source, hedge, verify, visibleSlip, pOwn };
}
