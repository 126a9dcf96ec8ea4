/**
 * Wording shared by all simulated writers: how temperature turns into varied phrasing, and the
 * hedges, verification lines and chain remarks that the presets' `cues` level switches on.
 * None of these phrases contains a number or an option letter, so they never change a grade.
 */
import type { AnswerSource, Decision } from './competence';
import type { Rng } from './rng';
import type { SimulatedFamily } from './spec';

/** Who is writing: family style, temperature, and the expert's text stream. */
export interface Voice {
  family: SimulatedFamily;
  temperature: number;
  rng: Rng;
  /** the expert's cue level: 0 (zero-leak) makes every remark independent of correctness */
  cues: number;
}

/**
 * A phrase from `options`: a cold expert keeps to its habitual first option, a hot one picks at
 * random with probability min(1, temperature).
 */
export function say(v: Voice, options: readonly string[]): string {
  return v.rng.next() < Math.min(1, v.temperature) ? v.rng.pick(options) : options[0];
}

/** Filler sentences a hot expert drifts into, with probability temperature / 4 per call. */
export function maybeDrift(v: Voice): string | null {
  if (v.rng.next() >= v.temperature / 4) return null;
  return v.rng.pick([
    'It helps to restate what is being asked before going further.',
    'Keeping track of the units avoids mixing up quantities here.',
    'There are a few ways to approach this, but the direct one is enough.',
    'Let me be careful about what each quantity refers to.',
    'Small details in the wording matter for this one.',
  ]);
}

const HEDGES = [
  "I'm not fully certain about this.",
  'This may not be right.',
  'I might have slipped somewhere, so take this as tentative.',
  'Something feels off in my reasoning, though I cannot find where.',
];

const VERIFIES = [
  'Double-checking each step gives the same result.',
  'Checking it backwards confirms the result is consistent.',
  'A quick sanity check agrees with this.',
];

/** A hedging sentence to put before the final answer, or null when the decision has none. */
export function hedgeLine(v: Voice, d: Decision): string | null {
  return d.hedge ? say(v, HEDGES) : null;
}

/** A verification line, or null. */
export function verifyLine(v: Voice, d: Decision): string | null {
  return d.verify ? say(v, VERIFIES) : null;
}

const NEUTRAL_REMARKS = [
  'I read the previous response and worked through the task myself.',
  'Taking the previous response into account, here is my solution.',
  'Having gone over the earlier answer, I write out the solution in full.',
];

/** How the response relates to the previous one in a chain (null when standalone). */
export function chainRemark(v: Voice, source: AnswerSource, hasPrevious: boolean): string | null {
  if (!hasPrevious) return null;
  // zero-leak: whether the answer was kept, corrected or redone does not show in the wording
  if (v.cues === 0) return say(v, NEUTRAL_REMARKS);
  if (source === 'copied') {
    return say(v, [
      "The previous expert's reasoning looks sound to me, so I build on it and keep its result.",
      'I agree with the previous response and follow the same line of reasoning.',
      'The earlier answer holds up; I restate it with my own explanation.',
    ]);
  }
  if (source === 'aggregated') {
    return say(v, ['Several experts answered before me; I go with the answer most of them reached.', 'Comparing the earlier responses, I keep the answer they agree on most.']);
  }
  if (source === 'corrected') {
    return say(v, [
      'The previous response contains a mistake, so I redo the work carefully.',
      'I disagree with the previous expert: one step there is wrong. Here is a corrected solution.',
      'The earlier answer does not hold up; fixing it below.',
    ]);
  }
  return say(v, [
    'I worked through the task on my own and compared with the previous response.',
    'Taking the previous response into account, here is my own solution.',
  ]);
}

/** Lines joined with blank lines, skipping nulls and empty strings. */
export function paragraphs(parts: (string | null | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n\n');
}
