/**
 * The local plotly.js bundle (plotly.js-dist-min), read once and inlined wherever a page or a
 * notebook output needs plotly: no CDN, so figures work with no network.
 */
import * as fs from 'node:fs';

let cached: string | null = null;

/** Absolute path of plotly.min.js inside node_modules. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min/plotly.min.js');
}

/** The plotly.js bundle source (about 4.7 MB), cached after the first read. */
export function plotlyBundle(): string {
  if (cached === null) cached = fs.readFileSync(plotlyBundlePath(), 'utf8');
  return cached;
}

/** The bundle as the body of an inline `<script>`: `</script` inside it is escaped. */
export function plotlyScriptBody(): string {
  return plotlyBundle().replace(/<\/script/gi, '<\\/script');
}
