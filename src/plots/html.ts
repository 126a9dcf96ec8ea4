/** HTML around plotly figures: a self-contained page for export, and a snippet for notebooks. */
import { figureTitle, plotlySpec, type Figure } from './figure';
import { plotlyScriptBody } from './plotly-bundle';

/**
 * Plotly's config for interactive views: no logo, PNG download at 2x. Not `responsive`: figures
 * have a fixed size (the same as their exports), and responsive mode stretches the div to 100%
 * of the page height, leaving a large blank area under each notebook figure.
 */
export const INTERACTIVE_CONFIG = {
  displaylogo: false,
  toImageButtonOptions: { format: 'png', scale: 2 },
} as const;

/** JSON that is safe inside a `<script>` element (no `</script>` or `<!--` can close it). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A complete HTML page showing the figure interactively, with plotly.js inlined (works offline). */
export function standaloneHtml(fig: Figure): string {
  const title = escapeHtml(figureTitle(fig) ?? fig.name);
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8">',
    `<title>${title}</title>`,
    `<script>${plotlyScriptBody()}</script>`,
    '</head><body style="margin:0">',
    '<div id="figure"></div>',
    '<script>',
    `var spec = ${scriptJson(plotlySpec(fig))};`,
    `Plotly.newPlot('figure', spec.data, spec.layout, ${scriptJson(INTERACTIVE_CONFIG)});`,
    '</script>',
    '</body></html>',
    '',
  ].join('\n');
}
