// entropy, klDivergence, gini, vendiScore and the Jacobi eigen-solver against scipy / numpy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entropy, gini, jacobiEigenvalues, klDivergence, vendiScore, vendiScoreFromKernel } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

test('entropy matches scipy.stats.entropy in nats and bits (inputs normalised, zeros ignored)', () => {
  const cases: { name: string; p: number[]; bits: boolean; value: RefNumber }[] = referenceCases('entropy');
  for (const c of cases) assertClose(entropy(c.p, { bits: c.bits }), c.value, `${c.name} bits=${c.bits}`);
  assert.equal(entropy([1, 1, 1, 1], { bits: true }), 2);
});

test('klDivergence matches scipy.stats.entropy(p, q), including +Infinity and the epsilon policy', () => {
  const cases: { name: string; p: number[]; q: number[]; bits: boolean; epsilon: number; value: RefNumber }[] =
    referenceCases('klDivergence');
  let infinite = 0;
  for (const c of cases) {
    const v = klDivergence(c.p, c.q, { bits: c.bits, epsilon: c.epsilon });
    if (v === Infinity) infinite++;
    assertClose(v, c.value, `${c.name} bits=${c.bits} eps=${c.epsilon}`);
  }
  assert.equal(infinite, 2, 'the zero-in-q case is infinite without smoothing, in nats and bits');
});

test('gini matches the textbook double-sum formula', () => {
  const cases: { name: string; xs: number[]; value: RefNumber }[] = referenceCases('gini');
  for (const c of cases) assertClose(gini(c.xs), c.value, c.name);
  assert.equal(gini([0, 0, 0, 5]), 0.75);
});

test('jacobiEigenvalues matches numpy.linalg.eigvalsh on random symmetric matrices', () => {
  const cases: { matrix: number[][]; eigenvalues: RefNumber[] }[] = referenceCases('eigenvalues');
  for (const c of cases) {
    const got = jacobiEigenvalues(c.matrix);
    c.eigenvalues.forEach((v, i) => assertClose(got[i], v, `n=${c.matrix.length} eigenvalue ${i}`, 1e-9));
  }
  assert.throws(() => jacobiEigenvalues([[1, 2], [0, 1]]), /not symmetric/);
});

test('vendiScore matches numpy (eigvalsh of the cosine kernel / n), for n < d and n > d', () => {
  const cases: { name: string; vectors: number[][]; value: RefNumber }[] = referenceCases('vendiScore');
  for (const c of cases) assertClose(vendiScore(c.vectors), c.value, c.name);
});

test('vendiScore reads as an effective number of distinct items', () => {
  assert.ok(Math.abs(vendiScore([[1, 2, 3], [2, 4, 6], [0.5, 1, 1.5]]) - 1) < 1e-9);
  assert.ok(Math.abs(vendiScore([[1, 0, 0], [0, 2, 0], [0, 0, 3]]) - 3) < 1e-9);
  // the kernel form gives the same number as the vector form
  const vectors = [[1, 0.2], [0.3, 1], [1, 1]];
  const unit = vectors.map((v) => v.map((x) => x / Math.hypot(...v)));
  const kernel = unit.map((a) => unit.map((b) => a[0] * b[0] + a[1] * b[1]));
  assert.ok(Math.abs(vendiScoreFromKernel(kernel) - vendiScore(vectors)) < 1e-12);
});
