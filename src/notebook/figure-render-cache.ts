/**
 * Figure images (SVG/PNG/PDF) reused across runs while everything that draws them is unchanged.
 *
 * Why: on a warm run (runs, checkpoints and probe tables cached) drawing the images through
 * headless Chromium was the largest remaining cost of a paper notebook (~8-13 s per notebook on 2
 * cores). The images are a deterministic function of the figure's spec (data, layout, name: the
 * exporter makes SVG ids and PDF dates stable) and of the code and browser that draw it, so they
 * are stored under a hash of exactly those: the figure's JSON (`figureJson`, what is written beside
 * it), the content of every src/plots/*.ts file, the plotly bundle's and the bundled Chromium's
 * package versions, and the browser that would draw it (path, size, modification time;
 * INFORM_CHROMIUM). Any change draws again. CSV and JSON are always written by `exportFigure`.
 *
 * `.cache/figures/` (INFORM_FIGURE_CACHE_DIR moves it, INFORM_FIGURE_CACHE=0 turns it off).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportFigure, figureJson, type ExportResult } from '../plots/export';
import type { Figure } from '../plots/figure';
import { findChromium } from '../plots/chromium';
import { checkoutRoot } from './kernel';

const IMAGES = ['svg', 'png', 'pdf'] as const;
const KEEP_ENTRIES = 600;

/** Where the cache lives for this environment; null when it is turned off. */
export function figureCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.INFORM_FIGURE_CACHE === '0') return null;
  return env.INFORM_FIGURE_CACHE_DIR ? path.resolve(checkoutRoot(), env.INFORM_FIGURE_CACHE_DIR) : path.join(checkoutRoot(), '.cache', 'figures');
}

let drawingKey: string | null = null;

/** The hash of what draws a figure besides its spec: src/plots, plotly, the browser. */
function drawingInputs(env: NodeJS.ProcessEnv): string {
  if (drawingKey) return drawingKey;
  const root = checkoutRoot();
  const h = createHash('sha256');
  const plots = path.join(root, 'src', 'plots');
  for (const f of fs.readdirSync(plots).filter((f) => f.endsWith('.ts')).sort()) h.update(`\0${f}\0`).update(fs.readFileSync(path.join(plots, f)));
  for (const pkg of ['plotly.js-dist-min', '@sparticuz/chromium']) {
    try {
      h.update(`\0${pkg}\0${(JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version}`);
    } catch {
      h.update(`\0${pkg}\0absent`);
    }
  }
  const browser = findChromium(env).path;
  const st = browser ? fs.statSync(browser, { throwIfNoEntry: false }) : undefined;
  h.update(`\0browser\0${env.INFORM_CHROMIUM ?? 'auto'}\0${browser ?? 'bundled'}\0${st?.size ?? ''}\0${st?.mtimeMs ?? ''}`);
  drawingKey = h.digest('hex');
  return drawingKey;
}

/** The cache key of one figure exported under `name`. */
export function figureCacheKey(fig: Figure, name: string, env: NodeJS.ProcessEnv = process.env): string {
  return createHash('sha256').update(drawingInputs(env)).update(`\0${name}\0`).update(JSON.stringify(figureJson(fig))).digest('hex').slice(0, 40);
}

function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function prune(dir: string): void {
  const entries = fs
    .readdirSync(dir)
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of entries.slice(KEEP_ENTRIES)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
}

/**
 * `exportFigure` with the default formats, taking SVG/PNG/PDF from the cache when the same figure
 * was drawn before by the same code and browser. `browser` then says the images were reused.
 */
export async function exportFigureCached(fig: Figure, opts: { dir: string; env?: NodeJS.ProcessEnv }): Promise<ExportResult> {
  const env = opts.env ?? process.env;
  const cache = figureCacheDir(env);
  if (!cache) return exportFigure(fig, { dir: opts.dir });
  const name = fig.name;
  const entry = path.join(cache, figureCacheKey(fig, name, env));
  const meta = path.join(entry, 'meta.json');
  if (fs.existsSync(meta) && IMAGES.every((f) => fs.existsSync(path.join(entry, `image.${f}`)))) {
    const r = await exportFigure(fig, { dir: opts.dir, formats: ['csv', 'json'] });
    for (const f of IMAGES) {
      const file = path.resolve(opts.dir, `${name}.${f}`);
      writeAtomic(file, fs.readFileSync(path.join(entry, `image.${f}`)));
      r.written[f] = file;
    }
    const drawnBy = (JSON.parse(fs.readFileSync(meta, 'utf8')) as { browser: string | null }).browser;
    r.browser = `${drawnBy ?? 'a browser'} (reused from ${path.relative(checkoutRoot(), cache) || cache})`;
    fs.utimesSync(entry, new Date(), new Date());
    return r;
  }
  const r = await exportFigure(fig, { dir: opts.dir });
  if (IMAGES.every((f) => r.written[f])) {
    try {
      fs.mkdirSync(entry, { recursive: true });
      for (const f of IMAGES) writeAtomic(path.join(entry, `image.${f}`), fs.readFileSync(r.written[f]!));
      writeAtomic(meta, Buffer.from(JSON.stringify({ name, browser: r.browser })));
      prune(cache);
    } catch (e) {
      console.warn(`figure cache: could not store ${name} in ${cache}: ${(e as Error).message}`);
    }
  }
  return r;
}
