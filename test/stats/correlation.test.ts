import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, kendallTau, pearson, spearman } from '../../src/stats';
import type { Alternative } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

interface PairCase {
  name: string;
  x: number[];
  y: number[];
  alternative: Alternative;
}

test('averageRanks gives tied values the mean of their ranks (scipy rankdata average)', () => {
  assert.deepEqual(averageRanks([10, 20, 10, 30, 20, 20]), { ranks: [1.5, 4, 1.5, 6, 4, 4], tieSizes: [2, 3] });
  assert.deepEqual(averageRanks([3, 1, 2]), { ranks: [3, 1, 2], tieSizes: [] });
});

test('spearman matches scipy.stats.spearmanr on continuous and tied samples', () => {
  const cases: (PairCase & { rho: RefNumber; pValue: RefNumber })[] = referenceCases('spearman');
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const r = spearman(c.x, c.y, { alternative: c.alternative });
    assertClose(r.rho, c.rho, `${c.name} ${c.alternative} rho`);
    assertClose(r.pValue, c.pValue, `${c.name} ${c.alternative} p`);
  }
});

test('pearson matches scipy.stats.pearsonr', () => {
  const cases: (PairCase & { r: RefNumber; pValue: RefNumber })[] = referenceCases('pearson');
  for (const c of cases) {
    const r = pearson(c.x, c.y, { alternative: c.alternative });
    assertClose(r.r, c.r, `${c.name} ${c.alternative} r`);
    assertClose(r.pValue, c.pValue, `${c.name} ${c.alternative} p`);
  }
});

test('kendallTau matches scipy.stats.kendalltau (tau-b) for exact and asymptotic p-values', () => {
  const cases: (PairCase & { method: 'auto' | 'exact' | 'asymptotic'; tau: RefNumber; pValue: RefNumber })[] =
    referenceCases('kendallTau');
  const seen = new Set<string>();
  for (const c of cases) {
    const r = kendallTau(c.x, c.y, { alternative: c.alternative, method: c.method });
    seen.add(r.method);
    assertClose(r.tau, c.tau, `${c.name} ${c.alternative} tau`);
    assertClose(r.pValue, c.pValue, `${c.name} ${c.alternative} ${c.method} p`);
  }
  assert.deepEqual([...seen].sort(), ['asymptotic', 'exact']);
});

test("kendallTau 'auto' switches to the asymptotic p-value above n = 33 and with ties, as scipy does", () => {
  const x = Array.from({ length: 34 }, (_, i) => i);
  const y = x.map((v) => (v * 7) % 34);
  assert.equal(kendallTau(x.slice(0, 33), y.slice(0, 33)).method, 'exact');
  assert.equal(kendallTau(x, y).method, 'asymptotic');
  assert.equal(kendallTau([1, 2, 2, 3], [1, 3, 2, 4]).method, 'asymptotic');
  assert.throws(() => kendallTau([1, 2, 2, 3], [1, 3, 2, 4], { method: 'exact' }), /ties/);
});
