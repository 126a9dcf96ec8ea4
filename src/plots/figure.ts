/**
 * The typed figure object every builder in src/plots returns.
 *
 * A `Figure` is a plain plotly.js spec (`data` + `layout`, JSON-serialisable, so it can be handed
 * to `Plotly.newPlot` in a notebook or to `Plotly.toImage` in headless Chromium) plus the tidy
 * rows it was drawn from (`source`), which the exporter writes beside every image as CSV and JSON.
 * Only the plotly attributes this workbench uses are typed; that keeps misspelt keys a compile error.
 */

/** One value in a tidy data row. */
export type CellValue = number | string;

/** One tidy row of the data behind a figure (one observation per row, one variable per column). */
export type SourceRow = Record<string, CellValue>;

/** Plotly's title object. */
export interface Title {
  text: string;
  font?: Font;
}

/** Plotly font settings. */
export interface Font {
  family?: string;
  size?: number;
  color?: string;
}

/** A plotly colorscale: a named one or explicit `[fraction, color]` stops. */
export type Colorscale = string | Array<[number, string]>;

/** Plotly heatmap trace (a matrix of values with row and column labels). */
export interface HeatmapTrace {
  type: 'heatmap';
  /** `z[row][column]`; null leaves a cell blank (e.g. a masked diagonal) */
  z: Array<Array<number | null>>;
  x: string[];
  y: string[];
  colorscale?: Colorscale;
  zmin?: number;
  zmax?: number;
  /** per-cell text shown when `texttemplate` is set */
  text?: string[][];
  texttemplate?: string;
  hovertemplate?: string;
  colorbar?: { title?: Title };
  showscale?: boolean;
  /** font of the printed cell values; plotly picks a contrasting colour per cell by default */
  textfont?: Font;
}

/** Plotly scatter trace, used for lines, points and filled error bands. */
export interface ScatterTrace {
  type: 'scatter';
  name?: string;
  x: Array<number | string>;
  y: number[];
  mode?: 'lines' | 'markers' | 'lines+markers' | 'markers+text' | 'text';
  text?: string[];
  textposition?: 'top center' | 'bottom center' | 'middle right' | 'middle left';
  line?: { color?: string; width?: number; dash?: 'solid' | 'dash' | 'dot' | 'dashdot' };
  /** one colour, or one per point (e.g. each expert in its own colour) */
  marker?: { color?: string | string[]; size?: number; symbol?: string };
  fill?: 'none' | 'toself' | 'tonexty';
  fillcolor?: string;
  showlegend?: boolean;
  legendgroup?: string;
  hoverinfo?: 'skip' | 'all' | 'x+y' | 'text';
  hovertemplate?: string;
  /** the y axis this trace is drawn against ('y', 'y2', ...) when a figure has several panels */
  yaxis?: string;
  xaxis?: string;
}

/** Plotly bar trace (one group of a grouped bar chart). */
export interface BarTrace {
  type: 'bar';
  name: string;
  x: string[];
  y: number[];
  error_y?: { type: 'data'; array: number[]; visible: boolean };
  /** one colour, or one per bar */
  marker?: { color?: string | string[] };
  hovertemplate?: string;
}

/** Plotly table trace. */
export interface TableTrace {
  type: 'table';
  header: { values: string[]; align?: 'left' | 'center' | 'right'; fill?: { color: string }; font?: Font };
  /** column-major: `cells.values[c][r]` is column c, row r */
  cells: { values: CellValue[][]; align?: 'left' | 'center' | 'right'; height?: number };
  columnwidth?: number[];
}

/** Every trace kind the builders emit. */
export type Trace = HeatmapTrace | ScatterTrace | BarTrace | TableTrace;

/** Plotly axis settings. */
export interface Axis {
  title?: Title;
  type?: 'linear' | 'log' | 'category';
  range?: [number, number];
  automargin?: boolean;
  autorange?: boolean | 'reversed';
  zeroline?: boolean;
  showgrid?: boolean;
  tickangle?: number;
  dtick?: number;
  scaleanchor?: 'x' | 'y';
  /** fraction of the plotting area this axis spans, for stacked panels */
  domain?: [number, number];
  /** the axis this one is drawn against ('x', 'y2', ...) or 'free' */
  anchor?: string;
  /** another axis whose range this one shares */
  matches?: string;
  showticklabels?: boolean;
}

/** A text annotation placed on the plot. */
export interface Annotation {
  text: string;
  x: number;
  y: number;
  xref: 'paper' | 'x';
  yref: 'paper' | 'y';
  xanchor?: 'left' | 'center' | 'right';
  yanchor?: 'top' | 'middle' | 'bottom';
  showarrow: boolean;
  align?: 'left' | 'center' | 'right';
  bgcolor?: string;
  bordercolor?: string;
  borderwidth?: number;
  font?: Font;
}

/** Plotly layout settings. */
export interface Layout {
  title?: Title;
  width: number;
  height: number;
  xaxis?: Axis;
  yaxis?: Axis;
  /** further y axes of stacked panels: yaxis2, yaxis3, ... */
  [axis: `yaxis${number}`]: Axis | undefined;
  barmode?: 'group' | 'stack' | 'overlay';
  annotations?: Annotation[];
  showlegend?: boolean;
  legend?: { orientation?: 'h' | 'v'; x?: number; y?: number; xanchor?: 'left' | 'center' | 'right' };
  margin?: { l?: number; r?: number; t?: number; b?: number };
  font?: Font;
  paper_bgcolor?: string;
  plot_bgcolor?: string;
  hovermode?: 'closest' | 'x' | 'x unified' | false;
}

/** A finished figure: the plotly spec, a file-safe name, and the tidy rows behind it. */
export interface Figure {
  /** file stem used by the exporter and as the default title; `[a-z0-9._-]` */
  name: string;
  data: Trace[];
  layout: Layout;
  /** the data behind the figure, one tidy row per drawn value */
  source: SourceRow[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws a clear error unless `name` is usable as a file stem. */
export function assertFigureName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new Error(`figure name '${name}' is not a safe file stem: use letters, digits, '.', '_' or '-' (no spaces or slashes)`);
  }
}

/** The figure's title as plain text (wrapped lines joined by a space), or null without one. */
export function figureTitle(fig: Figure): string | null {
  const text = fig.layout.title?.text;
  return text ? text.split(/<br\s*\/?>/i).join(' ') : null;
}

/**
 * The spec handed to plotly.js: `{data, layout}` without the workbench's extra fields, as a
 * JSON-clean copy. Keys whose value is undefined are dropped: plotly treats a present-but-
 * undefined attribute (e.g. `marker: undefined`) differently from an absent one and can throw.
 */
export function plotlySpec(fig: Figure): { data: Trace[]; layout: Layout } {
  const spec = JSON.parse(JSON.stringify({ data: fig.data, layout: fig.layout })) as { data: Array<Trace & { uid?: string }>; layout: Layout };
  // plotly gives a trace without a uid a random one, which ends up in the SVG's class names;
  // a uid from the figure's name and the trace's position keeps exports byte-identical.
  spec.data.forEach((t, i) => {
    if (t.uid === undefined) t.uid = `${fig.name}-${i}`;
  });
  return spec;
}
