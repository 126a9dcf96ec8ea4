/**
 * Voting among experts' answers (self-consistency across a consortium): the key of a response's
 * final answer, and the plurality choice among several responses.
 *
 * A plurality vote over the N solo answers is the baseline that reads the same N responses the
 * orchestrator reads, with no training: where the experts' errors are independent, agreement
 * alone tells the right answer (docs/orchestrator.md, "The plurality vote").
 */
import { extractChoice } from './extract-choice';
import { extractCode } from './extract-code';
import { extractGsm8kAnswer } from './grade-gsm8k';
import type { TaskItem } from './types';

/**
 * The final answer of `text` for `item` as a comparable key, or null when none can be read:
 * GSM8K the extracted number (so "1,000" and "1000.0" agree), MMLU the extracted letter,
 * HumanEval the extracted code without comments, blank lines or trailing spaces. Equal keys are
 * the same answer; two different programs may both be right, so code agrees only when written
 * alike.
 */
export function answerKey(item: TaskItem, text: string): string | null {
  switch (item.task) {
    case 'gsm8k': {
      const x = extractGsm8kAnswer(text);
      return x === null ? null : String(x);
    }
    case 'mmlu':
      return extractChoice(text);
    case 'humaneval': {
      const code = normaliseCode(extractCode(text, item.entryPoint));
      return code.length > 0 ? code : null;
    }
  }
}

/** Normalised code for comparisons: no comments, no blank lines, no trailing spaces. */
export function normaliseCode(code: string): string {
  return code
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '').replace(/\s+$/, ''))
    .filter((l) => l.length > 0)
    .join('\n');
}

/**
 * The index of the response to keep under a plurality vote over `keys` (null: no answer read).
 * The most frequent key wins; among keys tied for most votes, and for the response that carries
 * the winning key, `preference` decides (indices, most preferred first: e.g. the experts by train
 * accuracy). With no readable answer at all, the most preferred response is kept.
 */
export function pluralityChoice(keys: readonly (string | null)[], preference: readonly number[]): number {
  if (preference.length !== keys.length || new Set(preference).size !== keys.length || preference.some((i) => !(Number.isInteger(i) && i >= 0 && i < keys.length))) {
    throw new Error(`pluralityChoice: preference must order all ${keys.length} responses once, got [${preference.join(', ')}]`);
  }
  const counts = new Map<string, number>();
  for (const k of keys) if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  for (const i of preference) if (keys[i] !== null && counts.get(keys[i]!) === top) return i;
  return preference[0];
}
