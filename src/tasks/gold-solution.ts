/** The reference solution of an item as text: the oracle text when no oracle model is configured. */
import type { TaskItem } from './types';
import { assertTaskItem } from './validate-item';

/**
 * The gold worked solution of an item, written as a strong expert would answer:
 * GSM8K: the worked solution ending in `#### <number>`; MMLU: the correct option stated as an
 * answer; HumanEval: the complete reference function (prompt + canonical body) in a python fence.
 */
export function goldSolutionText(item: TaskItem): string {
  assertTaskItem(item);
  switch (item.task) {
    case 'gsm8k':
      return item.answer;
    case 'mmlu': {
      const index = 'ABCD'.indexOf(item.answer);
      return `The answer is (${item.answer}) ${item.choices[index]}.`;
    }
    case 'humaneval':
      return '```python\n' + item.prompt + item.canonicalSolution.replace(/\s+$/, '') + '\n```';
  }
}
