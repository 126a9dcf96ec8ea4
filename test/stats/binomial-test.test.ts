// The exact binomial test (and so the exact McNemar test) against scipy.stats.binomtest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialTest, StatsInputError } from '../../src/stats';
import type { Alternative } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

interface BinomialCase {
  k: number;
  n: number;
  p: number;
  alternative: Alternative;
  pValue: RefNumber;
}

test('binomialTest matches scipy.stats.binomtest: two-sided and one-sided, p = 0.5 (McNemar) and other p', () => {
  const cases: BinomialCase[] = referenceCases('binomialTest');
  assert.ok(cases.length >= 39);
  for (const c of cases) {
    const r = binomialTest(c.k, c.n, { p: c.p, alternative: c.alternative });
    assertClose(r.pValue, c.pValue, `k ${c.k} of n ${c.n}, p ${c.p}, ${c.alternative}`);
    assert.equal(r.statistic, c.k / c.n);
  }
});

test('by hand: 8 of 8 at p = 0.5 is 2 / 2^8 two-sided; k = pn is 1', () => {
  assert.ok(Math.abs(binomialTest(8, 8).pValue - 2 / 256) < 1e-15);
  assert.equal(binomialTest(5, 10).pValue, 1);
});

test('binomialTest names a bad k, n or p', () => {
  assert.throws(() => binomialTest(3, 2), StatsInputError);
  assert.throws(() => binomialTest(1, 0), /n must be an integer >= 1, got 0/);
  assert.throws(() => binomialTest(1.5, 4), /k must be an integer in 0\.\.n \(4\), got 1\.5/);
  assert.throws(() => binomialTest(1, 4, { p: 1.2 }), /p must be in \[0, 1\], got 1\.2/);
});
