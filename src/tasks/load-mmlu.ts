/**
 * MMLU loader for the two common distributions:
 *  - the original release: one CSV per subject and split (`<subject>_test.csv`, `_dev`, `_val`),
 *    no header, columns question, A, B, C, D, answer letter;
 *  - the Hugging Face export: JSONL or parquet rows with question, subject, choices (4 strings)
 *    and answer (index 0-3).
 * A directory is searched recursively for all of these.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseCsv, CsvSyntaxError } from './csv';
import { assertNotEmpty, describeZodError, IssueSink, type LoadOptions } from './dataset-error';
import { importEsm } from '../experts/import-esm';
import { jsonLines, numberedLines, readTextFile } from './read-text';
import type { Choice, MmluItem } from './types';

const LETTERS: Choice[] = ['A', 'B', 'C', 'D'];
const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');

const csvRow = z.tuple([nonEmpty, nonEmpty, nonEmpty, nonEmpty, nonEmpty, z.string().trim().toUpperCase().pipe(z.enum(['A', 'B', 'C', 'D']))]);

const hfRow = z.object({
  question: nonEmpty,
  subject: nonEmpty,
  choices: z.array(nonEmpty).length(4, 'must list exactly 4 options'),
  answer: z.union([
    z.number().int().min(0).max(3),
    z.bigint().transform((v) => Number(v)).pipe(z.number().int().min(0).max(3)),
    z.enum(['A', 'B', 'C', 'D']).transform((l) => LETTERS.indexOf(l)),
  ]),
  id: z.string().min(1).optional(),
});

/** `abstract_algebra_test.csv` -> { subject: 'abstract_algebra', split: 'test' }. */
export function mmluSubjectFromFileName(file: string): { subject: string; split: string } {
  const stem = path.basename(file).replace(/\.csv$/i, '');
  const m = /^(.*)_(test|dev|val|validation|train)$/.exec(stem);
  return m ? { subject: m[1], split: m[2] } : { subject: stem, split: 'test' };
}

/** Parses one MMLU CSV file's text (original release format). */
export function parseMmluCsv(text: string, file: string, opts: LoadOptions = {}): MmluItem[] {
  assertNotEmpty(numberedLines(text).length === 0, file);
  const sink = new IssueSink(opts);
  const { subject, split } = mmluSubjectFromFileName(file);
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    // Everything after an unterminated quote is one broken field: report it, keep nothing after it.
    sink.fail({ file, line: e.line, unit: 'line', message: e.message });
    // Keep the records before the broken one (which may start lines before the stray quote).
    records = parseCsv(text.split(/\r?\n/).slice(0, e.recordLine - 1).join('\n'));
  }
  const items: MmluItem[] = [];
  const columns = ['question', 'A', 'B', 'C', 'D', 'answer'];
  for (const { line, fields } of records) {
    if (fields.length !== 6) {
      sink.fail({ file, line, unit: 'line', message: `expected 6 columns (question,A,B,C,D,answer), found ${fields.length}` });
      continue;
    }
    const parsed = csvRow.safeParse(fields);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      const col = field !== undefined ? columns[Number(field)] ?? field : undefined;
      sink.fail({ file, line, unit: 'line', field: col, message: col === 'answer' ? 'must be one of A, B, C, D' : message });
      continue;
    }
    const [question, a, b, c, d, answer] = parsed.data;
    items.push({ task: 'mmlu', id: `mmlu/${subject}/${split}/${line}`, subject, question, choices: [a, b, c, d], answer });
  }
  return items;
}

function hfItem(raw: unknown, file: string, line: number, unit: 'line' | 'row', sink: IssueSink): MmluItem | null {
  const parsed = hfRow.safeParse(raw);
  if (!parsed.success) {
    sink.fail({ file, line, unit, ...describeZodError(parsed.error) });
    return null;
  }
  const r = parsed.data;
  return {
    task: 'mmlu',
    id: r.id ?? `mmlu/${r.subject}/${path.basename(file).replace(/\..*$/, '')}/${line}`,
    subject: r.subject,
    question: r.question,
    choices: [r.choices[0], r.choices[1], r.choices[2], r.choices[3]],
    answer: LETTERS[r.answer],
  };
}

/** Parses the Hugging Face JSONL export (question, subject, choices, answer 0-3). */
export function parseMmluJsonl(text: string, file: string, opts: LoadOptions = {}): MmluItem[] {
  assertNotEmpty(numberedLines(text).length === 0, file);
  const sink = new IssueSink(opts);
  const items: MmluItem[] = [];
  for (const { line, raw } of jsonLines(text, file, sink)) {
    const item = hfItem(raw, file, line, 'line', sink);
    if (item) items.push(item);
  }
  return items;
}

type Hyparquet = typeof import('hyparquet');

/** Reads the Hugging Face parquet export; rows are reported 1-based. */
export async function parseMmluParquet(file: string, opts: LoadOptions = {}): Promise<MmluItem[]> {
  const { parquetReadObjects } = await importEsm<Hyparquet>('hyparquet');
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: buffer, columns: ['question', 'subject', 'choices', 'answer'] });
  } catch (e) {
    throw new Error(`${file}: cannot read parquet (${(e as Error).message})`);
  }
  assertNotEmpty(rows.length === 0, file, 'row');
  const sink = new IssueSink(opts);
  const items: MmluItem[] = [];
  rows.forEach((row, i) => {
    const item = hfItem(row, file, i + 1, 'row', sink);
    if (item) items.push(item);
  });
  return items;
}

const MMLU_FILE = /\.(csv|jsonl|jsonl\.gz|parquet)$/i;

function listMmluFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return listMmluFiles(p);
      return MMLU_FILE.test(e.name) ? [p] : [];
    });
}

/**
 * Loads MMLU items from a CSV, JSONL(.gz) or parquet file, or from a directory holding any of
 * them (searched recursively, files in name order). Throws a DatasetError naming file and line
 * (or parquet row) and field on bad input, unless `onError: 'skip'`.
 */
export async function loadMmlu(target: string, opts: LoadOptions = {}): Promise<MmluItem[]> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new Error(`${target}: no such MMLU file or directory`);
  }
  const files = stat.isDirectory() ? listMmluFiles(target) : [target];
  if (stat.isDirectory() && files.length === 0) throw new Error(`${target}: no .csv, .jsonl or .parquet files in this directory`);
  const items: MmluItem[] = [];
  for (const file of files) {
    const lower = file.toLowerCase();
    if (lower.endsWith('.parquet')) items.push(...(await parseMmluParquet(file, opts)));
    else if (lower.endsWith('.csv')) items.push(...parseMmluCsv(readTextFile(file), file, opts));
    else if (lower.endsWith('.jsonl') || lower.endsWith('.jsonl.gz')) items.push(...parseMmluJsonl(readTextFile(file), file, opts));
    else throw new Error(`${file}: unknown MMLU file type (expected .csv, .jsonl, .jsonl.gz or .parquet)`);
  }
  return items;
}

