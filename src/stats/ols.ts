import { fUpperTail, tPValue } from './distributions';
import { StatsInputError } from './errors';
import { backSubstitute, householderQr } from './householder-qr';
import { finiteArray } from './validate';
import type { NumericArray } from './validate';

/** Options of {@link ols}. */
export interface OlsOptions {
  /** prepend a column of ones so the model has an intercept (default true) */
  intercept?: boolean;
  /** names of the predictor columns, in order (default x1, x2, ...) */
  names?: readonly string[];
}

/** One fitted coefficient with its inference. */
export interface OlsTerm {
  name: string;
  estimate: number;
  standardError: number;
  t: number;
  pValue: number;
}

/** Result of {@link ols}. Arrays are in term order: 'intercept' first when one was added. */
export interface OlsResult {
  names: string[];
  coefficients: number[];
  standardErrors: number[];
  tValues: number[];
  pValues: number[];
  /** the same numbers, one object per term */
  terms: OlsTerm[];
  /** 1 - SSR/SST, SST centred when the model has an intercept and uncentred otherwise */
  rSquared: number;
  adjustedRSquared: number;
  /** F statistic of all non-intercept coefficients being zero, and its p-value */
  fStatistic: number;
  fPValue: number;
  /** residual degrees of freedom, n - (number of coefficients) */
  dfResidual: number;
  /** sqrt(SSR / dfResidual) */
  residualStandardError: number;
  residuals: number[];
  n: number;
}

/** Reads X as rows (number[][]) or, for a single predictor, as one flat array. */
function readColumns(fn: string, X: NumericArray | ReadonlyArray<NumericArray>, n: number): number[][] {
  if (X == null || typeof X.length !== 'number') throw new StatsInputError(`${fn}: X must be an array`);
  if (X.length !== n) {
    throw new StatsInputError(`${fn}: X has ${X.length} rows but y has ${n} values; they must match`);
  }
  if (n === 0) throw new StatsInputError(`${fn}: no observations`);
  if (typeof X[0] === 'number') return [finiteArray(fn, 'X', X as NumericArray)];
  const rows = X as ReadonlyArray<NumericArray>;
  const k = rows[0]?.length;
  if (typeof k !== 'number') throw new StatsInputError(`${fn}: X[0] must be an array of predictor values`);
  const columns = Array.from({ length: k }, () => new Array<number>(n));
  rows.forEach((row, i) => {
    const r = finiteArray(fn, `X[${i}]`, row);
    if (r.length !== k) throw new StatsInputError(`${fn}: X[${i}] has ${r.length} values, X[0] has ${k}`);
    r.forEach((v, j) => (columns[j][i] = v));
  });
  return columns;
}

/**
 * Ordinary least squares y = X b + e with classical (homoskedastic) inference, the numbers
 * statsmodels' OLS summary prints; for one predictor they equal scipy.stats.linregress's.
 *
 * X is given as rows of predictor values (or a flat array for one predictor). By default a column
 * of ones is prepended and reported first as 'intercept' — pass `{ intercept: false }` if X
 * already has one or the model has none. Coefficients come from a Householder QR solve;
 * standard errors are sqrt(s^2 diag((X^T X)^-1)) with s^2 = SSR / (n - p); each t = b / se is
 * compared with Student's t on n - p degrees of freedom (two-sided). R^2 = 1 - SSR/SST, with SST
 * about the mean when there is an intercept. The paper (seed 001) fits
 * t = alpha q + beta d + gamma this way: `ols(rows of [q, d], t)`.
 *
 * Throws {@link StatsInputError} on non-finite values, ragged rows, a row count different from
 * y's, no residual degrees of freedom (n <= p), a constant y, or collinear columns (naming one).
 */
export function ols(X: NumericArray | ReadonlyArray<NumericArray>, y: NumericArray, options: OlsOptions = {}): OlsResult {
  const fn = 'ols';
  const yy = finiteArray(fn, 'y', y);
  const n = yy.length;
  const predictors = readColumns(fn, X, n);
  const withIntercept = options.intercept ?? true;
  const given = options.names;
  if (given && given.length !== predictors.length) {
    throw new StatsInputError(`${fn}: ${given.length} names for ${predictors.length} predictor columns`);
  }
  const predictorNames = given ? [...given] : predictors.map((_, j) => `x${j + 1}`);
  const columns = withIntercept ? [new Array<number>(n).fill(1), ...predictors] : predictors;
  const names = withIntercept ? ['intercept', ...predictorNames] : predictorNames;
  const p = columns.length;
  if (p === 0) throw new StatsInputError(`${fn}: no predictors and no intercept`);
  if (n <= p) {
    throw new StatsInputError(`${fn}: ${n} observations for ${p} coefficients; standard errors need n > ${p}`);
  }

  const qr = householderQr(columns);
  const scale = Math.max(...qr.r.map((row, i) => Math.abs(row[i])));
  qr.r.forEach((row, i) => {
    if (Math.abs(row[i]) <= 1e-10 * scale) {
      throw new StatsInputError(`${fn}: column '${names[i]}' is (nearly) a linear combination of the columns before it; coefficients are not identifiable`);
    }
  });
  const coefficients = backSubstitute(qr.r, qr.applyQt(yy));
  const residuals = yy.map((v, i) => v - columns.reduce((s, col, j) => s + col[i] * coefficients[j], 0));
  const ssr = residuals.reduce((s, e) => s + e * e, 0);
  const dfResidual = n - p;
  const sigma2 = ssr / dfResidual;

  // diag((X^T X)^-1) = squared row norms of R^-1; column j of R^-1 solves R z = e_j
  const rInvRowsSq = new Array<number>(p).fill(0);
  for (let j = 0; j < p; j++) {
    const e = new Array<number>(p).fill(0);
    e[j] = 1;
    backSubstitute(qr.r, e).forEach((v, i) => (rInvRowsSq[i] += v * v));
  }
  const standardErrors = rInvRowsSq.map((d) => Math.sqrt(sigma2 * d));
  const tValues = coefficients.map((b, j) => b / standardErrors[j]);
  const pValues = tValues.map((t) => tPValue(t, dfResidual, 'two-sided'));

  const yMean = yy.reduce((s, v) => s + v, 0) / n;
  const sst = yy.reduce((s, v) => s + (withIntercept ? (v - yMean) ** 2 : v * v), 0);
  if (sst === 0) throw new StatsInputError(`${fn}: y is constant${withIntercept ? '' : ' zero'}; R^2 is undefined`);
  const rSquared = 1 - ssr / sst;
  const dfModel = withIntercept ? p - 1 : p;
  const dfTotal = withIntercept ? n - 1 : n;
  const adjustedRSquared = 1 - ((1 - rSquared) * dfTotal) / dfResidual;
  const fStatistic = dfModel > 0 ? (rSquared / dfModel) / ((1 - rSquared) / dfResidual) : NaN;
  const fPValue = dfModel > 0 ? fUpperTail(fStatistic, dfModel, dfResidual) : NaN;

  return {
    names,
    coefficients,
    standardErrors,
    tValues,
    pValues,
    terms: names.map((name, j) => ({ name, estimate: coefficients[j], standardError: standardErrors[j], t: tValues[j], pValue: pValues[j] })),
    rSquared,
    adjustedRSquared,
    fStatistic,
    fPValue,
    dfResidual,
    residualStandardError: Math.sqrt(sigma2),
    residuals,
    n,
  };
}
