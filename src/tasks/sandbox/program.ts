/** Building the Python program that checks one HumanEval candidate. Pure string functions. */
import type { HumanEvalItem } from '../types';
import { assertTaskItem } from '../validate-item';

/**
 * The program the sandbox runs: the prompt, the candidate body, the item's tests and the call
 * `check(<entry_point>)`, the same concatenation the HumanEval harness uses. The item is checked
 * first: its entry point is pasted as code, so it must be a plain identifier the prompt defines.
 */
export function humanEvalProgram(item: HumanEvalItem, completion: string): string {
  assertTaskItem(item, 'humaneval');
  return `${item.prompt}${completion}\n\n${item.test}\n\ncheck(${item.entryPoint})\n`;
}
