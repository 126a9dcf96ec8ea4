/**
 * Shared look of every workbench figure: one palette, one font, one base layout, so figures
 * from different notebooks sit together in a paper without per-figure styling.
 */
import type { Layout, Title } from './figure';

/** Colour-blind-safe qualitative palette (Okabe-Ito), cycled over series. */
export const PALETTE: readonly string[] = [
  '#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000',
];

/** Colour for series `i`, cycling through {@link PALETTE}. */
export function seriesColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
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

/** A plotly title object, or undefined for an empty string. */
export function titleOf(text: string | undefined): Title | undefined {
  return text ? { text } : undefined;
}

/** The base layout every builder starts from. */
export function baseLayout(title: string | undefined, size?: { width?: number; height?: number }): Layout {
  return {
    title: titleOf(title),
    width: size?.width ?? DEFAULT_SIZE.width,
    height: size?.height ?? DEFAULT_SIZE.height,
    font: { family: 'DejaVu Sans, Arial, sans-serif', size: 13 },
    margin: { l: 70, r: 30, t: title ? 60 : 30, b: 60 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
  };
}
