/**
 * `exportFigure`: writes a figure to disk as images (SVG/PNG/vector PDF through headless
 * Chromium), an interactive self-contained HTML page, and the data behind it (CSV + JSON).
 *
 * CSV and JSON are always written. Without any Chromium (system or bundled), SVG/PNG/PDF are
 * skipped with a message that says how to get one, and an HTML page is written instead so the
 * figure can still be viewed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rowsToCsv } from './csv';
import { assertFigureName, figureTitle, plotlySpec, type Figure } from './figure';
import { standaloneHtml } from './html';
import { ChromiumMissingError, exporterBrowser, renderFigure, type RenderOptions } from './renderer';

/** File kinds `exportFigure` can write. */
export type ExportFormat = 'svg' | 'png' | 'pdf' | 'html' | 'csv' | 'json';

/** Every format, in the order they are written. */
export const ALL_FORMATS: readonly ExportFormat[] = ['svg', 'png', 'pdf', 'html', 'csv', 'json'];

/** Default formats: images (PDF for LaTeX) plus the data. HTML (4.7 MB each, plotly inlined) only on request. */
export const DEFAULT_FORMATS: readonly ExportFormat[] = ['svg', 'png', 'pdf', 'csv', 'json'];

/** Options of {@link exportFigure}. */
export interface ExportOptions extends RenderOptions {
  /** output folder, created if missing (e.g. `figuresDir('01-collaboration')`) */
  dir: string;
  /** file stem; default the figure's name */
  name?: string;
  formats?: readonly ExportFormat[];
  /** called with the missing-Chromium message (default: console.warn, once per process) */
  warn?: (message: string) => void;
}

/** What {@link exportFigure} did: files written (absolute paths) and formats skipped, with why. */
export interface ExportResult {
  written: Partial<Record<ExportFormat, string>>;
  skipped: Array<{ format: ExportFormat; reason: string }>;
  /** the browser that drew the images, e.g. 'system Chromium /usr/bin/chromium'; null when none was used */
  browser: string | null;
}

/** The JSON file's content: the data behind the figure and the spec to redraw it. */
export interface FigureJson {
  name: string;
  title: string | null;
  source: Figure['source'];
  figure: ReturnType<typeof plotlySpec>;
}

let warnedMissing = false;
function warnOnce(message: string): void {
  if (warnedMissing) return;
  warnedMissing = true;
  console.warn(message);
}

function writeFile(file: string, content: string | Buffer): void {
  // Write then rename, so a reader never sees a half-written figure.
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/**
 * plotly names the defs, clip paths, legend and colour-bar gradient of each render with a random
 * hex id; this replaces it with one derived from `name`, so re-running a notebook writes the same
 * SVG bytes (committed figures do not change without a reason).
 */
export function stableSvgIds(svg: string, name: string): string {
  const m = /id="defs-([0-9a-f]+)"/.exec(svg);
  if (!m) return svg;
  const stable = createHash('sha1').update(name).digest('hex').slice(0, m[1].length);
  return svg.replace(new RegExp(`(defs-|clip|legend|g)${m[1]}(?![0-9a-f])`, 'g'), (_all, prefix: string) => prefix + stable);
}

/**
 * plotly writes the root <svg> tag's attributes in an order that can change between renders of
 * the same figure (an empty style="" stood before viewBox in 31 renders and after it in 1,
 * session 8), so the root tag's attributes are written in name order, the empty style dropped
 * (it styles nothing). The rest of the document is left as rendered.
 */
export function stableSvgRoot(svg: string): string {
  const m = /<svg\b([^>]*)>/.exec(svg);
  if (!m) return svg;
  const attrs = [...m[1].matchAll(/([\w:.-]+)="([^"]*)"/g)].filter(([, k, v]) => !(k === 'style' && v === '')).map(([, k, v]) => [k, v] as const);
  attrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tag = `<svg${attrs.map(([k, v]) => ` ${k}="${v}"`).join('')}>`;
  return svg.slice(0, m.index) + tag + svg.slice(m.index + m[0].length);
}

/**
 * Chromium stamps a PDF with the time it was printed (CreationDate, ModDate); a fixed date of the
 * same length keeps re-runs byte-identical and the cross-reference offsets valid.
 */
export function stablePdfDates(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const fixed = text.replace(/(\/(?:CreationDate|ModDate)\s*\(D:)\d{14}/g, (_all, head: string) => `${head}20000101000000`);
  return fixed === text ? pdf : Buffer.from(fixed, 'latin1');
}

/** The JSON written beside a figure. */
export function figureJson(fig: Figure): FigureJson {
  return { name: fig.name, title: figureTitle(fig), source: fig.source, figure: plotlySpec(fig) };
}

/**
 * Writes `<dir>/<name>.<format>` for each requested format and reports what was written.
 * Errors other than a missing Chromium (e.g. an unwritable folder, a plotly failure) throw.
 */
export async function exportFigure(fig: Figure, opts: ExportOptions): Promise<ExportResult> {
  const name = opts.name ?? fig.name;
  assertFigureName(name);
  const formats = opts.formats ?? DEFAULT_FORMATS;
  for (const f of formats) {
    if (!ALL_FORMATS.includes(f)) throw new Error(`exportFigure: unknown format '${f}' (use ${ALL_FORMATS.join(', ')})`);
  }
  fs.mkdirSync(opts.dir, { recursive: true });
  const file = (f: ExportFormat) => path.resolve(opts.dir, `${name}.${f}`);
  const result: ExportResult = { written: {}, skipped: [], browser: null };
  const want = (f: ExportFormat) => formats.includes(f);

  if (want('csv')) {
    writeFile(file('csv'), rowsToCsv(fig.source));
    result.written.csv = file('csv');
  }
  if (want('json')) {
    writeFile(file('json'), JSON.stringify(figureJson(fig), null, 1) + '\n');
    result.written.json = file('json');
  }
  let chromiumMissing: string | null = null;
  for (const f of ['svg', 'png', 'pdf'] as const) {
    if (!want(f)) continue;
    if (chromiumMissing) {
      result.skipped.push({ format: f, reason: chromiumMissing });
      continue;
    }
    try {
      const image =
        f === 'svg'
          ? stableSvgRoot(stableSvgIds(await renderFigure(fig, 'svg', opts), name))
          : f === 'pdf'
            ? stablePdfDates(await renderFigure(fig, 'pdf', opts))
            : await renderFigure(fig, 'png', opts);
      writeFile(file(f), image);
      result.written[f] = file(f);
      result.browser = exporterBrowser()?.description ?? null;
    } catch (err) {
      if (!(err instanceof ChromiumMissingError)) throw err;
      chromiumMissing = err.message;
      (opts.warn ?? warnOnce)(err.message);
      result.skipped.push({ format: f, reason: err.message });
    }
  }
  // Without Chromium the HTML page is the only viewable output, so write it even if not asked.
  if (want('html') || chromiumMissing) {
    writeFile(file('html'), standaloneHtml(fig));
    result.written.html = file('html');
  }
  return result;
}
