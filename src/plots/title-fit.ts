/**
 * Fitting a figure title into the figure's width: keep it on one line when it fits, otherwise wrap
 * it at spaces onto up to `maxLines` lines, and only then shrink the font. Plotly centres titles
 * on the whole figure and never wraps them, so a long title is cut off on both sides of an export.
 */
import { lineWidth } from './text-width';

/** Result of {@link fitTitle}: text with `<br>` between lines, the font size, and the line count. */
export interface FittedTitle {
  text: string;
  fontSize: number;
  lines: number;
}

/** Options of {@link fitTitle}. */
export interface FitTitleOptions {
  /** preferred size in px (default 17) */
  fontSize?: number;
  /** smallest size before giving up shrinking (default 11) */
  minFontSize?: number;
  /** most lines to wrap onto (default 2) */
  maxLines?: number;
  /** horizontal room kept free on each side in px (default 12) */
  padding?: number;
}

/** Greedy word wrap of `words` into lines no wider than `room` px; null when more than `maxLines`. */
function wrap(words: string[], room: number, fontSize: number, maxLines: number): string[] | null {
  const lines: string[] = [];
  let current = '';
  for (const w of words) {
    const candidate = current ? `${current} ${w}` : w;
    if (lineWidth(candidate, fontSize) <= room || !current) {
      current = candidate;
    } else {
      lines.push(current);
      current = w;
    }
  }
  if (current) lines.push(current);
  if (lines.length > maxLines || lines.some((l) => lineWidth(l, fontSize) > room)) return null;
  return lines;
}

/** Wraps and, if needed, shrinks `title` so that it fits a figure `width` px wide. */
export function fitTitle(title: string, width: number, opts: FitTitleOptions = {}): FittedTitle {
  const base = opts.fontSize ?? 17;
  const min = opts.minFontSize ?? 11;
  const maxLines = opts.maxLines ?? 2;
  const room = width - 2 * (opts.padding ?? 12);
  // A title that already holds line breaks is kept as written; each line is still checked.
  const given = title.split(/<br\s*\/?>/i);
  for (let size = base; size >= min; size -= 0.5) {
    const lines: string[] = [];
    let ok = true;
    for (const part of given) {
      const wrapped = wrap(part.split(/\s+/).filter(Boolean), room, size, maxLines);
      if (!wrapped) {
        ok = false;
        break;
      }
      lines.push(...wrapped);
    }
    if (ok && lines.length <= Math.max(maxLines, given.length)) return { text: lines.join('<br>'), fontSize: size, lines: lines.length };
  }
  throw new Error(
    `title '${title}' does not fit a ${width} px wide figure even at ${min} px on ${maxLines} lines: shorten it or widen the figure`,
  );
}
