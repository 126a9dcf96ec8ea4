/** Grading many HumanEval candidates at once. */
import type { HumanEvalItem } from '../types';
import { executeHumanEval, type ExecuteOptions, type SandboxResult } from './execute-humaneval';
import { defaultSandboxConcurrency, mapWithConcurrency } from './pool';

/** Options for a batch: the sandbox limits plus how many run at once. */
export interface BatchOptions extends ExecuteOptions {
  /** candidates in flight at once (default: one per core) */
  concurrency?: number;
  /** called after each candidate with (done, total) */
  onProgress?: (done: number, total: number) => void;
}

/** Runs `{item, completion}` pairs in the sandbox, several at a time; results keep input order. */
export function executeHumanEvalBatch(
  runs: ReadonlyArray<{ item: HumanEvalItem; completion: string }>,
  opts: BatchOptions = {},
): Promise<SandboxResult[]> {
  const { concurrency = defaultSandboxConcurrency(), onProgress, ...sandbox } = opts;
  return mapWithConcurrency(runs, concurrency, (r) => executeHumanEval(r.item, r.completion, sandbox), (done) => onProgress?.(done, runs.length));
}
