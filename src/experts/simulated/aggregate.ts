/**
 * Mixture-of-agents aggregation (seed 001): an aggregator reads every earlier answer in the chain
 * and answers with the most common one. It reads texts only (through the graders' parsers), so
 * it aggregates real experts' answers too. Ties go to the answer given first.
 */
import type { TaskItem } from '../../tasks/types';
import { readAnswer, type PreviousAnswer } from './read-previous';
import { normaliseCode } from '../../tasks/answer-vote';

/** The key two answers agree on (numbers by value, code up to comments and spacing). */
function answerKey(a: PreviousAnswer): string {
  switch (a.task) {
    case 'gsm8k':
      return String(Number(a.value));
    case 'mmlu':
      return a.value;
    case 'humaneval':
      return normaliseCode(a.value);
  }
}

/** The plurality answer among the readable answers of `texts`; null when fewer than two are readable. */
export function pluralityAnswer(item: TaskItem, texts: readonly string[]): PreviousAnswer | null {
  const answers = texts.map((t) => readAnswer(item, t)).filter((a): a is PreviousAnswer => a !== null);
  if (answers.length < 2) return null;
  const counts = new Map<string, { n: number; first: number; answer: PreviousAnswer }>();
  answers.forEach((a, k) => {
    const key = answerKey(a);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { n: 1, first: k, answer: a });
  });
  return [...counts.values()].sort((x, y) => y.n - x.n || x.first - y.first)[0].answer;
}
