/** Ordinary least-squares line through points, for the fitted line of a scatter plot. */
import { assertFinite, assertLength } from './check';

/** Slope and intercept of `y = slope * x + intercept`. */
export interface LineFit {
  slope: number;
  intercept: number;
}

/**
 * Fits `y = slope * x + intercept` by least squares. Needs at least two distinct x values.
 * Centred sums keep the result accurate when x has a large offset.
 */
export function leastSquaresLine(x: readonly number[], y: readonly number[]): LineFit {
  assertLength('leastSquaresLine', 'y', y, x.length, 'x');
  assertFinite('leastSquaresLine', 'x', x);
  assertFinite('leastSquaresLine', 'y', y);
  const n = x.length;
  if (n < 2) throw new Error(`leastSquaresLine: need at least 2 points, got ${n}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx === 0) throw new Error('leastSquaresLine: all x values are equal, the slope is undefined');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
