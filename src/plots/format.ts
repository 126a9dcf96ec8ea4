/** Number formatting for figure annotations and tables. */

/**
 * Formats a p-value the way papers print it: 3 significant digits, scientific below 1e-3,
 * and `< 1e-16` at the floor of double precision.
 */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p < 1e-16) return '< 1e-16';
  if (p < 1e-3) return p.toExponential(2);
  return p.toPrecision(3);
}

/**
 * Formats a number for display: integers as is, otherwise `digits` significant digits,
 * scientific notation for very small or large magnitudes.
 */
export function formatSignificant(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}
