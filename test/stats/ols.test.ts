import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ols, StatsInputError } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

interface OlsCase {
  name: string;
  X: number[][] | number[];
  y: number[];
  intercept: boolean;
  coefficients: RefNumber[];
  standardErrors: RefNumber[];
  tValues: RefNumber[];
  pValues: RefNumber[];
  rSquared: RefNumber;
  adjustedRSquared: RefNumber;
  fStatistic: RefNumber;
  fPValue: RefNumber;
  dfResidual: number;
  linregress?: { slope: RefNumber; intercept: RefNumber; stderr: RefNumber; interceptStderr: RefNumber; rSquared: RefNumber; pValue: RefNumber };
}

test('ols matches numpy least squares with classical standard errors, t, p, R^2 and F', () => {
  const cases: OlsCase[] = referenceCases('ols');
  for (const c of cases) {
    const r = ols(c.X, c.y, { intercept: c.intercept });
    assert.equal(r.dfResidual, c.dfResidual, c.name);
    for (const key of ['coefficients', 'standardErrors', 'tValues', 'pValues'] as const) {
      assert.ok(c[key].length > 0 && r[key].length === c[key].length, `${c.name} ${key}: ${r[key].length} values, scipy ${c[key].length}`);
      c[key].forEach((v, j) => assertClose(r[key][j], v, `${c.name} ${key}[${j}]`));
    }
    for (const key of ['rSquared', 'adjustedRSquared', 'fStatistic', 'fPValue'] as const) {
      assertClose(r[key], c[key], `${c.name} ${key}`);
    }
  }
});

test('ols with one predictor agrees with scipy.stats.linregress', () => {
  const c = (referenceCases('ols') as OlsCase[]).find((k) => k.linregress)!;
  const lr = c.linregress!;
  const r = ols(c.X, c.y);
  assert.deepEqual(r.names, ['intercept', 'x1']);
  assertClose(r.coefficients[0], lr.intercept, 'intercept');
  assertClose(r.coefficients[1], lr.slope, 'slope');
  assertClose(r.standardErrors[0], lr.interceptStderr, 'intercept stderr');
  assertClose(r.standardErrors[1], lr.stderr, 'slope stderr');
  assertClose(r.pValues[1], lr.pValue, 'slope p');
  assertClose(r.rSquared, lr.rSquared, 'R^2');
});

test('ols names terms, recovers an exact linear law, and reports terms consistently', () => {
  const X = [[1, 0], [2, 1], [3, 0], [4, 1], [5, 3], [6, 2]];
  const noise = [0.01, -0.02, 0.015, 0, -0.01, 0.005];
  const y = X.map(([q, d], i) => 0.5 * q - 2 * d + 3 + noise[i]);
  const r = ols(X, y, { names: ['quality', 'diversity'] });
  assert.deepEqual(r.names, ['intercept', 'quality', 'diversity']);
  assert.ok(Math.abs(r.coefficients[0] - 3) < 0.05 && Math.abs(r.coefficients[1] - 0.5) < 0.02 && Math.abs(r.coefficients[2] + 2) < 0.02);
  assert.ok(r.rSquared > 0.999);
  assert.deepEqual(r.terms.map((t) => t.estimate), r.coefficients);
  assert.equal(r.residuals.length, 6);
});

test('ols keeps tiny F p-values instead of rounding them to 0 (a very strong fit)', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const noise = [0.01, -0.02, 0.015, -0.005, 0, 0.02, -0.01, 0.005, -0.015, 0.01];
  const r = ols(x, x.map((v, i) => 2 * v + 1 + noise[i]));
  // scipy 1.10.1: R^2 from linregress, F = R^2 / ((1 - R^2) / 8) = 1660593.2153747..., then
  // scipy.stats.f.sf(F, 1, 8) = 1.4728463872193664e-22 (linregress's slope p: 1.4728463871804942e-22)
  assertClose(r.fStatistic, 1660593.215374788, 'F', 1e-6);
  assertClose(r.fPValue, 1.4728463872193664e-22, 'F p-value', 1e-6);
  assertClose(r.pValues[1], 1.4728463871804942e-22, 'slope p-value', 1e-6);
});

test('ols rejects collinear columns, too few rows, ragged rows and constant y with named errors', () => {
  assert.throws(() => ols([[1, 2], [2, 4], [3, 6], [4, 8]], [1, 2, 3, 5]), (e: unknown) => e instanceof StatsInputError && /'x2'.*linear combination/.test(e.message));
  assert.throws(() => ols([[1], [2]], [1, 2]), /2 observations for 2 coefficients/);
  assert.throws(() => ols([[1, 2], [2]], [1, 2]), /X\[1\] has 1 values/);
  assert.throws(() => ols([1, 2, 3], [1, 2]), /X has 3 rows but y has 2/);
  assert.throws(() => ols([1, 2, 3, 4], [5, 5, 5, 5]), /y is constant/);
  assert.throws(() => ols([[1, NaN], [2, 1], [3, 1]], [1, 2, 3]), /X\[0\]\[1\] is NaN/);
});

test('referenceCases refuses a missing or empty case list (a loop over it would check nothing)', () => {
  assert.throws(() => referenceCases('noSuchCases'), /reference\.json has no 'noSuchCases' cases/);
  assert.throws(() => referenceCases('generator'), /has no 'generator' cases/, 'a non-list is refused too');
});
