/**
 * Rich output for notebooks, with plain-text fallbacks everywhere else.
 *
 * Inside the tslab kernel, `showFigure`, `showTable`, `showMarkdown`, `showHtml` send Jupyter
 * `display_data` messages; outside it (scripts, tests, the CLI) they print text, so library code
 * can call them unconditionally.
 *
 * A figure's display_data carries several representations, and each front end picks the best
 * one it can show:
 *  - `application/vnd.plotly.v1+json`: rendered by JupyterLab's plotly extension and VS Code's
 *    Jupyter renderers with their own plotly, when installed;
 *  - `text/html`: a div plus a script that draws with the local plotly.js bundle. The bundle
 *    (4.7 MB) is inlined into the first figure of a kernel session only; later figures reuse
 *    `window.Plotly`. The div holds a static image until plotly replaces it, so untrusted or
 *    script-less viewers (GitHub, nbviewer, a notebook reopened untrusted) still show the figure;
 *  - `image/svg+xml` (or `image/png`): the static rendering from headless Chromium, when present;
 *  - `text/plain`: a one-line description.
 */
import { randomBytes } from 'node:crypto';
import { browserAvailable } from '../plots/chromium';
import { figureTitle, plotlySpec, type Figure } from '../plots/figure';
import { escapeHtml, INTERACTIVE_CONFIG, scriptJson } from '../plots/html';
import { plotlyScriptBody } from '../plots/plotly-bundle';
import { renderFigure } from '../plots/renderer';
import { tableHtml, tableText, type TableFormatOptions, type TableLike } from './tables';

/**
 * One Jupyter output: mime type -> content. Text and base64-encoded binary content are strings;
 * JSON mime types (`application/json`, `application/*+json`) carry the JSON value itself, as
 * the Jupyter protocol and nbformat require.
 */
export type DisplayBundle = Record<string, string | DisplayJsonObject>;

/** A JSON object value in a mime bundle. */
export interface DisplayJsonObject {
  [key: string]: unknown;
}

/** The static image put beside an interactive figure. */
export type StaticImageKind = 'svg' | 'png' | 'none';

/** Display settings; see {@link configureDisplay}. */
export interface DisplaySettings {
  /** inline plotly.js into the first figure of the session (default true; INFORM_EMBED_PLOTLY=0 turns off) */
  embedPlotly: boolean;
  /** static fallback image (default 'svg' when Chromium is found, else 'none'; INFORM_FIGURE_STATIC overrides) */
  staticImage: StaticImageKind;
}

type WriteDisplayData = (
  content: { data: DisplayBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update?: boolean,
) => void;

interface KernelState {
  plotlySent: boolean;
}

// Kept on globalThis so it survives tslab recompiling this module when a source file changes.
const STATE_KEY = '__informDisplayState';

function kernelState(): KernelState {
  const g = globalThis as unknown as Record<string, KernelState | undefined>;
  if (!g[STATE_KEY]) g[STATE_KEY] = { plotlySent: false };
  return g[STATE_KEY] as KernelState;
}

let settings: DisplaySettings | null = null;

function defaultSettings(env: NodeJS.ProcessEnv = process.env): DisplaySettings {
  const kind = env.INFORM_FIGURE_STATIC;
  if (kind !== undefined && kind !== 'svg' && kind !== 'png' && kind !== 'none') {
    throw new Error(`INFORM_FIGURE_STATIC must be svg, png or none, got '${kind}'`);
  }
  return {
    embedPlotly: env.INFORM_EMBED_PLOTLY !== '0',
    staticImage: (kind as StaticImageKind | undefined) ?? (browserAvailable(env) ? 'svg' : 'none'),
  };
}

/** Current display settings (environment defaults until {@link configureDisplay} is called). */
export function displaySettings(): DisplaySettings {
  if (!settings) settings = defaultSettings();
  return settings;
}

/** Changes display settings for the rest of the session, e.g. `{ staticImage: 'png' }`. */
export function configureDisplay(change: Partial<DisplaySettings>): DisplaySettings {
  settings = { ...displaySettings(), ...change };
  return settings;
}

/**
 * tslab's per-cell display writer, or null outside the kernel. tslab's public `display` API
 * sends one mime type per message; its internal writer (what that API calls) accepts a full
 * mime bundle and an update flag, which figures and live lines need.
 */
function kernelWriter(): WriteDisplayData | null {
  if (typeof (globalThis as { __tslab__?: unknown }).__tslab__ !== 'object') return null;
  try {
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: WriteDisplayData | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** True when running inside a tslab kernel cell (rich output goes to the notebook). */
export function inNotebook(): boolean {
  return kernelWriter() !== null;
}

function send(bundle: DisplayBundle, displayId?: string, update = false): boolean {
  const write = kernelWriter();
  if (!write) return false;
  write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
  return true;
}

/** Options of {@link figureBundle}. */
export interface FigureBundleOptions {
  /** inline the plotly.js bundle (the first figure of a session) */
  includePlotly: boolean;
  staticSvg?: string;
  staticPng?: Buffer;
  /** DOM id of the figure's div (random by default) */
  divId?: string;
}

/** The HTML that draws a figure with plotly.js, over a static image when one is given. */
export function figureHtml(fig: Figure, opts: FigureBundleOptions): string {
  const id = opts.divId ?? `inform-fig-${randomBytes(6).toString('hex')}`;
  const title = figureTitle(fig) ?? fig.name;
  let fallback = '';
  if (opts.staticSvg) fallback = `<img alt="${escapeHtml(title)}" src="data:image/svg+xml;base64,${Buffer.from(opts.staticSvg).toString('base64')}">`;
  else if (opts.staticPng) fallback = `<img alt="${escapeHtml(title)}" width="${fig.layout.width}" src="data:image/png;base64,${opts.staticPng.toString('base64')}">`;
  const parts: string[] = [];
  if (opts.includePlotly) {
    // Runs any figure that was queued while plotly was not there yet.
    parts.push(`<script type="text/javascript">${plotlyScriptBody()}\n;(window.__informPlotlyPending || []).splice(0).forEach(function (draw) { draw(); });</script>`);
  }
  parts.push(
    `<div id="${id}" class="inform-figure" style="max-width:100%;overflow-x:auto">${fallback}</div>`,
    '<script type="text/javascript">',
    '(function () {',
    `  var spec = ${scriptJson(plotlySpec(fig))};`,
    '  function draw() {',
    `    var el = document.getElementById(${scriptJson(id)});`,
    '    if (!el || !window.Plotly) return false;',
    '    el.innerHTML = "";',
    `    window.Plotly.newPlot(el, spec.data, spec.layout, ${scriptJson(INTERACTIVE_CONFIG)});`,
    '    return true;',
    '  }',
    '  if (!draw()) (window.__informPlotlyPending = window.__informPlotlyPending || []).push(draw);',
    '})();',
    '</script>',
  );
  return parts.join('\n');
}

/** A one-line text description of a figure (the text/plain representation). */
export function figureSummary(fig: Figure): string {
  const title = figureTitle(fig);
  const kinds = [...new Set(fig.data.map((t) => t.type))].join('+');
  return `[figure ${fig.name}${title ? `: ${title}` : ''}] ${fig.data.length} ${kinds} trace(s), ${fig.source.length} data rows`;
}

/** A figure's display_data content; see the module comment for who renders which part. */
export type FigureBundle = {
  'application/vnd.plotly.v1+json': DisplayJsonObject;
  'text/html': string;
  'text/plain': string;
  'image/svg+xml'?: string;
  'image/png'?: string;
};

/** The full mime bundle of a figure's display_data (see the module comment). */
export function figureBundle(fig: Figure, opts: FigureBundleOptions): FigureBundle {
  const bundle: FigureBundle = {
    'application/vnd.plotly.v1+json': { ...plotlySpec(fig), config: { ...INTERACTIVE_CONFIG } },
    'text/html': figureHtml(fig, opts),
    'text/plain': figureSummary(fig),
  };
  if (opts.staticSvg) bundle['image/svg+xml'] = opts.staticSvg;
  if (opts.staticPng) bundle['image/png'] = opts.staticPng.toString('base64');
  return bundle;
}

let staticFailureReported = false;

async function staticImage(fig: Figure, kind: StaticImageKind): Promise<Pick<FigureBundleOptions, 'staticSvg' | 'staticPng'>> {
  if (kind === 'none') return {};
  try {
    return kind === 'svg' ? { staticSvg: await renderFigure(fig, 'svg') } : { staticPng: await renderFigure(fig, 'png') };
  } catch (err) {
    // The interactive figure is still shown; say once why there is no static copy.
    if (!staticFailureReported) {
      staticFailureReported = true;
      console.warn(`static figure image skipped: ${(err as Error).message}`);
    }
    return {};
  }
}

/**
 * Shows a figure: interactive in a notebook (with a static image beside it when Chromium is
 * available), a one-line summary elsewhere. Await it inside a cell so the output lands there.
 * `drawn` passes images of the figure that exist already (the static image is then not drawn).
 */
export async function showFigure(fig: Figure, drawn: { svg?: string; png?: Buffer } = {}): Promise<void> {
  if (!inNotebook()) {
    console.log(figureSummary(fig));
    return;
  }
  const s = displaySettings();
  const state = kernelState();
  const includePlotly = s.embedPlotly && !state.plotlySent;
  // `drawn`: images of this figure already drawn (e.g. just exported), so Chromium is not asked again.
  const ready = s.staticImage === 'svg' && drawn.svg ? { staticSvg: drawn.svg } : s.staticImage === 'png' && drawn.png ? { staticPng: drawn.png } : null;
  const { staticSvg, staticPng } = ready ?? (await staticImage(fig, s.staticImage));
  const bundle: DisplayBundle = figureBundle(fig, { includePlotly, staticSvg, staticPng });
  if (send(bundle) && includePlotly) state.plotlySent = true;
}

/** Shows a DataFrame (or rows) as an HTML table in a notebook, as aligned text elsewhere. */
export function showTable(t: TableLike, opts: TableFormatOptions = {}): void {
  const text = tableText(t, opts);
  if (!send({ 'text/html': tableHtml(t, opts), 'text/plain': text })) console.log(text);
}

/** Shows Markdown (rendered in a notebook, printed as is elsewhere). */
export function showMarkdown(md: string): void {
  if (!send({ 'text/markdown': md, 'text/plain': md })) console.log(md);
}

/** Shows trusted HTML in a notebook; elsewhere prints its text with the tags removed. */
export function showHtml(html: string): void {
  const text = html.replace(/<[^>]*>/g, '').replace(/\n{3,}/g, '\n\n').trim();
  if (!send({ 'text/html': html, 'text/plain': text })) console.log(text);
}

/** A single status line that is rewritten in place; see {@link liveLine}. */
export interface LiveLine {
  /** replaces the line's text (throttled; the latest text always wins) */
  update(text: string): void;
  /** writes the final text and ends the line */
  done(text?: string): void;
}

/** Options of {@link liveLine}. */
export interface LiveLineOptions {
  /** minimum milliseconds between redraws in a notebook or terminal (default 200) */
  intervalMs?: number;
  /** minimum milliseconds between printed lines when the output is a log file, not a terminal (default 5000) */
  logIntervalMs?: number;
  /** where terminal/log output goes (default process.stderr) */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** time source, for tests (default Date.now) */
  now?: () => number;
}

/**
 * A progress line for long work. In a notebook it is one output updated in place (Jupyter
 * `update_display_data` on a display id); in a terminal it is redrawn with `\r`; in a log file
 * (not a TTY) a line is printed at most every `logIntervalMs`, plus the final one.
 */
export function liveLine(opts: LiveLineOptions = {}): LiveLine {
  const now = opts.now ?? Date.now;
  const stream = opts.stream ?? process.stderr;
  const notebook = inNotebook();
  const tty = !notebook && stream.isTTY === true;
  const interval = notebook || tty ? opts.intervalMs ?? 200 : opts.logIntervalMs ?? 5000;
  const displayId = randomBytes(8).toString('hex');
  let shown = false;
  let last = -Infinity;
  let pending: string | null = null;
  let finished = false;

  const draw = (text: string) => {
    last = now();
    pending = null;
    if (notebook) {
      send({ 'text/plain': text }, displayId, shown);
    } else if (tty) {
      stream.write(`\r\x1b[2K${text}`);
    } else {
      stream.write(`${text}\n`);
    }
    shown = true;
  };
  return {
    update(text: string) {
      if (finished) return;
      if (now() - last >= interval) draw(text);
      else pending = text;
    },
    done(text?: string) {
      if (finished) return;
      finished = true;
      const final = text ?? pending;
      if (final !== null && final !== undefined) draw(final);
      if (tty && shown) stream.write('\n');
    },
  };
}
