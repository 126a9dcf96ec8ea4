/**
 * Line chart of several series over epochs (or steps), with optional error bands, e.g. routing
 * entropy per epoch for each consortium, or training loss per step.
 *
 * One measure per axis: series that measure different things (a loss and an accuracy) say so with
 * `measure`, and each measure gets its own panel and y axis, stacked over one shared x axis. A
 * single y axis titled with a vague word ('value') is refused.
 */
import { assertFigureName, type Axis, type Figure, type ScatterTrace, type SourceRow, type Trace } from './figure';
import { assertFinite, assertLength, assertNonEmpty } from './check';
import { assertMeaningfulTitle, baseLayout, colorFor, withAlpha } from './theme';

/** One line of {@link lineOverEpochs}. */
export interface LineSeries {
  name: string;
  values: readonly number[];
  /** x positions; default 1..n (epochs count from 1, as in the paper) */
  epochs?: readonly number[];
  /** lower and upper edge of a shaded band (e.g. mean ± sd), same length as values */
  band?: { lower: readonly number[]; upper: readonly number[] };
  /**
   * what the values measure, with the unit: the title of this series' y axis, e.g.
   * 'cross-entropy loss (nats)'. Series with different measures are drawn in separate panels.
   * Default: the figure's `yTitle`.
   */
  measure?: string;
  color?: string;
  dash?: 'solid' | 'dash' | 'dot' | 'dashdot';
}

/** Inputs of {@link lineOverEpochs}. */
export interface LineOverEpochsOptions {
  name: string;
  title?: string;
  series: readonly LineSeries[];
  /** x axis title, also the x column of the CSV (default 'epoch') */
  xTitle?: string;
  /** y axis title (measure and unit) of series without their own `measure` */
  yTitle?: string;
  /** draw a marker at each point (default true when every series has <= 30 points) */
  markers?: boolean;
  /** y range of every panel */
  yRange?: [number, number];
  width?: number;
  /** total height; default 480 for one panel, 240 more per extra panel */
  height?: number;
}

/** Gap between stacked panels, as a fraction of the plotting height. */
const PANEL_GAP = 0.08;

/**
 * Builds the line chart. Each band is one closed polygon (upper edge forward, lower edge back)
 * drawn before its line, so the line stays on top. Source rows are named after the axes:
 * `{series, <x title>: x, <y title of its panel>: value}` plus `lower`/`upper` with a band.
 */
export function lineOverEpochs(opts: LineOverEpochsOptions): Figure {
  const where = `lineOverEpochs '${opts.name}'`;
  assertFigureName(opts.name);
  assertNonEmpty(where, 'series', opts.series);
  const xTitle = opts.xTitle ?? 'epoch';
  assertMeaningfulTitle(where, 'xTitle', xTitle);
  assertMeaningfulTitle(where, 'yTitle', opts.yTitle);

  // The measure (y axis title) of each series, and the panels in first-seen order.
  const measures = opts.series.map((s, i) => {
    assertMeaningfulTitle(where, `series[${i}] '${s.name}'.measure`, s.measure);
    const m = s.measure ?? opts.yTitle ?? (opts.series.length === 1 ? s.name : undefined);
    if (!m) {
      throw new Error(`${where}: series[${i}] '${s.name}' has no measure: give yTitle (the y axis title, with its unit) or a measure per series`);
    }
    return m;
  });
  const panels = [...new Set(measures)];
  for (const m of panels) {
    if (m === xTitle) throw new Error(`${where}: the y axis '${m}' has the same title as the x axis`);
  }
  const axisId = (p: number) => (p === 0 ? 'y' : `y${p + 1}`);

  const data: Trace[] = [];
  const source: SourceRow[] = [];
  const markers = opts.markers ?? opts.series.every((s) => s.values.length <= 30);
  opts.series.forEach((s, i) => {
    const field = `series[${i}] '${s.name}'`;
    assertNonEmpty(where, `${field}.values`, s.values);
    assertFinite(where, `${field}.values`, s.values);
    const xs = s.epochs ? s.epochs.slice() : s.values.map((_, k) => k + 1);
    assertLength(where, `${field}.epochs`, xs, s.values.length, 'values');
    assertFinite(where, `${field}.epochs`, xs);
    const color = s.color ?? colorFor(s.name, i);
    const panel = panels.indexOf(measures[i]);
    const yaxis = panels.length > 1 ? axisId(panel) : undefined;
    if (s.band) {
      assertLength(where, `${field}.band.lower`, s.band.lower, s.values.length, 'values');
      assertLength(where, `${field}.band.upper`, s.band.upper, s.values.length, 'values');
      assertFinite(where, `${field}.band.lower`, s.band.lower);
      assertFinite(where, `${field}.band.upper`, s.band.upper);
      const band: ScatterTrace = {
        type: 'scatter',
        name: `${s.name} band`,
        x: [...xs, ...xs.slice().reverse()],
        y: [...s.band.upper, ...s.band.lower.slice().reverse()],
        fill: 'toself',
        fillcolor: withAlpha(color, 0.2),
        line: { color: 'rgba(0,0,0,0)', width: 0 },
        mode: 'lines',
        showlegend: false,
        legendgroup: s.name,
        hoverinfo: 'skip',
        yaxis,
      };
      data.push(band);
    }
    data.push({
      type: 'scatter',
      name: s.name,
      x: xs,
      y: s.values.slice(),
      mode: markers ? 'lines+markers' : 'lines',
      line: { color, width: 2, dash: s.dash },
      marker: markers ? { color, size: 6 } : undefined,
      legendgroup: s.name,
      yaxis,
    });
    s.values.forEach((v, k) => {
      const row: SourceRow = { series: s.name, [xTitle]: xs[k], [measures[i]]: v };
      if (s.band) {
        row.lower = s.band.lower[k];
        row.upper = s.band.upper[k];
      }
      source.push(row);
    });
  });

  const layout = baseLayout(opts.title, { width: opts.width, height: opts.height ?? 480 + 240 * (panels.length - 1) });
  // Panel 0 on top; the shared x axis is drawn under the bottom panel.
  const height = (1 - PANEL_GAP * (panels.length - 1)) / panels.length;
  panels.forEach((m, p) => {
    const top = 1 - p * (height + PANEL_GAP);
    const axis: Axis = { title: { text: m }, automargin: true, range: opts.yRange, zeroline: false };
    if (panels.length > 1) {
      axis.domain = [Math.max(0, top - height), top];
      axis.anchor = 'x';
    }
    if (p === 0) layout.yaxis = axis;
    else layout[`yaxis${p + 1}`] = axis;
  });
  layout.xaxis = { title: { text: xTitle }, automargin: true, zeroline: false };
  if (panels.length > 1) layout.xaxis.anchor = axisId(panels.length - 1);
  layout.showlegend = opts.series.length > panels.length;
  layout.hovermode = 'closest';
  return { name: opts.name, data, layout, source };
}
