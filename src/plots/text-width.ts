/**
 * Text width estimates for laying out titles before any browser renders them. Widths are DejaVu
 * Sans advance widths (the first font of every figure, see theme.ts), measured once in Chromium by
 * test/plots/fixtures/measure-dejavu-widths.cjs. DejaVu Sans is wider than the usual fallbacks
 * (Arial, Liberation Sans), so an estimate from it errs on the side of fitting.
 */

/** Advance width in em of the printable ASCII characters 32 (space) .. 126 (~). */
const WIDTHS: readonly number[] = [
  0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337, 0.636, 0.636, 0.636, 0.636,
  0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531, 1, 0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775,
  0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685,
  0.39, 0.337, 0.39, 0.838, 0.5, 0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634,
  0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,
];

/** Width used for characters outside the table (Greek letters, symbols): a wide lowercase letter. */
const OTHER_WIDTH = 0.7;

/** The lines plotly draws for a label: split at `<br>`, with its other inline tags removed. */
export function plotlyLines(text: string): string[] {
  return text.split(/<br\s*\/?>/i).map((line) => line.replace(/<[^>]*>/g, '').replace(/&[a-z]+;|&#\d+;/gi, 'x'));
}

/** Estimated width in px of one line of plain text at `fontSize` px. */
export function lineWidth(line: string, fontSize: number): number {
  let em = 0;
  for (const ch of line) {
    const c = ch.codePointAt(0) ?? 0;
    em += c >= 32 && c < 127 ? WIDTHS[c - 32] : OTHER_WIDTH;
  }
  return em * fontSize;
}

/** Estimated width in px of a plotly label (its widest line). */
export function textWidth(text: string, fontSize: number): number {
  return Math.max(0, ...plotlyLines(text).map((l) => lineWidth(l, fontSize)));
}
