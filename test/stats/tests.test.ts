// Wilcoxon signed-rank and paired t-test against scipy.stats.wilcoxon / ttest_rel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedTTest, wilcoxon } from '../../src/stats';
import type { Alternative, WilcoxonOptions } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

interface WilcoxonCase {
  name: string;
  x: number[];
  y?: number[];
  alternative: Alternative;
  zeroMethod: NonNullable<WilcoxonOptions['zeroMethod']>;
  correction: boolean;
  method: NonNullable<WilcoxonOptions['method']>;
  statistic: RefNumber;
  pValue: RefNumber;
}

test('wilcoxon matches scipy.stats.wilcoxon: exact, normal approximation, ties, zeros, corrections', () => {
  const cases: WilcoxonCase[] = referenceCases('wilcoxon');
  const methods = new Set<string>();
  for (const c of cases) {
    const opts = { alternative: c.alternative, zeroMethod: c.zeroMethod, correction: c.correction, method: c.method };
    const r = wilcoxon(c.x, c.y, opts);
    methods.add(r.method);
    const label = `${c.name} ${c.alternative}${c.correction ? ' corrected' : ''}`;
    assertClose(r.statistic, c.statistic, `${label} statistic`);
    assertClose(r.pValue, c.pValue, `${label} p (${r.method})`);
  }
  assert.deepEqual([...methods].sort(), ['approx', 'exact']);
});

test("wilcoxon 'auto' takes the exact table only for n <= 50 without ties or zeros", () => {
  const untied = Array.from({ length: 50 }, (_, i) => (i % 3 ? 1 : -1) * (i + 1));
  assert.equal(wilcoxon(untied).method, 'exact');
  assert.equal(wilcoxon([...untied, 51]).method, 'approx');
  assert.equal(wilcoxon([1, 2, 2, 3, -4]).method, 'approx'); // tie in |d|
  assert.equal(wilcoxon([0, 1, 2, 3, -4]).method, 'approx'); // zero difference
  assert.throws(() => wilcoxon([1, 2, 2, 3, -4], undefined, { method: 'exact' }), /ties/);
});

test('wilcoxon with y equals the one-sample test on x - y', () => {
  const x = [1.3, 2.9, 0.4, 5.5, 3.2, 2.2];
  const y = [0.2, 3.1, 0.1, 2.5, 1.1, 2.0];
  assert.deepEqual(
    wilcoxon(x, y),
    wilcoxon(x.map((v, i) => v - y[i])),
  );
});

interface TTestCase {
  name: string;
  x: number[];
  y: number[];
  alternative: Alternative;
  confidenceLevel: number;
  t: RefNumber;
  df: RefNumber;
  pValue: RefNumber;
  lower: RefNumber;
  upper: RefNumber;
}

test('pairedTTest matches scipy.stats.ttest_rel and its confidence_interval()', () => {
  const cases: TTestCase[] = referenceCases('pairedTTest');
  for (const c of cases) {
    const r = pairedTTest(c.x, c.y, { alternative: c.alternative, confidenceLevel: c.confidenceLevel });
    const label = `${c.name} ${c.alternative} ${c.confidenceLevel}`;
    assertClose(r.t, c.t, `${label} t`);
    assertClose(r.df, c.df, `${label} df`);
    assertClose(r.pValue, c.pValue, `${label} p`);
    assertClose(r.confidenceInterval.lower, c.lower, `${label} lower`);
    assertClose(r.confidenceInterval.upper, c.upper, `${label} upper`);
  }
});
