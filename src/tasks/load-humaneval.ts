/**
 * HumanEval loader. Official format: JSONL (shipped gzipped), one problem per line with
 * task_id, prompt (signature + docstring), canonical_solution (the body), test (defines
 * `check(candidate)`) and entry_point (the function name).
 */
import { z } from 'zod';
import { assertNotEmpty, describeZodError, IssueSink, type LoadOptions } from './dataset-error';
import { jsonLines, numberedLines, readTextFile } from './read-text';
import type { HumanEvalItem } from './types';

const humanEvalLine = z.object({
  task_id: z.string().trim().min(1, 'must be a non-empty string'),
  prompt: z.string().min(1, 'must be a non-empty string'),
  canonical_solution: z.string().min(1, 'must be a non-empty string'),
  test: z.string().refine((t) => /\bdef\s+check\s*\(/.test(t), 'must define check(candidate)'),
  entry_point: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Python identifier'),
});

/** Parses HumanEval JSONL text; `file` is used in error messages. */
export function parseHumanEval(text: string, file: string, opts: LoadOptions = {}): HumanEvalItem[] {
  const sink = new IssueSink(opts);
  assertNotEmpty(numberedLines(text).length === 0, file);
  const items: HumanEvalItem[] = [];
  const seen = new Set<string>();
  for (const { line, raw } of jsonLines(text, file, sink)) {
    const parsed = humanEvalLine.safeParse(raw);
    if (!parsed.success) {
      sink.fail({ file, line, unit: 'line', ...describeZodError(parsed.error) });
      continue;
    }
    const r = parsed.data;
    if (!new RegExp(`\\bdef\\s+${r.entry_point}\\s*\\(`).test(r.prompt)) {
      sink.fail({ file, line, unit: 'line', field: 'entry_point', message: `prompt does not define '${r.entry_point}'` });
      continue;
    }
    if (seen.has(r.task_id)) {
      sink.fail({ file, line, unit: 'line', field: 'task_id', message: `duplicate task_id '${r.task_id}'` });
      continue;
    }
    seen.add(r.task_id);
    items.push({ task: 'humaneval', id: r.task_id, prompt: r.prompt, canonicalSolution: r.canonical_solution, test: r.test, entryPoint: r.entry_point });
  }
  return items;
}

/** Loads a HumanEval JSONL or `.jsonl.gz` file. Throws a DatasetError naming file and line on bad input. */
export async function loadHumanEval(file: string, opts: LoadOptions = {}): Promise<HumanEvalItem[]> {
  return parseHumanEval(readTextFile(file), file, opts);
}
