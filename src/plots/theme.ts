/**
 * Shared look of every workbench figure: one palette, one font, one base layout, so figures
 * from different notebooks sit together in a paper without per-figure styling.
 */
import { expertColor, isExpertId } from './experts';
import type { Layout, Title } from './figure';
import { fitTitle } from './title-fit';

/** Colour-blind-safe qualitative palette (Okabe-Ito), cycled over series. */
export const PALETTE: readonly string[] = [
  '#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000',
];

/** Colour for series `i`, cycling through {@link PALETTE}. */
export function seriesColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/**
 * Colour of a series named `name` at position `i`: an expert's own colour when the name is an
 * expert id (so experts look the same in every figure), else the i-th palette colour.
 */
export function colorFor(name: string, i: number): string {
  return isExpertId(name) ? expertColor(name) : seriesColor(i);
}

/** Axis titles that say nothing about the measure; builders refuse them. */
const VAGUE_TITLES = new Set(['value', 'values', 'y', 'score', 'metric']);

/** Throws when an axis title names no measure ('value'): every axis says what it measures. */
export function assertMeaningfulTitle(where: string, field: string, title: string | undefined): void {
  if (title !== undefined && VAGUE_TITLES.has(title.trim().toLowerCase())) {
    throw new Error(`${where}: ${field} '${title}' does not say what is measured; name the measure and its unit (e.g. 'cross-entropy loss (nats)')`);
  }
}

/** `#RRGGBB` -> `rgba(r,g,b,alpha)`, used for translucent error bands. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-fA-F]{6})$/.exec(hex);
  if (!m) throw new Error(`withAlpha expects a #RRGGBB colour, got '${hex}'`);
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Default export size in CSS pixels (PNG export multiplies by `scale`). */
export const DEFAULT_SIZE = { width: 720, height: 480 } as const;

/** Font family of every figure (DejaVu Sans ships with Debian's chromium and most Linux desktops). */
export const FONT_FAMILY = 'DejaVu Sans, Arial, sans-serif';

/** A plotly title object, or undefined for an empty string. */
export function titleOf(text: string | undefined): Title | undefined {
  return text ? { text } : undefined;
}

/**
 * The title of a figure `width` px wide: wrapped onto a second line and shrunk as needed so that it
 * is never cut off (plotly neither wraps nor shrinks titles), with the top margin it needs.
 */
export function fittedTitle(title: string, width: number): { title: Title; marginTop: number } {
  const fit = fitTitle(title, width);
  return {
    title: { text: fit.text, font: { size: fit.fontSize } },
    marginTop: Math.ceil(24 + fit.lines * fit.fontSize * 1.3),
  };
}

/** The base layout every builder starts from: size, font, white background, a title that fits. */
export function baseLayout(title: string | undefined, size?: { width?: number; height?: number }): Layout {
  const width = size?.width ?? DEFAULT_SIZE.width;
  const fitted = title ? fittedTitle(title, width) : undefined;
  return {
    title: fitted?.title,
    width,
    height: (size?.height ?? DEFAULT_SIZE.height) + (fitted && fitted.marginTop > 60 ? fitted.marginTop - 60 : 0),
    font: { family: FONT_FAMILY, size: 13 },
    margin: { l: 70, r: 30, t: fitted ? Math.max(60, fitted.marginTop) : 30, b: 60 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
  };
}
