/**
 * Paper tables as text ready to paste into a paper: LaTeX (`booktabs`: \toprule, \midrule,
 * \bottomrule, no vertical rules) and GitHub-flavoured Markdown. Pure functions of the rows.
 */
import type { CellValue, SourceRow } from './figure';

/** One column of a {@link PaperTable}. */
export interface PaperColumn {
  /** key of the value in each row */
  key: string;
  /** header text (default: the key); escaped for LaTeX unless `latexHeader` is given */
  header?: string;
  /** header as raw LaTeX, e.g. '$\\rho$' */
  latexHeader?: string;
  /** alignment (default: right when every value in the column is a number, else left) */
  align?: 'left' | 'right' | 'center';
  /** decimals for this column's non-integer numbers (default: the table's `digits`) */
  digits?: number;
}

/** A table: its columns in order and its rows (values keyed by column key). */
export interface PaperTable {
  columns: ReadonlyArray<PaperColumn | string>;
  rows: readonly SourceRow[];
}

/** Options of {@link toBooktabs} and {@link toMarkdown}. */
export interface PaperTableOptions {
  caption?: string;
  /** LaTeX label, e.g. 'tab:masking' (LaTeX only) */
  label?: string;
  /** decimals printed for non-integer numbers (default 3) */
  digits?: number;
}

function columnsOf(table: PaperTable): PaperColumn[] {
  const cols = table.columns.map((c) => (typeof c === 'string' ? { key: c } : c));
  if (cols.length === 0) throw new Error('paper table: no columns');
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.key)) throw new Error(`paper table: column '${c.key}' is listed twice`);
    seen.add(c.key);
  }
  table.rows.forEach((row, r) => {
    for (const c of cols) if (!(c.key in row)) throw new Error(`paper table: rows[${r}] has no column '${c.key}'`);
  });
  return cols;
}

function isNumericColumn(table: PaperTable, key: string): boolean {
  return table.rows.length > 0 && table.rows.every((r) => typeof r[key] === 'number' || r[key] === '');
}

function alignOf(table: PaperTable, c: PaperColumn): 'left' | 'right' | 'center' {
  return c.align ?? (isNumericColumn(table, c.key) ? 'right' : 'left');
}

/** A number as printed: integers as they are, others with `digits` decimals; NaN as 'n/a'. */
export function formatTableNumber(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v)) return String(v);
  const s = v.toFixed(digits);
  // -0.000 after rounding is 0.000
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function cellText(v: CellValue, digits: number): string {
  return typeof v === 'number' ? formatTableNumber(v, digits) : v;
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Escapes text for LaTeX's text mode. */
export function escapeLatex(s: string): string {
  return s.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIALS[ch]);
}

function latexCell(v: CellValue, digits: number): string {
  if (typeof v === 'number') {
    const t = formatTableNumber(v, digits);
    // A typeset minus sign, not a hyphen.
    return t.startsWith('-') ? `$-$${t.slice(1)}` : t;
  }
  return escapeLatex(v);
}

/** The table as a LaTeX `table` environment with a booktabs `tabular` (needs \usepackage{booktabs}). */
export function toBooktabs(table: PaperTable, opts: PaperTableOptions = {}): string {
  const cols = columnsOf(table);
  const digits = opts.digits ?? 3;
  const spec = cols.map((c) => ({ left: 'l', right: 'r', center: 'c' })[alignOf(table, c)]).join('');
  const header = cols.map((c) => c.latexHeader ?? escapeLatex(c.header ?? c.key)).join(' & ');
  const lines = ['\\begin{table}[t]', '\\centering'];
  if (opts.caption) lines.push(`\\caption{${escapeLatex(opts.caption)}}`);
  if (opts.label) lines.push(`\\label{${opts.label}}`);
  lines.push(`\\begin{tabular}{${spec}}`, '\\toprule', `${header} \\\\`, '\\midrule');
  for (const row of table.rows) lines.push(`${cols.map((c) => latexCell(row[c.key], c.digits ?? digits)).join(' & ')} \\\\`);
  lines.push('\\bottomrule', '\\end{tabular}', '\\end{table}', '');
  return lines.join('\n');
}

function markdownCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The table as a GitHub-flavoured Markdown table, the caption (if any) in bold above it. */
export function toMarkdown(table: PaperTable, opts: PaperTableOptions = {}): string {
  const cols = columnsOf(table);
  const digits = opts.digits ?? 3;
  const rule = { left: ':---', right: '---:', center: ':---:' };
  const lines: string[] = [];
  if (opts.caption) lines.push(`**${markdownCell(opts.caption)}**`, '');
  lines.push(`| ${cols.map((c) => markdownCell(c.header ?? c.key)).join(' | ')} |`);
  lines.push(`| ${cols.map((c) => rule[alignOf(table, c)]).join(' | ')} |`);
  for (const row of table.rows) lines.push(`| ${cols.map((c) => markdownCell(cellText(row[c.key], c.digits ?? digits))).join(' | ')} |`);
  return lines.join('\n') + '\n';
}
