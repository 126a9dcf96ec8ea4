/**
 * Plotly table figure: a small results table (e.g. the paper's number beside the workbench's)
 * exported as SVG/PNG like any other figure.
 */
import { assertFigureName, type CellValue, type Figure, type SourceRow } from './figure';
import { assertNonEmpty } from './check';
import { formatSignificant } from './format';
import { baseLayout } from './theme';

/** Inputs of {@link tableFigure}. */
export interface TableFigureOptions {
  name: string;
  title?: string;
  /** tidy rows; every row must have the same keys as the first (or those listed in `columns`) */
  rows: readonly SourceRow[];
  /** column order; default the first row's keys */
  columns?: readonly string[];
  /** significant digits for non-integer numbers (default 4) */
  digits?: number;
  width?: number;
  height?: number;
}

/** Builds a plotly table. Numbers are formatted for display; `source` keeps the raw values. */
export function tableFigure(opts: TableFigureOptions): Figure {
  const where = `tableFigure '${opts.name}'`;
  assertFigureName(opts.name);
  assertNonEmpty(where, 'rows', opts.rows);
  const columns = opts.columns ? opts.columns.slice() : Object.keys(opts.rows[0]);
  assertNonEmpty(where, 'columns', columns);
  opts.rows.forEach((row, r) => {
    for (const c of columns) {
      if (!(c in row)) throw new Error(`${where}: rows[${r}] has no column '${c}'`);
    }
  });
  const digits = opts.digits ?? 4;
  const show = (v: CellValue): CellValue => (typeof v === 'number' ? formatSignificant(v, digits) : v);
  const cells: CellValue[][] = columns.map((c) => opts.rows.map((row) => show(row[c])));
  const source: SourceRow[] = opts.rows.map((row) => {
    const out: SourceRow = {};
    for (const c of columns) out[c] = row[c];
    return out;
  });
  const rowHeight = 28;
  const layout = baseLayout(opts.title, {
    width: opts.width ?? Math.max(480, 140 * columns.length),
    height: opts.height ?? (opts.title ? 90 : 40) + rowHeight * (opts.rows.length + 1) + 20,
  });
  layout.margin = { l: 20, r: 20, t: opts.title ? 60 : 20, b: 10 };
  return {
    name: opts.name,
    data: [
      {
        type: 'table',
        header: { values: columns, align: 'left', fill: { color: '#e8eef6' }, font: { size: 13 } },
        cells: { values: cells, align: 'left', height: rowHeight },
      },
    ],
    layout,
    source,
  };
}
