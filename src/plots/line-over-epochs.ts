/**
 * Line chart of several series over epochs (or steps), with optional error bands, e.g. routing
 * entropy per epoch for each consortium, or training loss per step.
 */
import { assertFigureName, type Figure, type ScatterTrace, type SourceRow, type Trace } from './figure';
import { assertFinite, assertLength, assertNonEmpty } from './check';
import { baseLayout, seriesColor, withAlpha } from './theme';

/** One line of {@link lineOverEpochs}. */
export interface LineSeries {
  name: string;
  values: readonly number[];
  /** x positions; default 1..n (epochs count from 1, as in the paper) */
  epochs?: readonly number[];
  /** lower and upper edge of a shaded band (e.g. mean ± sd), same length as values */
  band?: { lower: readonly number[]; upper: readonly number[] };
  color?: string;
  dash?: 'solid' | 'dash' | 'dot' | 'dashdot';
}

/** Inputs of {@link lineOverEpochs}. */
export interface LineOverEpochsOptions {
  name: string;
  title?: string;
  series: readonly LineSeries[];
  xTitle?: string;
  yTitle?: string;
  /** draw a marker at each point (default true when every series has <= 30 points) */
  markers?: boolean;
  yRange?: [number, number];
  width?: number;
  height?: number;
}

/**
 * Builds the line chart. Each band is one closed polygon (upper edge forward, lower edge back)
 * drawn before its line, so the line stays on top. Source rows: `{series, epoch, value}` plus
 * `lower`/`upper` when the series has a band.
 */
export function lineOverEpochs(opts: LineOverEpochsOptions): Figure {
  const where = `lineOverEpochs '${opts.name}'`;
  assertFigureName(opts.name);
  assertNonEmpty(where, 'series', opts.series);
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
    const color = s.color ?? seriesColor(i);
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
    });
    s.values.forEach((v, k) => {
      const row: SourceRow = { series: s.name, epoch: xs[k], value: v };
      if (s.band) {
        row.lower = s.band.lower[k];
        row.upper = s.band.upper[k];
      }
      source.push(row);
    });
  });
  const layout = baseLayout(opts.title, opts);
  layout.xaxis = { title: { text: opts.xTitle ?? 'epoch' }, automargin: true, zeroline: false };
  layout.yaxis = { title: opts.yTitle ? { text: opts.yTitle } : undefined, automargin: true, range: opts.yRange, zeroline: false };
  layout.showlegend = opts.series.length > 1;
  layout.hovermode = 'closest';
  return { name: opts.name, data, layout, source };
}
