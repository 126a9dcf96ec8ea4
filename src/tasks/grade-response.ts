/** One grading entry point for every task, used by the consortium and the notebooks. */
import { createHash } from 'node:crypto';
import { extractChoice } from './extract-choice';
import { responseToCompletion } from './extract-code';
import { gradeGsm8k } from './grade-gsm8k';
import { executeHumanEval, type ExecuteOptions, type SandboxResult } from './sandbox/execute-humaneval';
import type { HumanEvalItem, TaskItem } from './types';
import { assertTaskItem } from './validate-item';

/** Sandbox options plus caching of HumanEval verdicts. */
export interface GradeOptions extends ExecuteOptions {
  /**
   * reuse the verdict of an identical (item, code, limits) run in this process (default true).
   * Timeouts are never reused: they can depend on how busy the machine was.
   */
  cache?: boolean;
}

const MAX_CACHED = 20_000;
const verdicts = new Map<string, SandboxResult>();

function cacheKey(item: HumanEvalItem, completion: string, opts: ExecuteOptions): string {
  const limits = JSON.stringify(opts, Object.keys(opts).sort());
  return createHash('sha256').update(JSON.stringify([item.prompt, item.test, item.entryPoint, completion, limits])).digest('hex');
}

/**
 * Runs a free-text HumanEval response (whole function or body, fenced or not) in the sandbox
 * and returns the full result. See responseToCompletion for how the code is extracted.
 */
export async function runHumanEvalResponse(item: HumanEvalItem, responseText: string, opts: GradeOptions = {}): Promise<SandboxResult> {
  assertTaskItem(item, 'humaneval');
  const { cache = true, ...sandbox } = opts;
  const completion = responseToCompletion(item, responseText);
  const key = cache ? cacheKey(item, completion, sandbox) : '';
  const hit = cache ? verdicts.get(key) : undefined;
  if (hit) return hit;
  const result = await executeHumanEval(item, completion, sandbox);
  if (cache && result.status !== 'timeout') {
    if (verdicts.size >= MAX_CACHED) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(key, result);
  }
  return result;
}

/**
 * Grades a free-text response to any task item: GSM8K by its final number, MMLU by the option
 * letter it commits to, HumanEval by running the extracted code against the item's tests in the
 * sandbox (passed = correct; failed, timeout and crashed are all incorrect).
 */
export async function gradeResponse(item: TaskItem, responseText: string, opts: GradeOptions = {}): Promise<boolean> {
  assertTaskItem(item);
  switch (item.task) {
    case 'gsm8k':
      return gradeGsm8k(responseText, item.gold);
    case 'mmlu':
      return extractChoice(responseText) === item.answer;
    case 'humaneval':
      return (await runHumanEvalResponse(item, responseText, opts)).status === 'passed';
  }
}
