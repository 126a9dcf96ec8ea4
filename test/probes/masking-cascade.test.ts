/** Masking KL, the paired epoch comparison, the cascade and the ablations, against hand values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend } from '../../src/orchestrator/backend';
import { resolveModelConfig } from '../../src/orchestrator/config';
import { createModel } from '../../src/orchestrator/model';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { ablationProbe, uniformCollab } from '../../src/probes/ablations';
import { cascadeProbe, hardStop, stoppingDistribution } from '../../src/probes/cascade';
import { itemMaskingKl, klOf, maskingProbe, pairedOverEpochs } from '../../src/probes/masking';
import { readRouting } from '../../src/probes/routing-read';
import { structureProbe } from '../../src/probes/structure';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);

test('KL after masking a known expert: pure removal is 0 conditional, -log(1 - b_k) raw', () => {
  const baseS = [0.5, 0.25, 0.25];
  const baseC = [
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ];
  // Expert 0 masked and its mass shared out pro rata: nothing else changed.
  const prorata = itemMaskingKl(baseS, [0, 0.5, 0.5], baseC, [[0, 0, 0], [0, 0, 1], [0, 1, 0]], [0]);
  close(prorata.klSequence, 0);
  close(prorata.klRouting, 0);
  close(prorata.rawKlSequence, Math.log(2)); // -log(1 - 0.5)
  close(prorata.rawKlRouting, Math.log(2)); // each remaining row lost half its mass
  close(prorata.removedSequenceMass, 0.5);
  // Masking also moved the rest: s goes to (0, .75, .25): KL((.5,.5) || (.75,.25)) = .5 ln(2/3) + .5 ln 2
  const moved = itemMaskingKl(baseS, [0, 0.75, 0.25], baseC, [[0, 0, 0], [0, 0, 1], [0, 1, 0]], [0]);
  close(moved.klSequence, 0.5 * Math.log(2 / 3) + 0.5 * Math.log(2));
  close(klOf([1, 0], [0.5, 0.5]), Math.log(2));
  // both arguments are normalised first, as scipy.stats.entropy(pk, qk) does (values from scipy 1.17.1)
  close(klOf([1, 1], [2, 6]), 0.14384103622589045, 1e-15);
  close(klOf([0.2, 0.3, 0.5], [3, 1, 1]), 0.3600624406359049, 1e-15);
  // A row (or s) whose whole baseline mass sat on the masked expert has no conditional reading:
  // it is left out (it used to throw 'a distribution has no mass' and stop the probe pass).
  const sharp = itemMaskingKl([1, 0, 0], [0, 0.5, 0.5], [[0, 1, 0], [1, 0, 0], [1, 0, 0]], [[0, 0, 0], [0, 0, 1], [0, 0.25, 0.75]], [0]);
  assert.ok(Number.isNaN(sharp.klSequence));
  assert.ok(Number.isNaN(sharp.klRouting)); // rows 1 and 2 both sent everything to expert 0
  close(sharp.rawKlSequence, Math.log(0.5 / 1e-12), 1e-9); // q floored at 1e-12 where b had no mass
  const partly = itemMaskingKl([0.5, 0.25, 0.25], [0, 0.5, 0.5], [[0, 0.5, 0.5], [1, 0, 0], [0.5, 0.5, 0]], [[0, 0, 0], [0, 0, 1], [0, 1, 0]], [0]);
  close(partly.klRouting, 0); // row 1 left out, row 2 renormalises exactly
});

test('paired comparison over epochs: five epochs all in one direction give the Table 11 Wilcoxon p = 0.0625', () => {
  const r = pairedOverEpochs('gsm8k', 'klRouting', 'critical', 'hub', [1, 2, 3, 4, 5], [1.1, 1.9, 1.2, 1.6, 1.4], [0.1, 0.3, 0.05, 0.2, 0.15]);
  close(r.wilcoxonP!, 0.0625, 1e-12);
  assert.ok(r.tTestP! < 0.01);
  const same = pairedOverEpochs('gsm8k', 'klRouting', 'a', 'b', [1, 2], [1, 2], [1, 2]);
  assert.equal(same.wilcoxonP, null);
  assert.match(same.note ?? '', /wilcoxon/);
});

test("the cascade's stopping distribution and d p_stop / d H on a two-expert cascade", () => {
  const s = { order: [0, 1], thresholds: [1, 1], temperature: 0.5 };
  const a = stoppingDistribution([1, 2], s); // sigma_1 = sigmoid(0) = 1/2
  close(a.pStop[0], 0.5);
  close(a.pStop[1], 0.5);
  close(a.dStopdH[0], -0.5); // -sigma (1 - sigma) / T = -0.25 / 0.5
  close(a.dStopdH[1], 0); // the last expert always answers when reached
  const b = stoppingDistribution([0.5, 2], s); // sigma_1 = sigmoid(1)
  const sig = 1 / (1 + Math.exp(-1));
  close(b.pStop[0], sig);
  close(b.dStopdH[0], (-sig * (1 - sig)) / 0.5);
  // finite differences of p_stop(0) in H_0
  const eps = 1e-6;
  close((stoppingDistribution([0.5 + eps, 2], s).pStop[0] - stoppingDistribution([0.5 - eps, 2], s).pStop[0]) / (2 * eps), b.dStopdH[0], 1e-8);
  // reversed order: expert 1 asked first
  const r = stoppingDistribution([0.5, 2], { ...s, order: [1, 0] }); // sigma for expert 1 = sigmoid(-2)
  close(r.pStop[1], 1 / (1 + Math.exp(2)));
  close(r.pStop[0], 1 - 1 / (1 + Math.exp(2)));
  // three experts: the middle one's derivative carries the chance of reaching it, 1 - sigma_0
  const s3 = { order: [0, 1, 2], thresholds: [1, 1, 1], temperature: 0.5 };
  const c = stoppingDistribution([0.5, 1.5, 3], s3); // sigma_0 = sigmoid(1), sigma_1 = sigmoid(-1) = 1 - sigma_0
  close(c.pStop[0], sig);
  close(c.pStop[1], (1 - sig) * (1 - sig));
  close(c.pStop[2], (1 - sig) * sig);
  close(c.dStopdH[1], (-(1 - sig) * sig / 0.5) * (1 - sig));
  close(c.dStopdH[2], 0);
  close((stoppingDistribution([0.5, 1.5 + eps, 3], s3).pStop[1] - stoppingDistribution([0.5, 1.5 - eps, 3], s3).pStop[1]) / (2 * eps), c.dStopdH[1], 1e-8);
  assert.equal(hardStop([0.5, 2], s), 0);
  assert.equal(hardStop([1.5, 2], s), 1);

  const items = [
    { id: 'a', task: 't', entropies: [1, 2], correct: [1, 0] },
    { id: 'b', task: 't', entropies: [0.5, 2], correct: [0, 1] },
  ];
  const { summaries } = cascadeProbe(items, s);
  const all = summaries.find((x) => x.task === 'all')!;
  close(all.intrinsic[0], (0.5 + sig * (1 - sig) / 0.5) / 2);
  close(all.intrinsic[1], 0);
  // skipping expert 0 leaves expert 1 answering always: KL((0,1) || p) = -log p_stop(1)
  close(all.maskKl[0], (-Math.log(0.5) - Math.log(1 - sig)) / 2);
  close(all.maskKlConditional[0], 0);
  assert.deepEqual(all.stopFrequency, [0.5, 0.5]); // item a: H_0 = 1 is not below 1; item b stops at 0
  close(all.accuracy, 0); // a ends at expert 1 (wrong), b at expert 0 (wrong)
  close(all.maskedAccuracy[0], 0.5);
  assert.throws(() => cascadeProbe([{ id: 'x', task: 't', entropies: [1, -1], correct: [0, 0] }], s), /item 0 \('x'\) entropies\[1\] = -1/);
});

test('masking and ablations on a tiny model without backbone: rows only renormalise, the static sequence is run as given', async () => {
  await ensureBackend();
  const cfg = resolveModelConfig({ inputDim: 12, nExperts: 4, hidden: 8, heads: 2, backbone: false, dropout: 0 });
  const model = createModel(cfg, 3);
  const ds = syntheticRoutingDataset({ seed: 3, nItems: 8, nExperts: 4, dim: 12, nDomains: 2 });
  const ids = ds.expertIds;
  const base = structureProbe(model, ds.items, ids);
  const [mask] = (await maskingProbe(model, ds.items, base, { kind: 'index', expert: 2 })).filter((m) => m.task === 'all');
  // Without a backbone h does not depend on the other experts: masking expert 2 only renormalises
  // every other row of C, so the conditional routing KL is 0 and the raw one is not.
  close(mask.klRouting, 0, 1e-6);
  assert.ok(mask.rawKlRouting > 0.01);
  // s(x) does change beyond renormalisation: the connectivity of every expert lost expert 2's column and row
  assert.ok(mask.klSequence > 1e-6);
  const ab = await ablationProbe(model, ds.items);
  // no consortium here: the accuracies are the labelled data fallback
  assert.equal(mask.accuracySource, 'data');
  assert.ok(ab.every((a) => a.accuracySource === 'data'));
  const seq = ab.find((a) => a.ablation === 'static-sequence' && a.task === 'all')!;
  assert.equal(seq.avgCalls, 3);
  assert.deepEqual(seq.usage, [8, 8, 8, 0]);
  // the ablation no longer reads the model for it: a forced sequence read through the model gives the same chains
  assert.ok(readRouting(model, ds.items, { forcedPrefix: [0, 1, 2], maxSteps: 4 }).chains.every((c) => c.slice(0, 3).join() === '0,1,2'));
  close(seq.giniUsage, 0.25); // (0, 8, 8, 8): (-3*0 - 1*8 + 1*8 + 3*8) / (4 * 24)
  const full = ab.find((a) => a.ablation === 'full' && a.task === 'all')!;
  close(full.avgCalls, base.summaries.find((s) => s.task === 'all')!.avgCalls);
  assert.deepEqual(uniformCollab(3), [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]);
  assert.equal(ab.filter((a) => a.task === 'all').length, 6);
});

test('cascade: a baseline stop distribution with all its mass on the masked expert has no conditional KL (left out, counted), as scipy.stats.entropy gives nan for a zero-mass pk', () => {
  // T = 0.01: z = (theta - H) / T = +-1000, so sigma is exactly 1 or 0 in float64.
  const s = { order: [0, 1, 2], thresholds: [10, 10, 10], temperature: 0.01 };
  const items = [
    { id: 'first', task: 't', entropies: [0, 20, 20], correct: [1, 0, 1] }, // expert 0 stops: p_stop = (1, 0, 0)
    { id: 'last', task: 't', entropies: [20, 20, 20], correct: [0, 0, 1] }, // nobody stops early: p_stop = (0, 0, 1)
    { id: 'mid', task: 't', entropies: [20, 0, 20], correct: [0, 1, 0] }, // p_stop = (0, 1, 0)
  ];
  assert.deepEqual(stoppingDistribution(items[0].entropies, s).pStop, [1, 0, 0]);
  assert.deepEqual(stoppingDistribution(items[1].entropies, s).pStop, [0, 0, 1]);
  const all = cascadeProbe(items, s).summaries.find((x) => x.task === 'all')!;
  // Masking expert 0: only item 'first' put all its mass there; the other two keep (0,0,1) and (0,1,0)
  // unchanged once expert 0 is skipped, so their conditional KL is 0 and 'first' is left out.
  assert.deepEqual(all.itemsWithoutConditional, [1, 1, 1]);
  close(all.maskKlConditional[0], 0);
  close(all.maskKlConditional[1], 0);
  close(all.maskKlConditional[2], 0);
  // Raw KL(masked || baseline): 'first' masked at 0 stops at expert 2 (H_1 = 20), where the baseline
  // has exactly 0: q is floored at 1e-12 (scipy gives inf), so the mean is ln(1e12) / 3.
  close(all.maskKl[0], Math.log(1e12) / 3, 1e-9);
  // the accuracy with expert 0 skipped: 'first' ends at expert 2 (correct), 'last' at 2 (correct), 'mid' at 1 (correct)
  close(all.maskedAccuracy[0], 1);
  // every item's whole mass on the masked expert: no conditional reading at all -> NaN, all counted
  const only = cascadeProbe([items[1]], s).summaries.find((x) => x.task === 'all')!;
  assert.ok(Number.isNaN(only.maskKlConditional[2]));
  assert.equal(only.itemsWithoutConditional[2], 1);
  assert.equal(only.itemsWithoutConditional[0], 0);
  // scipy.stats.entropy([0, 0], [0.5, 0.5]) is nan: a zero-mass distribution has no KL
  assert.ok(Number.isNaN(klOf([0, 0], [0.5, 0.5])));
  assert.ok(Number.isNaN(klOf([0.5, 0.5], [0, 0])));
});
