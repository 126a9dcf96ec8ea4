/**
 * Tables for notebooks: danfojs-node DataFrames (or plain tidy rows) rendered as escaped HTML
 * and plain text, and exported as CSV + JSON beside the figures.
 *
 * danfojs is only described structurally here (columns, index, 2-D values), so this module never
 * loads danfojs itself (that takes over a second) and also accepts arrays of row objects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rowsToCsv } from '../plots/csv';
import type { CellValue, SourceRow } from '../plots/figure';
import { formatSignificant } from '../plots/format';

/** The part of a danfojs DataFrame that tables need; a `dfd.DataFrame` satisfies it. */
export interface DataFrameLike {
  columns: string[];
  index: Array<string | number>;
  shape: number[];
  /** row-major values: `values[r][c]` */
  values: readonly unknown[];
}

/** What the table helpers accept: a DataFrame or an array of tidy row objects. */
export type TableLike = DataFrameLike | readonly SourceRow[];

/** A table reduced to what is shown: column names, row labels, cells. */
export interface TableData {
  columns: string[];
  /** row labels (the DataFrame index; 0..n-1 for row arrays) */
  index: Array<string | number>;
  rows: CellValue[][];
}

/** Options for {@link tableHtml} and {@link tableText}. */
export interface TableFormatOptions {
  /** show at most this many rows, head and tail (default 40) */
  maxRows?: number;
  /** significant digits for non-integer numbers (default 4) */
  digits?: number;
  /** show the index column (default: true for DataFrames, false for row arrays) */
  showIndex?: boolean;
  caption?: string;
}

function isDataFrameLike(t: TableLike): t is DataFrameLike {
  return !Array.isArray(t) && typeof t === 'object' && t !== null && Array.isArray((t as DataFrameLike).columns);
}

/** One value as a table cell: null/undefined become '', booleans and others become text. */
function toCell(v: unknown): CellValue {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

/** Normalises a DataFrame or row array into columns, index and cells. */
export function tableData(t: TableLike): TableData {
  if (isDataFrameLike(t)) {
    const columns = t.columns.slice();
    const rows = t.values.map((row, r) => {
      if (!Array.isArray(row)) throw new Error(`tableData: DataFrame row ${r} is not an array (is this a Series? pass a DataFrame)`);
      return row.map(toCell);
    });
    return { columns, index: t.index.slice(), rows };
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of t) {
    for (const k of Object.keys(row)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  return { columns, index: t.map((_, i) => i), rows: t.map((row) => columns.map((c) => toCell(row[c]))) };
}

/** The table as tidy row objects (column name -> cell), e.g. for CSV or a figure's source. */
export function tableRows(t: TableLike): SourceRow[] {
  const d = tableData(t);
  return d.rows.map((cells) => {
    const row: SourceRow = {};
    d.columns.forEach((c, i) => (row[c] = cells[i]));
    return row;
  });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Row positions to show: all, or the head and tail around a gap (marked by -1). */
function visibleRows(n: number, maxRows: number): number[] {
  if (n <= maxRows) return Array.from({ length: n }, (_, i) => i);
  const head = Math.ceil(maxRows / 2);
  const tail = maxRows - head;
  return [...Array.from({ length: head }, (_, i) => i), -1, ...Array.from({ length: tail }, (_, i) => n - tail + i)];
}

function show(v: CellValue, digits: number): string {
  return typeof v === 'number' ? formatSignificant(v, digits) : v;
}

/**
 * The table as an HTML `<table>` for notebook output: every cell escaped, numbers formatted
 * and right-aligned, long tables cut to head and tail with the full shape in a footer line.
 */
export function tableHtml(t: TableLike, opts: TableFormatOptions = {}): string {
  const d = tableData(t);
  const digits = opts.digits ?? 4;
  const showIndex = opts.showIndex ?? isDataFrameLike(t);
  const numeric = d.columns.map((_, c) => d.rows.length > 0 && d.rows.every((row) => typeof row[c] === 'number' || row[c] === ''));
  const parts: string[] = ['<table class="inform-table" style="border-collapse:collapse">'];
  if (opts.caption) parts.push(`<caption style="text-align:left;font-weight:bold">${escapeHtml(opts.caption)}</caption>`);
  const head = d.columns.map((c, i) => `<th style="text-align:${numeric[i] ? 'right' : 'left'};padding:2px 8px">${escapeHtml(c)}</th>`);
  parts.push(`<thead><tr>${showIndex ? '<th></th>' : ''}${head.join('')}</tr></thead>`, '<tbody>');
  for (const r of visibleRows(d.rows.length, opts.maxRows ?? 40)) {
    if (r < 0) {
      parts.push(`<tr><td colspan="${d.columns.length + (showIndex ? 1 : 0)}" style="text-align:center">…</td></tr>`);
      continue;
    }
    const cells = d.rows[r].map((v, c) => `<td style="text-align:${numeric[c] ? 'right' : 'left'};padding:2px 8px">${escapeHtml(show(v, digits))}</td>`);
    parts.push(`<tr>${showIndex ? `<th style="padding:2px 8px">${escapeHtml(String(d.index[r]))}</th>` : ''}${cells.join('')}</tr>`);
  }
  parts.push('</tbody></table>');
  parts.push(`<p style="font-size:smaller;color:#666">${d.rows.length} rows × ${d.columns.length} columns</p>`);
  return parts.join('\n');
}

/** The table as aligned plain text (for terminals and the text/plain fallback). */
export function tableText(t: TableLike, opts: TableFormatOptions = {}): string {
  const d = tableData(t);
  const digits = opts.digits ?? 4;
  const showIndex = opts.showIndex ?? isDataFrameLike(t);
  const lines: string[][] = [[...(showIndex ? [''] : []), ...d.columns]];
  for (const r of visibleRows(d.rows.length, opts.maxRows ?? 40)) {
    if (r < 0) lines.push([...(showIndex ? ['…'] : []), ...d.columns.map(() => '…')]);
    else lines.push([...(showIndex ? [String(d.index[r])] : []), ...d.rows[r].map((v) => show(v, digits))]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const text = lines.map((l) => l.map((s, c) => s.padEnd(widths[c])).join('  ').trimEnd());
  if (opts.caption) text.unshift(opts.caption);
  text.push(`[${d.rows.length} rows x ${d.columns.length} columns]`);
  return text.join('\n');
}

/** Options of {@link exportTable}. */
export interface ExportTableOptions {
  dir: string;
  /** file stem, e.g. 'table-2-start-distribution' */
  name: string;
}

/**
 * Writes `<dir>/<name>.csv` (header + one line per row, full numeric precision) and
 * `<dir>/<name>.json` (an array of row objects). Returns both paths.
 */
export function exportTable(t: TableLike, opts: ExportTableOptions): { csv: string; json: string } {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(opts.name)) {
    throw new Error(`exportTable: '${opts.name}' is not a safe file stem (letters, digits, '.', '_', '-')`);
  }
  const d = tableData(t);
  const rows = tableRows(t);
  fs.mkdirSync(opts.dir, { recursive: true });
  const csv = path.resolve(opts.dir, `${opts.name}.csv`);
  const json = path.resolve(opts.dir, `${opts.name}.json`);
  fs.writeFileSync(csv, rowsToCsv(rows, d.columns));
  fs.writeFileSync(json, JSON.stringify(rows, null, 1) + '\n');
  return { csv, json };
}
