/**
 * Output of a paper notebook: every figure is shown inline and exported to figures/<notebook>/
 * (SVG, PNG, vector PDF, CSV, JSON); every table is shown and written as CSV + JSON, paper tables
 * also as LaTeX booktabs + Markdown. `close()` stops the export browser and lists what was written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Figure, SourceRow } from '../plots/figure';
import { exportFigureCached } from './figure-render-cache';
import { closeExporter } from '../plots/renderer';
import { exportPaperTable } from '../plots/paper-table-export';
import type { PaperColumn } from '../plots/paper-table';
import { figuresDir } from '../plots/paths';
import { showFigure, showMarkdown, showTable } from './display';
import { exportTable } from './tables';

export interface PaperOutputs {
  /** figures/<notebook> */
  dir: string;
  /** shows the figure and exports it */
  figure(fig: Figure): Promise<void>;
  /** shows the rows and writes <name>.csv/.json */
  table(name: string, rows: readonly SourceRow[], opts?: { maxRows?: number; show?: boolean }): void;
  /** shows the rows and writes <name>.csv/.json/.tex/.md (booktabs + Markdown); the paths join `written` */
  paperTable(name: string, rows: readonly SourceRow[], opts: { caption: string; label?: string; columns?: ReadonlyArray<PaperColumn | string>; digits?: number; maxRows?: number }): void;
  /** every file written so far */
  readonly written: readonly string[];
  /** stops the shared browser and shows the list of files written (relative to the checkout) */
  close(): Promise<void>;
}

export function paperOutputs(notebook: string): PaperOutputs {
  const dir = figuresDir(notebook);
  const written: string[] = [];
  const skipped = new Set<string>();
  let browser: string | null = null;
  return {
    dir,
    written,
    async figure(fig) {
      // Export first: the exported (or reused) images are then the inline figure's static image too.
      const r = await exportFigureCached(fig, { dir });
      await showFigure(fig, { svg: r.written.svg ? fs.readFileSync(r.written.svg, 'utf8') : undefined, png: r.written.png ? fs.readFileSync(r.written.png) : undefined });
      written.push(...Object.values(r.written).filter((f): f is string => typeof f === 'string' && !f.endsWith('.html')));
      for (const s of r.skipped) skipped.add(`${s.format}: ${s.reason}`);
      browser ??= r.browser;
    },
    table(name, rows, opts = {}) {
      if (opts.show !== false) showTable(rows, { maxRows: opts.maxRows ?? 40 });
      const f = exportTable(rows, { dir, name });
      written.push(f.csv, f.json);
    },
    paperTable(name, rows, opts) {
      showTable(rows, { maxRows: opts.maxRows ?? 40 });
      const columns = opts.columns ?? (rows.length ? Object.keys(rows[0]) : []);
      const f = exportPaperTable({ columns, rows }, { dir, name, caption: opts.caption, label: opts.label ?? `tab:${name}`, digits: opts.digits });
      written.push(f.csv, f.json, f.tex, f.md);
    },
    async close() {
      await closeExporter();
      const rel = (f: string) => path.relative(process.cwd(), f);
      showMarkdown(
        `**${written.length} files written to \`${rel(dir)}/\`**${browser ? ` (images drawn by ${browser})` : ''}:\n\n` +
          written.map((f) => `- \`${rel(f)}\``).join('\n') +
          [...skipped].map((s) => `\n- skipped ${s}`).join(''),
      );
    },
  };
}
