/**
 * L2-regularised logistic regression, the probe of the leak check: minimises
 *   (1/n) sum_i [log(1 + exp(z_i)) - y_i z_i] + (l2 / 2) ||w||^2,   z_i = w . x_i + b
 * (the bias is not penalised) by Nesterov-accelerated gradient descent with the step 1/L, where
 * L = max_i ||x_i||^2 / 4 + l2 bounds the curvature, until the gradient's largest entry is below
 * `tolerance`. The objective is strictly convex for l2 > 0, so the minimiser is unique and the fit
 * matches scipy.optimize.minimize on the same objective (test/fixtures/scipy/logistic_reference.py).
 * Pure; rows are plain arrays or typed arrays of one length.
 */
import { StatsInputError } from './errors';

export interface LogisticModel {
  weights: Float64Array;
  bias: number;
  /** iterations run and whether the gradient tolerance was reached */
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** L2 penalty (default 1e-2; must be > 0) */
  l2?: number;
  /** most iterations (default 5000) */
  maxIterations?: number;
  /** stop when every gradient entry is below this (default 1e-6) */
  tolerance?: number;
}

type Row = ArrayLike<number>;

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Fits the model to rows `x` and 0/1 labels `y`. */
export function fitLogistic(x: readonly Row[], y: ArrayLike<number | boolean>, opts: LogisticOptions = {}): LogisticModel {
  const fn = 'fitLogistic';
  const n = x.length;
  if (n === 0) throw new StatsInputError(`${fn}: no rows`);
  if (y.length !== n) throw new StatsInputError(`${fn}: ${n} rows but ${y.length} labels`);
  const d = x[0].length;
  const l2 = opts.l2 ?? 1e-2;
  if (!(l2 > 0)) throw new StatsInputError(`${fn}: l2 must be > 0, got ${l2}`);
  const labels = Float64Array.from(y as ArrayLike<number>, (v, i) => {
    const b = Number(v);
    if (b !== 0 && b !== 1) throw new StatsInputError(`${fn}: y[${i}] is ${String(v)}; labels must be 0/1 or booleans`);
    return b;
  });
  // one contiguous copy of the rows: typed, monomorphic access keeps the inner loops fast
  const X = new Float64Array(n * d);
  let maxNorm = 0;
  x.forEach((r, i) => {
    if (r.length !== d) throw new StatsInputError(`${fn}: row ${i} has ${r.length} features, row 0 has ${d}`);
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = r[j];
      if (!Number.isFinite(v)) throw new StatsInputError(`${fn}: x[${i}][${j}] is ${v}`);
      X[i * d + j] = v;
      s += v * v;
    }
    maxNorm = Math.max(maxNorm, s + 1); // + 1 for the bias column
  });
  const step = 1 / (maxNorm / 4 + l2);
  const maxIt = opts.maxIterations ?? 5000;
  const tol = opts.tolerance ?? 1e-6;
  const gw = new Float64Array(d);
  /** the gradient at (pw, pb) into gw; returns the bias component */
  const gradientAt = (pw: Float64Array, pb: number): number => {
    gw.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let z = pb;
      for (let j = 0; j < d; j++) z += pw[j] * X[o + j];
      const e = (sigmoid(z) - labels[i]) / n;
      gb += e;
      for (let j = 0; j < d; j++) gw[j] += e * X[o + j];
    }
    for (let j = 0; j < d; j++) gw[j] += l2 * pw[j];
    return gb;
  };
  const largest = (gb: number): number => {
    let worst = Math.abs(gb);
    for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(gw[j]));
    return worst;
  };
  // Nesterov's method: iterate (w, b), look-ahead point (vw, vb)
  let w = new Float64Array(d);
  let b = 0;
  const vw = new Float64Array(d);
  let vb = 0;
  let t = 1;
  let it = 0;
  let converged = false;
  for (; it < maxIt; it++) {
    // the stopping test looks at the gradient at the iterate itself, every 10 steps
    if (it % 10 === 0 && largest(gradientAt(w, b)) < tol) {
      converged = true;
      break;
    }
    const gb = gradientAt(vw, vb);
    const nw = new Float64Array(d);
    for (let j = 0; j < d; j++) nw[j] = vw[j] - step * gw[j];
    const nb = vb - step * gb;
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const mom = (t - 1) / tNext;
    for (let j = 0; j < d; j++) vw[j] = nw[j] + mom * (nw[j] - w[j]);
    vb = nb + mom * (nb - b);
    w = nw;
    b = nb;
    t = tNext;
  }
  return { weights: w, bias: b, iterations: it, converged };
}

/** P(y = 1) for each row. */
export function predictLogistic(model: LogisticModel, x: readonly Row[]): number[] {
  return x.map((r, i) => {
    if (r.length !== model.weights.length) throw new StatsInputError(`predictLogistic: row ${i} has ${r.length} features, the model ${model.weights.length}`);
    let z = model.bias;
    for (let j = 0; j < r.length; j++) z += model.weights[j] * r[j];
    return sigmoid(z);
  });
}
