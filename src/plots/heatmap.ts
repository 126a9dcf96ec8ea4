/** Heatmap builder: a labelled matrix, e.g. the orchestrator's expert collaboration matrix C. */
import { assertFigureName, type Colorscale, type Figure, type SourceRow } from './figure';
import { assertLength, assertNonEmpty } from './check';
import { formatSignificant } from './format';
import { assertMeaningfulTitle, baseLayout } from './theme';

/** Inputs of {@link heatmap}. */
export interface HeatmapOptions {
  name: string;
  title?: string;
  /** `z[row][column]`; null marks a cell with no value (drawn blank) */
  z: ReadonlyArray<ReadonlyArray<number | null>>;
  /** column labels (x axis), one per column of z */
  x: readonly string[];
  /** row labels (y axis), one per row of z */
  y: readonly string[];
  xTitle?: string;
  yTitle?: string;
  /** colour bar title, also the value column's meaning in hover text */
  zTitle?: string;
  colorscale?: Colorscale;
  zmin?: number;
  zmax?: number;
  /** print each cell's value inside it (default: true up to 10x10, as the paper's N = 10 experts) */
  showValues?: boolean;
  /** significant digits of printed values (default 2) */
  digits?: number;
  width?: number;
  height?: number;
}

/** Largest matrix side whose cells are annotated with their values by default. */
export const ANNOTATE_MAX = 10;

/**
 * The CSV/JSON column names of a heatmap: its y, x and colour-bar titles ('row', 'column', 'value'
 * when untitled). Equal axis titles (both 'expert') are told apart as '<title> (row)' / '(column)'.
 */
export function heatmapColumns(opts: Pick<HeatmapOptions, 'xTitle' | 'yTitle' | 'zTitle'>): { row: string; column: string; value: string } {
  let row = opts.yTitle ?? 'row';
  let column = opts.xTitle ?? 'column';
  if (row === column) {
    row = `${row} (row)`;
    column = `${column} (column)`;
  }
  let value = opts.zTitle ?? 'value';
  if (value === row || value === column) value = `${value} (value)`;
  return { row, column, value };
}

/**
 * Builds a heatmap with row 0 at the top (matrix orientation, as papers print them).
 * The source rows are tidy, one per cell, named after the axes (see {@link heatmapColumns});
 * a blank cell's value is ''.
 */
export function heatmap(opts: HeatmapOptions): Figure {
  const where = `heatmap '${opts.name}'`;
  assertFigureName(opts.name);
  assertNonEmpty(where, 'z', opts.z);
  assertMeaningfulTitle(where, 'xTitle', opts.xTitle);
  assertMeaningfulTitle(where, 'yTitle', opts.yTitle);
  assertLength(where, 'y (row labels)', opts.y, opts.z.length, 'z (rows)');
  opts.z.forEach((row, r) => {
    assertLength(where, `z[${r}]`, row, opts.x.length, 'x (column labels)');
    row.forEach((v, c) => {
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new Error(`${where}: z[${r}][${c}] must be a finite number or null, got ${String(v)}`);
      }
    });
  });
  const digits = opts.digits ?? 2;
  const showValues = opts.showValues ?? (opts.x.length <= ANNOTATE_MAX && opts.y.length <= ANNOTATE_MAX);
  const col = heatmapColumns(opts);
  const z = opts.z.map((row) => row.slice());
  const text = z.map((row) => row.map((v) => (v === null ? '' : formatSignificant(v, digits))));
  const source: SourceRow[] = [];
  z.forEach((row, r) => row.forEach((v, c) => source.push({ [col.row]: opts.y[r], [col.column]: opts.x[c], [col.value]: v === null ? '' : v })));

  const layout = baseLayout(opts.title, {
    width: opts.width ?? Math.max(560, 200 + 48 * opts.x.length),
    height: opts.height ?? Math.max(440, 160 + 40 * opts.y.length),
  });
  // Tilt column labels when they would not fit side by side (about 7 px per character).
  const cellWidth = (layout.width - 200) / opts.x.length;
  const tilt = opts.x.some((label) => label.length * 7 > cellWidth);
  layout.xaxis = { title: opts.xTitle ? { text: opts.xTitle } : undefined, type: 'category', automargin: true, tickangle: tilt ? -45 : 0, showgrid: false };
  layout.yaxis = { title: opts.yTitle ? { text: opts.yTitle } : undefined, type: 'category', automargin: true, autorange: 'reversed', showgrid: false };
  return {
    name: opts.name,
    data: [
      {
        type: 'heatmap',
        z,
        x: opts.x.slice(),
        y: opts.y.slice(),
        colorscale: opts.colorscale ?? 'Viridis',
        zmin: opts.zmin,
        zmax: opts.zmax,
        text,
        texttemplate: showValues ? '%{text}' : undefined,
        hovertemplate: `${opts.yTitle ?? 'row'}: %{y}<br>${opts.xTitle ?? 'column'}: %{x}<br>${opts.zTitle ?? 'value'}: %{z}<extra></extra>`,
        colorbar: opts.zTitle ? { title: { text: opts.zTitle } } : undefined,
      },
    ],
    layout,
    source,
  };
}
