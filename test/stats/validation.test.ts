// Degenerate input gets a StatsInputError that says what is wrong, never a silent number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapConfidenceInterval,
  entropy,
  gini,
  kendallTau,
  klDivergence,
  pairedTTest,
  pearson,
  spearman,
  StatsInputError,
  tConfidenceInterval,
  vendiScore,
  wilcoxon,
} from '../../src/stats';

function rejects(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof StatsInputError, `expected StatsInputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('correlations reject mismatched lengths, NaN, too few points and constant input', () => {
  for (const [name, fn] of [['spearman', spearman], ['pearson', pearson], ['kendallTau', kendallTau]] as const) {
    rejects(() => fn([1, 2, 3], [1, 2]), new RegExp(`${name}: x and y must have the same length, got 3 and 2`));
    rejects(() => fn([1, NaN, 3], [1, 2, 3]), new RegExp(`${name}: x\\[1\\] is NaN`));
    rejects(() => fn([1, 2, 3], [1, 2, Infinity]), /y\[2\] is Infinity/);
    rejects(() => fn([1], [2]), /needs at least/);
    rejects(() => fn([4, 4, 4, 4], [1, 2, 3, 4]), /x is constant/);
    rejects(() => fn([1, 2, 3, 4], [7, 7, 7, 7]), /y is constant/);
  }
});

test('wilcoxon and pairedTTest reject degenerate samples', () => {
  rejects(() => wilcoxon([1, 2], [1]), /same length/);
  rejects(() => wilcoxon([]), /needs at least 1/);
  rejects(() => wilcoxon([2, 2, 2], [2, 2, 2]), /every difference is zero/);
  rejects(() => wilcoxon([1, 2], undefined, { zeroMethod: 'nope' as 'wilcox' }), /zeroMethod/);
  rejects(() => pairedTTest([1, 2, 3], [0, 1, 2]), /every difference x - y equals 1/);
  rejects(() => pairedTTest([1], [0]), /needs at least 2/);
  rejects(() => pairedTTest([1, 2], [0, 1], { alternative: 'both' as 'less' }), /alternative/);
});

test('intervals reject bad levels and tiny samples', () => {
  rejects(() => tConfidenceInterval([1, 2, 3], { level: 95 }), /strictly between 0 and 1/);
  rejects(() => tConfidenceInterval([1]), /needs at least 2/);
  rejects(() => bootstrapConfidenceInterval([1, NaN]), /data\[1\] is NaN/);
  rejects(() => bootstrapConfidenceInterval([3, 3, 3, 3], { resamples: 100 }), /BCa interval is undefined/);
  assert.deepEqual(
    [bootstrapConfidenceInterval([3, 3, 3, 3], { resamples: 100, method: 'percentile' }).lower],
    [3],
  );
});

test('information measures reject non-distributions', () => {
  rejects(() => entropy([0.5, -0.1, 0.6]), /p\[1\] is -0.1; probabilities must be non-negative/);
  rejects(() => entropy([0, 0]), /sums to 0/);
  rejects(() => entropy([]), /empty/);
  rejects(() => klDivergence([0.5, 0.5], [1, 0, 0]), /same length, got 2 and 3/);
  rejects(() => klDivergence([0.5, 0.5], [0.5, 0.5], { epsilon: -1 }), /epsilon/);
  rejects(() => gini([1, -2]), /xs\[1\] is -2/);
  rejects(() => gini([0, 0, 0]), /every value is 0/);
  rejects(() => vendiScore([[1, 0], [0, 0]]), /vectors\[1\] is all zeros/);
  rejects(() => vendiScore([[1, 0], [0, 1, 2]]), /vectors\[1\] has 3 dimensions/);
});

test('typed arrays (e.g. tfjs dataSync output) are accepted like plain arrays', () => {
  const x = [0.3, 1.2, 0.7, 2.2, 1.9];
  const y = [1.0, 2.5, 0.4, 3.1, 2.0];
  assert.deepEqual(spearman(Float64Array.from(x), Float32Array.from(y)), spearman(x, y));
  assert.deepEqual(wilcoxon(Float64Array.from(x), Float64Array.from(y)), wilcoxon(x, y));
});
