/**
 * How a simulated expert reads the previous response in a chain: which final answer it gives and
 * whether that answer is right. It reads the text only (through the same parsers the graders
 * use), so it works on responses of real experts as well as simulated ones.
 */
import { extractChoice, extractGsm8kAnswer } from '../../tasks/index';
import type { Choice, HumanEvalItem, TaskItem } from '../../tasks/types';
import { normaliseCode } from '../../tasks/answer-vote';
import { firstCodeBlock } from './writers/humaneval';
import { formatNumber } from './writers/gsm8k';

/** The final answer found in a previous response, by task. */
export type PreviousAnswer =
  | { task: 'gsm8k'; value: string }
  | { task: 'mmlu'; value: Choice }
  | { task: 'humaneval'; value: string };

/** True when `code` (a full function) is the canonical solution up to comments and spacing. */
export function isCanonicalCode(item: HumanEvalItem, code: string): boolean {
  return normaliseCode(code) === normaliseCode(item.prompt + item.canonicalSolution);
}

/** Reads the final answer of `text` for `item`; null when it gives none. */
export function readAnswer(item: TaskItem, text: string): PreviousAnswer | null {
  switch (item.task) {
    case 'gsm8k': {
      const x = extractGsm8kAnswer(text);
      return x === null ? null : { task: 'gsm8k', value: formatNumber(x) };
    }
    case 'mmlu': {
      const c = extractChoice(text);
      return c === null ? null : { task: 'mmlu', value: c };
    }
    case 'humaneval': {
      const code = firstCodeBlock(text);
      return code === null ? null : { task: 'humaneval', value: code };
    }
  }
}

/** Whether a read answer is right (for code: canonical up to cosmetics; other code counts as wrong). */
export function answerIsRight(item: TaskItem, a: PreviousAnswer): boolean {
  switch (item.task) {
    case 'gsm8k':
      return Number(a.value) === Number(item.gold);
    case 'mmlu':
      return a.value === item.answer;
    case 'humaneval':
      return isCanonicalCode(item, a.value);
  }
}
