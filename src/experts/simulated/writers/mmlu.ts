/**
 * MMLU-style responses: the chosen letter and a short rationale, in a format that depends on the
 * family (a closing "The correct answer is: B", a bold "**Answer: B**" header, a think block then
 * "The answer is **(B)**", or a leading "B) ..."), all of which `extractChoice` reads.
 * A wrong expert usually falls for the item's most attractive distractor, as people and models do.
 */
import type { Choice, MmluItem } from '../../../tasks/types';
import type { Decision } from '../competence';
import type { Rng } from '../rng';
import { seededRng } from '../rng';
import { chainRemark, hedgeLine, maybeDrift, paragraphs, say, verifyLine, type Voice } from '../voice';

export const LETTERS: readonly Choice[] = ['A', 'B', 'C', 'D'];

/** A wrong letter: the item's attractive distractor with probability 0.6, else another wrong one. */
export function wrongMmluAnswer(item: MmluItem, rng: Rng): Choice {
  const wrong = LETTERS.filter((l) => l !== item.answer);
  const attractive = wrong[seededRng('distractor', item.id).int(wrong.length)];
  return rng.chance(0.6) ? attractive : rng.pick(wrong);
}

function optionText(item: MmluItem, letter: Choice): string {
  return item.choices[LETTERS.indexOf(letter)];
}

function rationale(item: MmluItem, letter: Choice, v: Voice): string {
  const text = optionText(item, letter);
  const subject = item.subject.replace(/_/g, ' ');
  return say(v, [
    `"${text}" is the option consistent with the standard account in ${subject}; the other options misstate the relationship the question is about.`,
    `In ${subject}, the key idea here points to "${text}". The remaining choices either overgeneralise or confuse related concepts.`,
    `Weighing the options, "${text}" is the only one that survives a careful reading of the question; each of the others fails on a detail.`,
  ]);
}

/** The response text for answer `letter`. */
export function writeMmlu(item: MmluItem, letter: Choice, d: Decision, v: Voice, hasPrevious: boolean): string {
  const remark = chainRemark(v, d.source, hasPrevious);
  const why = rationale(item, letter, v);
  const hedge = hedgeLine(v, d);
  const check = verifyLine(v, d);
  const drift = maybeDrift(v);
  switch (v.family) {
    case 'llama':
      return paragraphs([remark, why, drift, check, hedge, `The correct answer is: ${letter}`]);
    case 'qwen':
      return paragraphs([remark, `**Answer: ${letter}**`, `**Explanation:**\n${why}`, drift, check, hedge]);
    case 'deepseek': {
      const others = LETTERS.filter((l) => l !== letter).map((l) => `"${optionText(item, l)}"`);
      const think = [
        say(v, ['Okay, let me look at this question.', 'Hmm, this is about ' + item.subject.replace(/_/g, ' ') + '.', 'Alright, let me go through the options.']),
        `The options that seem less likely are ${others.join(', ')}.`,
        drift,
        d.hedge ? 'I keep going back and forth on this one.' : 'That leaves one option that clearly fits.',
      ];
      return paragraphs([`<think>\n${think.filter(Boolean).join('\n')}\n</think>`, remark, why, check, hedge, `The answer is **(${letter})**.`]);
    }
    case 'mistral':
      return paragraphs([remark, `${letter}) ${optionText(item, letter)}`, why, drift, check, hedge]);
  }
}
