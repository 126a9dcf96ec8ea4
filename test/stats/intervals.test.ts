// t-based and bootstrap confidence intervals against scipy.stats.t.interval / scipy.stats.bootstrap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapConfidenceInterval,
  bootstrapDistribution,
  bootstrapInterval,
  mean,
  median,
  tConfidenceInterval,
} from '../../src/stats';
import type { SampleStatistic } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

test('tConfidenceInterval matches scipy.stats.t.interval(level, n-1, mean, sem)', () => {
  const cases: { values: number[]; level: number; mean: RefNumber; lower: RefNumber; upper: RefNumber }[] =
    referenceCases('tConfidenceInterval');
  for (const c of cases) {
    const ci = tConfidenceInterval(c.values, { level: c.level });
    const label = `n=${c.values.length} level=${c.level}`;
    assertClose(ci.mean, c.mean, `${label} mean`);
    assertClose(ci.lower, c.lower, `${label} lower`);
    assertClose(ci.upper, c.upper, `${label} upper`);
  }
});

interface BootstrapCase {
  name: string;
  statistic: 'mean' | 'median';
  data: number[];
  distribution: number[];
  standardError: RefNumber;
  intervals: { method: 'bca' | 'percentile'; level: number; lower: RefNumber; upper: RefNumber }[];
}

const statistics: Record<BootstrapCase['statistic'], SampleStatistic> = {
  mean: (s) => mean([...s]),
  median: (s) => median([...s]),
};

test("bootstrapInterval reproduces scipy.stats.bootstrap's BCa and percentile intervals from scipy's own resamples", () => {
  const cases: BootstrapCase[] = referenceCases('bootstrap');
  for (const c of cases) {
    assert.ok(c.intervals.length > 0, `${c.name}: no intervals to compare`);
    for (const iv of c.intervals) {
      const r = bootstrapInterval(c.data, c.distribution, { statistic: statistics[c.statistic], level: iv.level, method: iv.method });
      const label = `${c.name} ${iv.method} ${iv.level}`;
      assertClose(r.lower, iv.lower, `${label} lower`);
      assertClose(r.upper, iv.upper, `${label} upper`);
      assertClose(r.standardError, c.standardError, `${label} standard error`);
    }
  }
});

test('bootstrapConfidenceInterval is reproducible per seed and lands near scipy on its own resamples', () => {
  const c = (referenceCases('bootstrap') as BootstrapCase[])[0];
  const opts = { statistic: statistics.mean, resamples: 4000 };
  const a = bootstrapConfidenceInterval(c.data, { ...opts, seed: 1 });
  const b = bootstrapConfidenceInterval(c.data, { ...opts, seed: 1 });
  const other = bootstrapConfidenceInterval(c.data, { ...opts, seed: 2 });
  assert.deepEqual(a, b);
  assert.notEqual(a.lower, other.lower);
  // different random draws than numpy, so only Monte Carlo agreement: within 10% of the width
  const scipy = c.intervals.find((iv) => iv.method === 'bca' && iv.level === 0.95)!;
  const width = (scipy.upper as number) - (scipy.lower as number);
  assert.ok(Math.abs(a.lower - (scipy.lower as number)) < 0.1 * width, `lower ${a.lower} vs scipy ${scipy.lower}`);
  assert.ok(Math.abs(a.upper - (scipy.upper as number)) < 0.1 * width, `upper ${a.upper} vs scipy ${scipy.upper}`);
});

test('bootstrapDistribution resamples with replacement from the data only', () => {
  const data = [1, 2, 3, 10];
  const maxima = bootstrapDistribution(data, (s) => Math.max(...s), 500, 3);
  assert.equal(maxima.length, 500);
  assert.ok(maxima.every((v) => data.includes(v)));
  // P(10 never drawn in 4 draws) = (3/4)^4 ~ 0.32: both outcomes must occur
  assert.ok(maxima.some((v) => v === 10) && maxima.some((v) => v !== 10));
});
