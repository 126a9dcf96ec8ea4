/** Writes a paper table beside the figures: CSV and JSON (the data), .tex (booktabs) and .md. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rowsToCsv } from './csv';
import { assertFigureName, type SourceRow } from './figure';
import { toBooktabs, toMarkdown, type PaperTable, type PaperTableOptions } from './paper-table';

/** Options of {@link exportPaperTable}. */
export interface PaperTableExportOptions extends PaperTableOptions {
  /** output folder, created if missing, e.g. figuresDir('05-masking') */
  dir: string;
  /** file stem, e.g. 'table-8' */
  name: string;
}

/** Paths written by {@link exportPaperTable}. */
export interface PaperTableFiles {
  csv: string;
  json: string;
  tex: string;
  md: string;
}

function writeFile(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/**
 * Writes `<name>.csv`, `.json` (`{name, caption, label, columns, rows}`, full precision), `.tex`
 * and `.md` into `dir`, and returns their paths. The text files round numbers; CSV/JSON do not.
 */
export function exportPaperTable(table: PaperTable, opts: PaperTableExportOptions): PaperTableFiles {
  assertFigureName(opts.name);
  // Render first, so a malformed table throws before any file is written.
  const tex = toBooktabs(table, opts);
  const md = toMarkdown(table, opts);
  const keys = table.columns.map((c) => (typeof c === 'string' ? c : c.key));
  const rows: SourceRow[] = table.rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
  fs.mkdirSync(opts.dir, { recursive: true });
  const file = (ext: string) => path.resolve(opts.dir, `${opts.name}.${ext}`);
  const out: PaperTableFiles = { csv: file('csv'), json: file('json'), tex: file('tex'), md: file('md') };
  writeFile(out.csv, rowsToCsv(rows, keys));
  const json = { name: opts.name, caption: opts.caption ?? null, label: opts.label ?? null, columns: table.columns, rows };
  writeFile(out.json, JSON.stringify(json, null, 1) + '\n');
  writeFile(out.tex, tex);
  writeFile(out.md, md);
  return out;
}
