/**
 * Errors and skip-reports for dataset files. Every problem names the file, the line (or the
 * parquet row) and, when a schema check failed, the field, so a user can open the file and fix it.
 */
import type { ZodError } from 'zod';

/** Where in which file a dataset problem sits. `line` is 1-based; parquet files report rows. */
export interface DatasetIssue {
  file: string;
  /** 1-based line of a text file, or 1-based row of a parquet file */
  line: number;
  /** 'line' for JSONL/CSV, 'row' for parquet */
  unit: 'line' | 'row';
  /** the offending field, when known (dotted path, e.g. `choices.2`) */
  field?: string;
  message: string;
}

/** Thrown by the loaders on the first bad line unless `onError: 'skip'` is given. */
export class DatasetError extends Error {
  readonly issue: DatasetIssue;
  constructor(issue: DatasetIssue) {
    super(formatIssue(issue));
    this.name = 'DatasetError';
    this.issue = issue;
  }
}

/** `file:line: field 'x': message` (the compiler-style location editors can jump to). */
export function formatIssue(issue: DatasetIssue): string {
  const where = issue.unit === 'line' ? `${issue.file}:${issue.line}` : `${issue.file} row ${issue.line}`;
  const field = issue.field ? ` field '${issue.field}':` : '';
  return `${where}:${field} ${issue.message}`;
}

/** Options shared by every loader. */
export interface LoadOptions {
  /** 'throw' (default): the first bad line throws a DatasetError. 'skip': bad lines are left out and reported. */
  onError?: 'throw' | 'skip';
  /** receives each skipped line when onError is 'skip'; default: one warning line on stderr each */
  onSkip?: (issue: DatasetIssue) => void;
}

/**
 * An empty dataset file (no non-blank line, or no parquet row) is an error, never 0 items loaded
 * without a word: a truncated download or a wrong path would otherwise look like a tiny dataset.
 */
export function assertNotEmpty(isEmpty: boolean, file: string, unit: 'line' | 'row' = 'line'): void {
  if (isEmpty) throw new DatasetError({ file, line: 1, unit, message: unit === 'row' ? 'the file has no rows (no items to load)' : 'the file is empty (no items to load)' });
}

/** Turns the first zod issue into (field, message). */
export function describeZodError(err: ZodError): { field?: string; message: string } {
  const first = err.issues[0];
  if (!first) return { message: 'invalid value' };
  const field = first.path.length ? first.path.join('.') : undefined;
  return { field, message: first.message };
}

/**
 * Collects items while applying the throw-or-skip policy: `fail` either throws or records the
 * issue, so each loader's parsing loop stays a straight line.
 */
export class IssueSink {
  private readonly mode: 'throw' | 'skip';
  private readonly onSkip: (issue: DatasetIssue) => void;
  readonly skipped: DatasetIssue[] = [];

  constructor(opts: LoadOptions = {}) {
    this.mode = opts.onError ?? 'throw';
    this.onSkip = opts.onSkip ?? ((issue) => process.stderr.write(`skipped ${formatIssue(issue)}\n`));
  }

  /** Reports a bad line: throws in 'throw' mode, records and notifies in 'skip' mode. */
  fail(issue: DatasetIssue): void {
    if (this.mode === 'throw') throw new DatasetError(issue);
    this.skipped.push(issue);
    this.onSkip(issue);
  }
}
