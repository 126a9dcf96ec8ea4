/**
 * GSM8K loader. Official format: JSONL, one `{"question": ..., "answer": ...}` per line, where
 * `answer` is the worked solution whose last line is `#### <number>`.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { assertNotEmpty, describeZodError, IssueSink, type LoadOptions } from './dataset-error';
import { parseNumber } from './numbers';
import { jsonLines, numberedLines, readTextFile } from './read-text';
import type { Gsm8kItem } from './types';

const gsm8kLine = z.object({
  question: z.string().trim().min(1, 'must be a non-empty string'),
  answer: z.string().trim().min(1, 'must be a non-empty string'),
  /** not in the official files; our samples carry a stable id */
  id: z.string().min(1).optional(),
});

/** The number after the last `####` of a GSM8K solution, normalised (no commas, no `$`), or null. */
export function gsm8kGoldFromSolution(answer: string): string | null {
  const at = answer.lastIndexOf('####');
  if (at < 0) return null;
  const raw = answer.slice(at + 4).trim();
  const value = parseNumber(raw);
  if (value === null) return null;
  return raw.replace(/[$,\s]/g, '').replace(/\.$/, '').replace(/%$/, '');
}

/** Parses GSM8K JSONL text; `file` is used in ids and error messages. */
export function parseGsm8k(text: string, file: string, opts: LoadOptions = {}): Gsm8kItem[] {
  const sink = new IssueSink(opts);
  const stem = path.basename(file).replace(/\.jsonl(\.gz)?$|\.json$/, '');
  assertNotEmpty(numberedLines(text).length === 0, file);
  const items: Gsm8kItem[] = [];
  const seen = new Map<string, number>();
  for (const { line, raw } of jsonLines(text, file, sink)) {
    const parsed = gsm8kLine.safeParse(raw);
    if (!parsed.success) {
      sink.fail({ file, line, unit: 'line', ...describeZodError(parsed.error) });
      continue;
    }
    const gold = gsm8kGoldFromSolution(parsed.data.answer);
    if (gold === null) {
      sink.fail({ file, line, unit: 'line', field: 'answer', message: "must end with '#### <number>'" });
      continue;
    }
    const id = parsed.data.id ?? `gsm8k/${stem}/${line}`;
    // ids key transcripts, grades and splits: two items with one id would share them
    const first = seen.get(id);
    if (first !== undefined) {
      sink.fail({ file, line, unit: 'line', field: 'id', message: `duplicate id '${id}' (also line ${first})` });
      continue;
    }
    seen.set(id, line);
    items.push({
      task: 'gsm8k',
      id,
      question: parsed.data.question,
      answer: parsed.data.answer,
      gold,
    });
  }
  return items;
}

/** Loads a GSM8K JSONL file (optionally `.gz`). Throws a DatasetError naming file and line on bad input. */
export async function loadGsm8k(file: string, opts: LoadOptions = {}): Promise<Gsm8kItem[]> {
  return parseGsm8k(readTextFile(file), file, opts);
}
