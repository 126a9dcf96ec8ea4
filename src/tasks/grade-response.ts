/** One grading entry point for every task, used by the consortium and the notebooks. */
import { extractChoice } from './extract-choice';
import { responseToCompletion } from './extract-code';
import { gradeGsm8k } from './grade-gsm8k';
import { executeHumanEval, type ExecuteOptions } from './sandbox/execute-humaneval';
import type { TaskItem } from './types';

/**
 * Grades a free-text response to any task item: GSM8K by its final number, MMLU by the option
 * letter it commits to, HumanEval by running the extracted code against the item's tests in the
 * sandbox (passed = correct; failed, timeout and crashed are all incorrect).
 */
export async function gradeResponse(item: TaskItem, responseText: string, sandbox: ExecuteOptions = {}): Promise<boolean> {
  switch (item.task) {
    case 'gsm8k':
      return gradeGsm8k(responseText, item.gold);
    case 'mmlu':
      return extractChoice(responseText) === item.answer;
    case 'humaneval': {
      const result = await executeHumanEval(item, responseToCompletion(item, responseText), sandbox);
      return result.status === 'passed';
    }
  }
}
