/**
 * Grouped bar chart: one bar per (category, group), e.g. accuracy per ablation (category) for
 * each benchmark (group), with optional error bars.
 */
import { assertFigureName, type Figure, type SourceRow, type Trace } from './figure';
import { assertFinite, assertLength, assertNonEmpty } from './check';
import { expertColor, isExpertId } from './experts';
import { assertMeaningfulTitle, baseLayout, colorFor } from './theme';

/** One group (a colour, a legend entry) of {@link groupedBar}. */
export interface BarGroup {
  name: string;
  /** one value per category */
  values: readonly number[];
  /** symmetric error bar half-widths, one per category */
  errors?: readonly number[];
  color?: string;
}

/** Inputs of {@link groupedBar}. */
export interface GroupedBarOptions {
  name: string;
  title?: string;
  categories: readonly string[];
  groups: readonly BarGroup[];
  xTitle?: string;
  yTitle?: string;
  yRange?: [number, number];
  width?: number;
  height?: number;
}

/**
 * Builds the grouped bar chart. Source rows are named after the axes:
 * `{<x title>: category, group, <y title>: value}` (+ `error`); 'category' and 'value' when untitled.
 * A group named after an expert gets that expert's colour; with a single group whose categories
 * are experts, each bar gets its expert's colour.
 */
export function groupedBar(opts: GroupedBarOptions): Figure {
  const where = `groupedBar '${opts.name}'`;
  assertFigureName(opts.name);
  assertNonEmpty(where, 'categories', opts.categories);
  assertNonEmpty(where, 'groups', opts.groups);
  assertMeaningfulTitle(where, 'xTitle', opts.xTitle);
  assertMeaningfulTitle(where, 'yTitle', opts.yTitle);
  const xCol = opts.xTitle ?? 'category';
  const yCol = opts.yTitle ?? 'value';
  if (xCol === 'group' || yCol === 'group' || xCol === yCol) throw new Error(`${where}: axis titles '${xCol}' and '${yCol}' must differ from each other and from 'group'`);
  const perExpertBars = opts.groups.length === 1 && !opts.groups[0].color && opts.categories.every(isExpertId);
  const data: Trace[] = [];
  const source: SourceRow[] = [];
  opts.groups.forEach((g, i) => {
    const field = `groups[${i}] '${g.name}'`;
    assertLength(where, `${field}.values`, g.values, opts.categories.length, 'categories');
    assertFinite(where, `${field}.values`, g.values);
    if (g.errors) {
      assertLength(where, `${field}.errors`, g.errors, opts.categories.length, 'categories');
      assertFinite(where, `${field}.errors`, g.errors);
    }
    data.push({
      type: 'bar',
      name: g.name,
      x: opts.categories.slice(),
      y: g.values.slice(),
      error_y: g.errors ? { type: 'data', array: g.errors.slice(), visible: true } : undefined,
      marker: { color: perExpertBars ? opts.categories.map(expertColor) : g.color ?? colorFor(g.name, i) },
    });
    opts.categories.forEach((c, k) => {
      const row: SourceRow = { [xCol]: c, group: g.name, [yCol]: g.values[k] };
      if (g.errors) row.error = g.errors[k];
      source.push(row);
    });
  });
  const layout = baseLayout(opts.title, opts);
  layout.barmode = 'group';
  layout.xaxis = { title: opts.xTitle ? { text: opts.xTitle } : undefined, type: 'category', automargin: true };
  layout.yaxis = { title: opts.yTitle ? { text: opts.yTitle } : undefined, automargin: true, range: opts.yRange };
  layout.showlegend = opts.groups.length > 1;
  return { name: opts.name, data, layout, source };
}
