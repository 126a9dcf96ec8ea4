/**
 * Scatter plot with a least-squares line and a statistics annotation, e.g. intrinsic vs
 * relational importance per expert with Spearman's rho (paper Figures 4-5, Table 10).
 * The statistics are computed by src/stats and passed in; this module only draws them.
 */
import { assertFigureName, type Annotation, type Figure, type SourceRow, type Trace } from './figure';
import { assertFinite, assertLength } from './check';
import { formatSignificant, formatPValue } from './format';
import { leastSquaresLine } from './least-squares';
import { expertColor, isExpertId } from './experts';
import { assertMeaningfulTitle, baseLayout, seriesColor } from './theme';

/** Statistics printed in the corner of {@link scatterWithFit}. */
export interface FitAnnotation {
  /** Spearman's rho */
  rho?: number;
  /** Kendall's tau */
  tau?: number;
  /** p-value of the test above */
  pValue?: number;
  /** any extra line, e.g. 'N = 10 experts' */
  text?: string;
}

/** Inputs of {@link scatterWithFit}. */
export interface ScatterWithFitOptions {
  name: string;
  title?: string;
  x: readonly number[];
  y: readonly number[];
  /** one label per point, printed beside it (e.g. expert names) */
  labels?: readonly string[];
  xTitle?: string;
  yTitle?: string;
  annotation?: FitAnnotation;
  /** draw the least-squares line (default true) */
  fit?: boolean;
  width?: number;
  height?: number;
}

/** The annotation's lines joined for plotly (`<br>` separated); '' when nothing is given. */
export function fitAnnotationText(a: FitAnnotation | undefined): string {
  if (!a) return '';
  const lines: string[] = [];
  const p = a.pValue !== undefined ? `, p = ${formatPValue(a.pValue)}` : '';
  if (a.rho !== undefined) lines.push(`Spearman ρ = ${formatSignificant(a.rho, 3)}${a.tau === undefined ? p : ''}`);
  if (a.tau !== undefined) lines.push(`Kendall τ = ${formatSignificant(a.tau, 3)}${p}`);
  if (a.rho === undefined && a.tau === undefined && a.pValue !== undefined) lines.push(`p = ${formatPValue(a.pValue)}`);
  if (a.text) lines.push(a.text);
  return lines.join('<br>');
}

/**
 * Builds the scatter plot. Source rows are named after the axes: `{label?, <x title>, <y title>,
 * fitted}` ('x' and 'y' when untitled), where `fitted` is the least-squares line's value at x (or
 * '' when the fit is off). Points labelled with expert ids are drawn in their experts' colours.
 */
export function scatterWithFit(opts: ScatterWithFitOptions): Figure {
  const where = `scatterWithFit '${opts.name}'`;
  assertFigureName(opts.name);
  assertLength(where, 'y', opts.y, opts.x.length, 'x');
  assertFinite(where, 'x', opts.x);
  assertFinite(where, 'y', opts.y);
  if (opts.labels) assertLength(where, 'labels', opts.labels, opts.x.length, 'x');
  assertMeaningfulTitle(where, 'xTitle', opts.xTitle);
  assertMeaningfulTitle(where, 'yTitle', opts.yTitle);
  const xCol = opts.xTitle ?? 'x';
  const yCol = opts.yTitle ?? 'y';
  if (xCol === yCol || [xCol, yCol].some((c) => c === 'label' || c === 'fitted')) {
    throw new Error(`${where}: axis titles '${xCol}' and '${yCol}' must differ from each other and from 'label' and 'fitted'`);
  }
  const expertPoints = opts.labels !== undefined && opts.labels.every(isExpertId);
  const wantFit = opts.fit ?? true;
  const line = wantFit ? leastSquaresLine(opts.x, opts.y) : null;
  const data: Trace[] = [
    {
      type: 'scatter',
      name: 'observed',
      x: opts.x.slice(),
      y: opts.y.slice(),
      mode: opts.labels ? 'markers+text' : 'markers',
      text: opts.labels ? opts.labels.slice() : undefined,
      textposition: opts.labels ? 'top center' : undefined,
      marker: { color: expertPoints && opts.labels ? opts.labels.map(expertColor) : seriesColor(0), size: 9 },
    },
  ];
  if (line) {
    const lo = Math.min(...opts.x);
    const hi = Math.max(...opts.x);
    data.push({
      type: 'scatter',
      name: 'least-squares fit',
      x: [lo, hi],
      y: [line.slope * lo + line.intercept, line.slope * hi + line.intercept],
      mode: 'lines',
      line: { color: seriesColor(3), width: 2, dash: 'dash' },
      hoverinfo: 'skip',
    });
  }
  const source: SourceRow[] = opts.x.map((x, i) => {
    const row: SourceRow = {};
    if (opts.labels) row.label = opts.labels[i];
    row[xCol] = x;
    row[yCol] = opts.y[i];
    row.fitted = line ? line.slope * x + line.intercept : '';
    return row;
  });
  const layout = baseLayout(opts.title, opts);
  layout.xaxis = { title: opts.xTitle ? { text: opts.xTitle } : undefined, automargin: true, zeroline: false };
  layout.yaxis = { title: opts.yTitle ? { text: opts.yTitle } : undefined, automargin: true, zeroline: false };
  layout.showlegend = false;
  layout.hovermode = 'closest';
  const text = fitAnnotationText(opts.annotation);
  if (text) {
    const note: Annotation = {
      text,
      x: 0.02,
      y: 0.98,
      xref: 'paper',
      yref: 'paper',
      xanchor: 'left',
      yanchor: 'top',
      align: 'left',
      showarrow: false,
      bgcolor: 'rgba(255,255,255,0.85)',
      bordercolor: '#888888',
      borderwidth: 1,
    };
    layout.annotations = [note];
  }
  return { name: opts.name, data, layout, source };
}
