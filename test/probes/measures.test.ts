/** Probe measures on hand-built matrices, against values worked out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collaborationEntropy, entropyOf, giniOf, incomingGini, matrixRank, relationalImportance, singularValues, usageCounts } from '../../src/probes/matrix-measures';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);

test('entropy and rank of a known C', () => {
  // Every row uniform over the other two experts: each row's entropy is log 2.
  const uniform = [
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ];
  close(collaborationEntropy(uniform), Math.log(2));
  // det = 2 * 0.125 = 0.25 != 0: full rank; singular values 1, 0.5, 0.5 (eigenvalues of a symmetric matrix, in absolute value)
  assert.equal(matrixRank(uniform), 3);
  const sv = singularValues(uniform);
  close(sv[0], 1, 1e-12);
  close(sv[1], 0.5, 1e-12);
  close(sv[2], 0.5, 1e-12);
  // A "vertical band": every row sends all its mass to expert 2 (row 2 to expert 0). Rows 0 and 1 are equal: rank 2; entropy 0.
  const band = [
    [0, 0, 1],
    [0, 0, 1],
    [1, 0, 0],
  ];
  close(collaborationEntropy(band), 0);
  assert.equal(matrixRank(band), 2);
  // Mixed rows: row 0 (0, .25, .75) has entropy -(.25 ln .25 + .75 ln .75) = 0.5623351446188083
  const mixed = [
    [0, 0.25, 0.75],
    [0.5, 0, 0.5],
    [1, 0, 0],
  ];
  close(collaborationEntropy(mixed), (0.5623351446188083 + Math.log(2) + 0) / 3, 1e-12);
  close(collaborationEntropy(mixed, [2]), (0.5623351446188083 + Math.log(2)) / 2, 1e-12);
  assert.equal(matrixRank([[0, 0], [0, 0]]), 0);
  assert.throws(() => matrixRank([[0, 1], [1]]), /row 1 has 1 entries, expected 2/);
});

test('relational importance is the incoming mass; Gini of a known vector', () => {
  const mixed = [
    [0, 0.25, 0.75],
    [0.5, 0, 0.5],
    [1, 0, 0],
  ];
  assert.deepEqual(relationalImportance(mixed), [1.5, 0.25, 1.25]);
  assert.deepEqual(relationalImportance(mixed, [2]), [0.5, 0.25, 1.25]);
  // Gini of (1, 2, 3, 4): sum_i (2i - n - 1) x_(i) / (n sum x) = (-3 - 2 + 3 + 12) / (4 * 10) = 0.25
  close(giniOf([4, 1, 3, 2]), 0.25);
  // all mass on one of n entries: (n - 1) / n
  close(giniOf([0, 0, 5, 0]), 0.75);
  close(giniOf([0, 0, 0]), 0);
  // incoming mass (1.5, .25, 1.25): sorted (.25, 1.25, 1.5), (-2*.25 + 0 + 2*1.5) / (3*3) = 2.5/9
  close(incomingGini(mixed), 2.5 / 9, 1e-12);
  assert.deepEqual(usageCounts([[0, 2], [2], [1, 2, 0]], 3), [2, 1, 3]);
  close(entropyOf([1, 1, 2]), -(0.25 * Math.log(0.25) * 2 + 0.5 * Math.log(0.5)), 1e-12);
});
