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

/** The sub-type of items that are none of the planted ones. */
export const ROUTINE = 'routine';

/**
 * The latent sub-type of an item under `subtypes` (name -> share): a seeded function of the item
 * id alone, so every expert and every seed agree on it; 'routine' when no sub-type is drawn.
 */
export function itemSubtype(subtypes: Record<string, number> | undefined, itemId: string): string {
  if (!subtypes) return ROUTINE;
  const u = seededRng('item-subtype', itemId).next();
  let acc = 0;
  for (const name of Object.keys(subtypes).sort()) {
    acc += subtypes[name];
    if (u < acc) return name;
  }
  return ROUTINE;
}

/** Skill on an item of `subtype` (the sub-type's own skill when the spec plants one). */
export function subtypeSkillOf(spec: SimulatedSpec, task: TaskName, subtype: string, subject?: string): number {
  return spec.subtypeSkill?.[subtype] ?? domainSkill(spec, task, subject);
}

/** The planted dependencies of a spec as a list, each with its hub ids as a list. */
export function dependenciesOf(spec: SimulatedSpec): { on: string[]; boost: number; subtypes?: string[] }[] {
  if (!spec.dependsOn) return [];
  const list = Array.isArray(spec.dependsOn) ? spec.dependsOn : [spec.dependsOn];
  return list.map((d) => ({ on: Array.isArray(d.on) ? d.on : [d.on], boost: d.boost, ...(d.subtypes ? { subtypes: d.subtypes } : {}) }));
}

/** The boost `spec` gets when `previousExpertId` answered just before it on an item of `subtype`. */
export function boostAfter(spec: SimulatedSpec, previousExpertId: string | undefined, subtype: string): number {
  if (previousExpertId === undefined) return 0;
  let b = 0;
  for (const d of dependenciesOf(spec)) {
    if (d.on.includes(previousExpertId) && (!d.subtypes || d.subtypes.includes(subtype))) b = Math.max(b, d.boost);
  }
  return b;
}

/** How much of the task an expert could read in its prompt: 1 = intact, 0 = all gone. */
export interface PromptReading {
  /** share of the item's numbers that are readable */
  numbers: number;
  /** share of the item's consecutive sentence pairs still in order */
  order: number;
  /** share of the standard prompt's reasoning cues still present */
  reasoning: number;
}

export const INTACT_READING: PromptReading = { numbers: 1, order: 1, reasoning: 1 };

/** The factor on the success probability for what the expert could read (planted `prompt` sensitivity). */
export function promptFactor(spec: SimulatedSpec, task: TaskName, r: PromptReading): number {
  const s = spec.prompt;
  return (1 - s.numbers[task] * (1 - r.numbers)) * (1 - s.order[task] * (1 - r.order)) * (1 - s.reasoning[task] * (1 - r.reasoning));
}

function clamp(p: number): number {
  return Math.min(CEIL, Math.max(FLOOR, p));
}

/**
 * Standalone success probability on a domain: skill minus `noise` per unit of temperature (on
 * items of `subtype` when given: its planted skill).
 */
export function standaloneProbability(spec: SimulatedSpec, task: TaskName, subject?: string, subtype: string = ROUTINE): number {
  return clamp(subtypeSkillOf(spec, task, subtype, subject) - spec.noise * spec.temperature);
}

/**
 * Probability that the expert's own attempt at `item` is correct: the standalone probability on
 * the item's sub-type, plus its planted boost when an expert it depends on answered just before,
 * times what an intact reading of the prompt is worth (`promptFactor`).
 */
export function ownSuccessProbability(spec: SimulatedSpec, item: TaskItem, previousExpertId?: string, reading: PromptReading = INTACT_READING): number {
  const subtype = itemSubtype(spec.subtypes, item.id);
  const subject = item.task === 'mmlu' ? item.subject : undefined;
  return clamp(ownProbabilityOn(spec, item.task, subtype, previousExpertId, subject) * promptFactor(spec, item.task, reading));
}

/** The own-attempt probability on a sub-type after `previousExpertId` (intact prompt). */
export function ownProbabilityOn(spec: SimulatedSpec, task: TaskName, subtype: string, previousExpertId?: string, subject?: string): number {
  return clamp(subtypeSkillOf(spec, task, subtype, subject) - spec.noise * spec.temperature + boostAfter(spec, previousExpertId, subtype));
}

/** How the final answer came about. */
export type AnswerSource = 'own' | 'copied' | 'corrected' | 'aggregated';

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
export function decide(spec: SimulatedSpec, item: TaskItem, previous: PreviousView | null, rng: Rng, zItem = 0, reading: PromptReading = INTACT_READING): Decision {
  const uOwn = ownUniform(spec, zItem, standardNormal(rng));
  const uChain = rng.next();
  const uHedge = rng.next();
  const uVerify = rng.next();
  const pOwn = ownSuccessProbability(spec, item, previous?.expertId, reading);
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
  // zero-leak: a wrong answer always keeps the solution's full shape (the slip sits in a step);
  // leaky: with probability 1 - cues it stops a step early instead (a shorter text)
  const visibleSlip = !correct && (spec.cues === 0 || uVerify < spec.cues);
  return { correct, source, hedge, verify, visibleSlip, pOwn };
}
