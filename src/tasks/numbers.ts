/**
 * Reading numbers the way people write them in math answers: thousands separators, currency,
 * percent signs, decimals, simple fractions (`3/4`, `\frac{3}{4}`) and negative signs.
 * Pure functions; used by the GSM8K loader (gold answers) and grader (responses).
 */

/** A number found in text, with where it was found. */
export interface NumberMatch {
  value: number;
  /** the matched text, as written */
  text: string;
  index: number;
}

// Integer part: either properly grouped thousands (1,234,567) or plain digits.
const INT = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)`;
// A fraction a/b, a decimal, an integer, or a bare decimal like .5; optional leading minus and $.
const NUMBER_RE = new RegExp(
  String.raw`(-\s?)?(\$\s?)?(?:(${INT}(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)|(${INT}(?:\.\d+)?|\.\d+))`,
  'g',
);
const LATEX_FRAC_RE = /(-\s?)?\\d?frac\{\s*(-?\d+(?:\.\d+)?)\s*\}\{\s*(-?\d+(?:\.\d+)?)\s*\}/g;

function toNumber(s: string): number {
  return Number(s.replace(/,/g, ''));
}

/** All numbers in `text`, left to right. A `-` counts as a sign only when it does not follow a word or digit. */
export function findNumbers(text: string): NumberMatch[] {
  const found: NumberMatch[] = [];
  const covered: Array<[number, number]> = [];
  for (const m of text.matchAll(LATEX_FRAC_RE)) {
    const den = Number(m[3]);
    if (den === 0) continue;
    const sign = m[1] && !precededByOperand(text, m.index ?? 0) ? -1 : 1;
    found.push({ value: (sign * Number(m[2])) / den, text: m[0], index: m.index ?? 0 });
    covered.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
  }
  for (const m of text.matchAll(NUMBER_RE)) {
    const start = m.index ?? 0;
    if (covered.some(([a, b]) => start >= a && start < b)) continue;
    // A digit glued to a preceding letter/digit (e.g. "x2", "3b1b") is part of a word, not a number.
    const before = text[start - 1];
    if (before !== undefined && /[A-Za-z_]/.test(before)) continue;
    const negative = Boolean(m[1]) && !precededByOperand(text, start);
    let value: number;
    if (m[3] !== undefined) {
      const den = toNumber(m[4]);
      if (den === 0) continue;
      value = toNumber(m[3]) / den;
    } else value = toNumber(m[5]);
    if (!Number.isFinite(value)) continue;
    found.push({ value: negative ? -value : value, text: m[0], index: start });
  }
  return found.sort((a, b) => a.index - b.index);
}

// "5-3" and "(2)-3": the minus is an operator, not the sign of 3; after a word ("at -5") it is a sign.
function precededByOperand(text: string, minusIndex: number): boolean {
  let i = minusIndex - 1;
  while (i >= 0 && text[i] === ' ') i--;
  return i >= 0 && /[\d)\]]/.test(text[i]);
}

/**
 * Parses a string that should hold exactly one number (e.g. a gold answer `1,250` or `$3.50`),
 * ignoring currency, percent signs and a trailing period. Returns null if it does not.
 */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/[.。]$/, '').replace(/%$/, '').trim();
  if (cleaned === '') return null;
  const nums = findNumbers(cleaned);
  if (nums.length !== 1) return null;
  const rest = cleaned.slice(0, nums[0].index) + cleaned.slice(nums[0].index + nums[0].text.length);
  if (rest.trim().replace(/^\$/, '') !== '') return null;
  return nums[0].value;
}

/** True when two answers are the same number (relative tolerance 1e-6, so 12.50 equals 12.5). */
export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}
