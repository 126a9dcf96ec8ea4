/** Building the Python program that checks one HumanEval candidate. Pure string functions. */
import type { HumanEvalItem } from '../types';

/**
 * The program the sandbox runs: the prompt, the candidate body, the item's tests and the call
 * `check(<entry_point>)`, the same concatenation the HumanEval harness uses.
 */
export function humanEvalProgram(item: HumanEvalItem, completion: string): string {
  return `${item.prompt}${completion}\n\n${item.test}\n\ncheck(${item.entryPoint})\n`;
}
