/** Recovery scores on hand-built summaries: ranks, the divergence verdict and its guards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedOverEpochs } from '../../src/probes/masking';
import { ablationRecovery, centralizationRecovery, perturbationRecovery, divergenceRecovery, divergenceVerdict, maskingRecovery, rankOf, structureRecovery, taskTruthOf } from '../../src/probes/recovery';

const ids = ['E1', 'E2', 'E3', 'E4'];

test('ranks of the planted hub and critical expert', () => {
  assert.equal(rankOf('E3', [0.1, 0.5, 0.9, 0.2], ids), 1);
  assert.equal(rankOf('E1', [0.1, 0.5, 0.9, 0.2], ids), 4);
  assert.equal(rankOf('E2', [0.5, 0.5, 0.1, 0.2], ids), 1); // a tie shares the best rank
  assert.throws(() => rankOf('E9', [1, 2, 3, 4], ids), /'E9' is not among/);
  const truth = taskTruthOf(
    { expected: { gsm8k: { hub: 'E1', critical: 'E3', divergence: true } }, perTask: { gsm8k: { usage: { E1: 0.6, E2: 0.2, E3: 0.1, E4: 0.1 }, necessity: { E1: 0, E2: 0.01, E3: 0.2, E4: 0 } } } },
    'gsm8k',
  );
  const r = structureRecovery({ relational: [3, 1, 0.5, 0.2], intrinsic: [0.1, 0.2, 0.9, 0.05], usage: [10, 3, 1, 0] }, truth, ids);
  assert.equal(r.hubRankByRelational, 1);
  assert.equal(r.hubRankByUsage, 1);
  assert.equal(r.criticalRankByIntrinsic, 1);
  assert.equal(r.criticalRankByRelational, 3);
  assert.ok(r.usageVsRelational && r.usageVsRelational.rho > 0.9);
  assert.throws(() => taskTruthOf({ expected: {} }, 'mmlu'), /no task 'mmlu'/);
});

test('the divergence verdict needs stable, different tops and a significant masking difference', () => {
  const truth = { hub: 'E1', critical: 'E3', divergence: true };
  const epochs = [1, 2, 3, 4, 5];
  const stable = epochs.map(() => ({ intrinsic: [0.1, 0.2, 0.9, 0.05], relational: [3, 1, 0.5, 0.2] }));
  const strong = pairedOverEpochs('gsm8k', 'klRouting', 'top-intrinsic', 'top-relational', epochs, [1.1, 1.9, 1.2, 1.6, 1.4], [0.1, 0.3, 0.05, 0.2, 0.15]);
  const v = divergenceVerdict(stable, strong, ids);
  assert.equal(v.reported, true, v.reason);
  assert.deepEqual(divergenceRecovery(v, truth), { planted: true, reported: true, correct: true, identifiedCritical: true, identifiedHub: true });
  // the null preset's symptom: the top-intrinsic expert wanders between epochs
  const wandering = epochs.map((e) => ({ intrinsic: ids.map((_, i) => (i === e % 4 ? 1 : 0.1)), relational: [3, 1, 0.5, 0.2] }));
  const w = divergenceVerdict(wandering, strong, ids);
  assert.equal(w.reported, false);
  assert.match(w.reason, /changes between epochs/);
  assert.equal(divergenceRecovery(w, { hub: 'E1', critical: null, divergence: false }).correct, true);
  // no significant masking difference
  const weak = pairedOverEpochs('gsm8k', 'klRouting', 'top-intrinsic', 'top-relational', epochs, [1, 2, 1, 2, 1], [2, 1, 2, 1, 1.5]);
  assert.equal(divergenceVerdict(stable, weak, ids).reported, false);
  // the same expert on top of both
  const same = epochs.map(() => ({ intrinsic: [0.9, 0.2, 0.1, 0.05], relational: [3, 1, 0.5, 0.2] }));
  assert.match(divergenceVerdict(same, strong, ids).reason, /tops both/);
});

test('centralization, masking and ablation recovery', () => {
  const c = centralizationRecovery(
    { homogeneous: { giniIncoming: 0.6, collabEntropy: 1.0 }, heterogeneous: { giniIncoming: 0.3, collabEntropy: 1.5 } },
    { homogeneous: { gini: 0.5, confidence: 0.8 }, heterogeneous: { gini: 0.2, confidence: 0.4 } },
  );
  assert.equal(c.giniAgrees, true);
  assert.equal(c.confidenceAgrees, true);
  const m = maskingRecovery(
    [
      { maskedExpert: 'E1', accuracyChange: -0.05 },
      { maskedExpert: 'E2', accuracyChange: 0 },
      { maskedExpert: 'E3', accuracyChange: -0.3 },
      { maskedExpert: 'E4', accuracyChange: -0.01 },
    ],
    { hub: 'E1', critical: 'E3', divergence: true, necessity: { E1: 0.05, E2: 0, E3: 0.3, E4: 0.02 } },
  );
  assert.equal(m.mostCostly, 'E3');
  assert.equal(m.criticalIsMostCostly, true);
  assert.ok(Math.abs(m.spearman!.rho - 1) < 1e-12);
  const a = ablationRecovery([
    { ablation: 'full', accuracy: 0.8 },
    { ablation: 'uniform', accuracy: 0.4 },
    { ablation: 'static-sequence', accuracy: 0.5 },
  ]);
  assert.equal(a.fullBeatsUniform, true);
  assert.ok(Math.abs(a.margins['static-sequence'] - 0.3) < 1e-12);
});

test('perturbation recovery: measured ranking by sequence KL against the planted ranking', () => {
  const rows = [
    { perturbation: 'shuffle-sentences', klSequence: 0.01 },
    { perturbation: 'remove-numbers', klSequence: 0.3 },
    { perturbation: 'mask-numbers', klSequence: 0.2 },
    { perturbation: 'remove-reasoning-cues', klSequence: 0.05 },
  ];
  const r = perturbationRecovery(rows, ['remove-numbers', 'mask-numbers', 'remove-reasoning-cues', 'shuffle-sentences']);
  assert.deepEqual(r.measuredRanking, ['remove-numbers', 'mask-numbers', 'remove-reasoning-cues', 'shuffle-sentences']);
  assert.equal(r.topAgrees, true);
  assert.ok(Math.abs(r.spearman!.rho - 1) < 1e-12);
  assert.equal(perturbationRecovery(rows, ['shuffle-sentences', 'remove-numbers']).topAgrees, false);
});
