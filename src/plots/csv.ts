/**
 * CSV for the tidy rows behind figures and tables (RFC 4180: comma separated, CRLF-free `\n`
 * line ends, fields quoted when they contain a comma, quote, line break or edge spaces).
 */
import type { SourceRow } from './figure';

/** Column names in first-seen order over all rows (rows may lack some keys). */
export function csvColumns(rows: readonly SourceRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) seen.add(k);
  return [...seen];
}

/** One field, quoted only when it has to be. Numbers keep full (round-trip) precision. */
export function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows -> CSV text with a header line; a row missing a column gets an empty field. */
export function rowsToCsv(rows: readonly SourceRow[], columns: readonly string[] = csvColumns(rows)): string {
  const lines = [columns.map((c) => csvField(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return lines.join('\n') + '\n';
}
