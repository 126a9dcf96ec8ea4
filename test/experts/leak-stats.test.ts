/** The leak check's statistics against scipy (test/fixtures/scipy/logistic_reference.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitLogistic, predictLogistic, rocAuc, StatsInputError } from '../../src/stats';

const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'scipy', 'logistic_reference.json'), 'utf8')) as {
  logistic: { X: number[][]; y: number[]; l2: number; weights: number[]; bias: number }[];
  auc: { scores: number[]; labels: number[]; auc: number }[];
};

test('fitLogistic reaches the same minimiser as scipy.optimize on the same objective', () => {
  for (const c of ref.logistic) {
    const m = fitLogistic(c.X, c.y, { l2: c.l2, tolerance: 1e-9, maxIterations: 20000 });
    assert.ok(m.converged, `converged in ${m.iterations} iterations`);
    c.weights.forEach((w, j) => assert.ok(Math.abs(m.weights[j] - w) < 1e-6, `w[${j}] ${m.weights[j]} vs scipy ${w}`));
    assert.ok(Math.abs(m.bias - c.bias) < 1e-6, `bias ${m.bias} vs scipy ${c.bias}`);
    const p = predictLogistic(m, c.X);
    assert.ok(p.every((v) => v > 0 && v < 1));
  }
});

test('rocAuc equals Mann-Whitney U / (n1 n0) from scipy, ties counting one half', () => {
  for (const c of ref.auc) assert.ok(Math.abs(rocAuc(c.scores, c.labels) - c.auc) < 1e-12, `${rocAuc(c.scores, c.labels)} vs ${c.auc}`);
  assert.equal(rocAuc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  assert.equal(rocAuc([1, 2, 3, 4], [1, 1, 0, 0]), 0);
  assert.throws(() => rocAuc([1, 2], [1, 1]), StatsInputError);
  assert.throws(() => rocAuc([1, 2], [1, 2]), /labels must be 0\/1/);
  assert.throws(() => fitLogistic([[1], [2, 3]], [0, 1]), /row 1 has 2 features, row 0 has 1/);
  assert.throws(() => fitLogistic([[1]], [1], { l2: 0 }), /l2 must be > 0/);
});
