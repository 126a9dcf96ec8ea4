/**
 * Recovery scores of notebooks 04-06 (src/notebook/paper-recovery.ts) and the pure helpers of
 * their findings: each verdict flips when the measured or planted side flips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ablationRecovery, centralizationRecovery, directionOf, maskedExpertRecovery, necessityOrderRecovered } from '../../src/notebook/paper-recovery';
import { settleEpoch } from '../../src/notebook/paper-findings-04';
import { presetTruth } from '../../src/experts/simulated/presets';

test('directionOf: order, tolerance and non-finite input', () => {
  assert.equal(directionOf(0.5, 0.3), 'a>b');
  assert.equal(directionOf(0.3, 0.5), 'a<b');
  assert.equal(directionOf(0.5, 0.49, 0.02), 'equal');
  assert.throws(() => directionOf(Number.NaN, 1), /finite/);
});

test('centralizationRecovery: planted order read back, or not; higher confidence = lower entropy', () => {
  const planted = { a: { gini: 0.45, confidence: 0.22 }, b: { gini: 0.77, confidence: 0.61 } };
  const good = centralizationRecovery(planted, { a: { gini: 0.3, collabEntropy: 1.9 }, b: { gini: 0.5, collabEntropy: 1.2 } });
  assert.deepEqual([good.plantedGini, good.measuredGini, good.giniRecovered], ['a<b', 'a<b', true]);
  assert.deepEqual([good.plantedConfidence, good.measuredConfidence, good.confidenceRecovered], ['a<b', 'a<b', true]);
  const bad = centralizationRecovery(planted, { a: { gini: 0.5, collabEntropy: 1.0 }, b: { gini: 0.3, collabEntropy: 1.5 } });
  assert.equal(bad.giniRecovered, false);
  assert.equal(bad.confidenceRecovered, false);
  // a measured gap of 0.005 nats is no order
  const tiny = centralizationRecovery(planted, { a: { gini: 0.3, collabEntropy: 2.197 }, b: { gini: 0.5, collabEntropy: 2.192 } });
  assert.equal(tiny.measuredConfidence, 'equal');
  assert.equal(tiny.confidenceRecovered, false);
  // no planted difference: nothing to recover, whatever was measured
  const flat = centralizationRecovery({ a: { gini: 0, confidence: 0.01 }, b: { gini: 0.005, confidence: 0.012 } }, { a: { gini: 0.1, collabEntropy: 2 }, b: { gini: 0.3, collabEntropy: 1 } });
  assert.equal(flat.plantedGini, 'equal');
  assert.equal(flat.giniRecovered, false);
});

test('centralizationRecovery on the simulated presets: heterogeneous is planted more centralized and confident than homogeneous', () => {
  const a = presetTruth('homogeneous').perTask.gsm8k;
  const b = presetTruth('heterogeneous').perTask.gsm8k;
  const r = centralizationRecovery({ a, b }, { a: { gini: 0.2, collabEntropy: 2 }, b: { gini: 0.4, collabEntropy: 1 } });
  assert.equal(r.plantedGini, 'a<b');
  assert.equal(r.plantedConfidence, 'a<b');
  assert.ok(r.giniRecovered && r.confidenceRecovered);
});

test('maskedExpertRecovery: a necessary expert needs a significant drop, an unnecessary one none', () => {
  assert.equal(maskedExpertRecovery('E7', 0.09, -0.12, 0.01).recovered, true);
  assert.equal(maskedExpertRecovery('E7', 0.09, -0.12, 0.2).recovered, false, 'not significant');
  assert.equal(maskedExpertRecovery('E7', 0.09, 0.05, 0.01).recovered, false, 'accuracy rose');
  assert.equal(maskedExpertRecovery('E1', 0.003, -0.01, 0.6).recovered, true);
  assert.equal(maskedExpertRecovery('E1', 0.003, -0.13, 0.04).recovered, false, 'a drop where none is planted');
  assert.equal(maskedExpertRecovery('E1', 0.003, -0.13, null).measuredDrop, false, 'no p-value, no drop claimed');
});

test('necessityOrderRecovered: the more necessary expert must cost more; equal necessity plants no order', () => {
  assert.equal(necessityOrderRecovered({ necessity: 0.09, accuracyChange: -0.1 }, { necessity: 0.003, accuracyChange: -0.02 }), true);
  assert.equal(necessityOrderRecovered({ necessity: 0.09, accuracyChange: 0.02 }, { necessity: 0.003, accuracyChange: -0.13 }), false);
  assert.equal(necessityOrderRecovered({ necessity: 0.01, accuracyChange: -0.1 }, { necessity: 0.0, accuracyChange: 0 }), null);
});

test('ablationRecovery: headroom from planted solo accuracies; exchangeable experts expect no gain', () => {
  const hub = ablationRecovery('uniform', [0.52, 0.3, 0.3, 0.3], 0.08, 0.01);
  assert.ok(Math.abs(hub.plantedHeadroom - 0.165) < 1e-9);
  assert.equal(hub.plantedRoutingMatters, true);
  assert.equal(hub.recovered, true);
  assert.equal(ablationRecovery('uniform', [0.52, 0.3, 0.3, 0.3], -0.02, 0.5).recovered, false);
  const exch = ablationRecovery('uniform', [0.56, 0.56, 0.56], 0.01, 0.7);
  assert.equal(exch.plantedRoutingMatters, false);
  assert.equal(exch.recovered, true);
  assert.equal(ablationRecovery('uniform', [0.56, 0.56, 0.56], 0.1, 0.001).recovered, false, 'a gain on exchangeable experts is an artefact');
  assert.throws(() => ablationRecovery('uniform', [], 0, null), /no planted solo/);
});

test('settleEpoch: first epoch with 80% of the total change, either direction; flat series settle last', () => {
  assert.equal(settleEpoch([0, 1, 2, 3], [0, 0.5, 0.85, 1]), 2);
  assert.equal(settleEpoch([0, 1, 2, 3], [2, 1.2, 1.1, 1.0]), 1);
  assert.equal(settleEpoch([0, 1, 2], [1, 1, 1]), 2);
});
