// The paper's own numbers (Appendix J): Table 10 (Spearman over N = 10 experts) and Table 11
// (Wilcoxon over five paired epochs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spearman, wilcoxon } from '../../src/stats';
import { assertClose, referenceCases } from './reference';
import type { RefNumber } from './reference';

interface Table10Row {
  task: string;
  epoch: number;
  paperRho: number;
  paperP: number;
  x: number[];
  y: number[];
  rho: RefNumber;
  pValue: RefNumber;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

test('Table 10: for N = 10, rho 0.648 gives p 0.043 and rho 0.285 gives p 0.425', () => {
  const rows: Table10Row[] = referenceCases('paperTable10');
  const check = (epoch: number, rho: number, p: number): void => {
    const row = rows.find((r) => r.task === 'MMLU' && r.epoch === epoch)!;
    const r = spearman(row.x, row.y);
    assert.equal(round3(r.rho), rho);
    assert.equal(round3(r.pValue), p);
  };
  check(2, 0.648, 0.043);
  check(1, 0.285, 0.425);
});

test('Table 10: every reported (rho, p) pair is reproduced by an untied ranking of 10 experts', () => {
  const rows: Table10Row[] = referenceCases('paperTable10');
  assert.equal(rows.length, 15);
  for (const row of rows) {
    const r = spearman(row.x, row.y);
    const label = `${row.task} epoch ${row.epoch}`;
    assertClose(r.rho, row.rho, `${label} rho vs scipy`);
    assertClose(r.pValue, row.pValue, `${label} p vs scipy`);
    // the paper's data may contain ties, which an untied ranking can only approximate
    assert.ok(Math.abs(r.rho - row.paperRho) <= 0.0015, `${label}: rho ${r.rho} vs paper ${row.paperRho}`);
    assert.ok(Math.abs(r.pValue - row.paperP) <= 0.002, `${label}: p ${r.pValue} vs paper ${row.paperP}`);
  }
});

test('Table 11: five paired epochs that all differ the same way give Wilcoxon p = 0.0625', () => {
  const intrinsic = [1.12, 1.91, 1.47, 0.93, 1.46]; // routing KL when masking the intrinsic-top expert
  const frequent = [0.05, 0.31, 0.12, 0.02, 0.08]; // ... the most frequently routed expert
  const r = wilcoxon(intrinsic, frequent);
  assert.equal(r.method, 'exact');
  assert.equal(r.statistic, 0);
  assert.equal(r.pValue, 0.0625);
  assert.equal(wilcoxon(frequent, intrinsic).pValue, 0.0625);
});

test("Table 11: one epoch reversed at the middle rank gives MMLU's Wilcoxon p = 0.3125", () => {
  const intrinsic = [2.9, 2.1, 1.8, 2.6, 2.4];
  const frequent = [0.2, 3.9, 0.9, 1.0, 0.5]; // differences 2.7, -1.8, 0.9, 1.6, 1.9: R- = 3
  const r = wilcoxon(intrinsic, frequent);
  assert.ok(Math.abs(r.statistic - 3) < 1e-12);
  assert.ok(Math.abs(r.pValue - 0.3125) < 1e-12);
});
