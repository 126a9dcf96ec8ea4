/**
 * The natural-language formulation of a task item, which ends every expert prompt (Appendix E:
 * the task instance comes last). One template per benchmark, in our own words.
 */
import type { TaskItem } from '../tasks/types';

const LETTERS = ['A', 'B', 'C', 'D'] as const;

/** The task text an expert is asked to solve for `item`. */
export function formatTaskPrompt(item: TaskItem): string {
  switch (item.task) {
    case 'gsm8k':
      return [
        'Solve the following math word problem. Reason step by step, then state the final numeric answer on its own line.',
        '',
        `Problem: ${item.question}`,
      ].join('\n');
    case 'mmlu':
      return [
        `Answer the following multiple-choice question on ${item.subject.replace(/_/g, ' ')}. Choose exactly one option and give the letter of your choice with a short justification.`,
        '',
        `Question: ${item.question}`,
        ...item.choices.map((c, i) => `${LETTERS[i]}. ${c}`),
      ].join('\n');
    case 'humaneval':
      return [
        'Complete the following Python function so that it satisfies its docstring. Reply with the whole function in a single ```python code block.',
        '',
        item.prompt,
      ].join('\n');
  }
}
