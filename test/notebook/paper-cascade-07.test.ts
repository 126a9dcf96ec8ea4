import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyLossPerItem, cascadeRecovery, cascadeTruthOf } from '../../src/notebook/paper-findings-07';
import { cascadeProbe, type CascadeItem } from '../../src/probes/cascade';

// 25 items where E0 is confident and right (and so would E1 be), 20 where only E1 is confident and
// right while E2, the last, is wrong: E0 stops most often, but skipping E1 costs 20/45 accuracy.
function misaligned(): CascadeItem[] {
  const a = Array.from({ length: 25 }, (_, i): CascadeItem => ({ id: `a${i}`, task: 'gsm8k', entropies: [0.3, 0.3, 0.9], correct: [1, 1, 0] }));
  const b = Array.from({ length: 20 }, (_, i): CascadeItem => ({ id: `b${i}`, task: 'gsm8k', entropies: [0.9, 0.3, 0.9], correct: [0, 1, 0] }));
  return [...a, ...b];
}

function read(items: CascadeItem[]) {
  const { settings, summaries } = cascadeProbe(items, { thresholds: [0.5, 0.5, 0.5] });
  return { items, settings, summaries, expertIds: ['E0', 'E1', 'E2'], truth: null };
}

test('cascadeRecovery: the most-stopping expert and the decisive one differ, and the difference is significant', () => {
  const r = cascadeRecovery(read(misaligned()), 'all');
  assert.equal(r.measuredMostStopping, 'E0');
  assert.equal(r.measuredDecisive, 'E1');
  assert.ok(r.decisiveVsStoppingP !== null && r.decisiveVsStoppingP < 1e-6, `p = ${r.decisiveVsStoppingP}`);
  assert.equal(r.misalignmentReported, true);
  assert.equal(r.plantedMisalignment, null);
  assert.equal(r.misalignmentCorrect, null);
});

test('cascadeRecovery: exchangeable experts (the first always stops; each answers the same, so skipping one costs nothing) report no misalignment', () => {
  const items = Array.from({ length: 30 }, (_, i): CascadeItem => ({ id: `x${i}`, task: 'mmlu', entropies: [0.2, 0.45, 0.7].map((h) => h + 0.01 * (i % 5)), correct: [i % 2, i % 2, i % 2] }));
  const r = cascadeRecovery(read(items), 'mmlu');
  assert.equal(r.measuredMostStopping, 'E0');
  assert.equal(r.misalignmentReported, false);
  assert.throws(() => cascadeRecovery(read(items), 'humaneval'), /no summary for task 'humaneval'/);
});

test('accuracyLossPerItem sums to the probe accuracy lost when the expert is skipped', () => {
  const run = read(misaligned());
  const s = run.summaries.find((x) => x.task === 'all')!;
  for (let k = 0; k < 3; k++) {
    const loss = accuracyLossPerItem(run.items, run.settings, k);
    assert.ok(Math.abs(loss.reduce((a, b) => a + b, 0) / loss.length - (s.accuracy - s.maskedAccuracy[k])) < 1e-12);
  }
});

test('cascadeTruthOf: the cascade preset plants C1 most stopping and C2 decisive, pooled by items; the null preset has no cascade truth', () => {
  const t = cascadeTruthOf('cascade', { gsm8k: 10, mmlu: 30 }, 0.5)!;
  assert.deepEqual(Object.keys(t), ['gsm8k', 'mmlu', 'all']);
  assert.equal(t.all.mostStopping, 'C1');
  assert.equal(t.all.decisive, 'C2');
  const pooled = 0.25 * t.gsm8k.stopShare.C2 + 0.75 * t.mmlu.stopShare.C2;
  assert.ok(Math.abs(t.all.stopShare.C2 - pooled) < 1e-12);
  assert.equal(cascadeTruthOf('null', { gsm8k: 10 }, 0.5), null);
  assert.equal(cascadeTruthOf('data/consortia/heterogeneous.yaml', { gsm8k: 10 }, 0.5), null);
});
