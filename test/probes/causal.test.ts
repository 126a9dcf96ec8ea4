/**
 * Causal importance (src/probes/causal.ts): every expert masked in turn. On a model that routes by
 * one expert's answer it ranks that expert first, and each value is masking.ts's own reading; the
 * causal verdict (causal importance against usage, paired over epochs) on hand-built epochs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend } from '../../src/orchestrator/backend';
import { disposeModel } from '../../src/orchestrator/model';
import { causalEpochs, causalSummaries, causalVerdict, type CausalEpoch } from '../../src/probes/causal';
import { maskingProbe, maskingProbes, type MaskingSummary } from '../../src/probes/masking';
import { structureProbe } from '../../src/probes/structure';
import { hiddenBitReader } from '../orchestrator/hidden-bit';

test("on a model that routes by one expert's answer, causal importance ranks that expert first, with masking's own values", async () => {
  await ensureBackend();
  // hidden-bit data: only E1's answer tells whether E2 or E3 should follow it (test/orchestrator/hidden-bit.ts)
  const r = await hiddenBitReader();
  const { dataset, recipe, items } = r;
  try {
    const opts = { maxSteps: recipe.infer.maxSteps };
    const base = structureProbe(r.model, items, dataset.expertIds, opts);
    const N = dataset.expertIds.length;
    const masking = await maskingProbes(r.model, items, base, Array.from({ length: N }, (_, expert) => ({ kind: 'index' as const, expert })), opts);
    const [c] = causalSummaries(masking, N).filter((s) => s.task === 'bits');
    console.log(`causal (routing KL when masked) ${c.klRouting.map((x) => x.toExponential(2)).join(' ')}; accuracy change ${c.accuracyChange.map((x) => x.toFixed(3)).join(' ')}`);
    const others = Math.max(...c.klRouting.slice(1));
    assert.ok(c.klRouting[0] > 2 * others, `E1 ${c.klRouting[0]} should be well above every other expert (max ${others})`);
    assert.ok(c.accuracyChange[0] < -0.2, `masking E1 costs the accuracy its answer brings: ${c.accuracyChange[0]}`);
    // the same reading as masking E2 on its own
    const alone = (await maskingProbe(r.model, items, base, { kind: 'index', expert: 1 }, opts)).find((s) => s.task === 'bits')!;
    assert.equal(c.klRouting[1], alone.klRouting);
    assert.equal(c.accuracyChange[1], alone.accuracyChange);
  } finally {
    disposeModel(r.model);
  }
});

test('causal summaries need every expert masked by index, and say which one is missing', () => {
  const row = (expert: number): MaskingSummary => ({
    task: 'gsm8k', target: `expert-${expert}`, masked: expert, nItems: 5, klSequence: expert, klRouting: 10 * expert, rawKlSequence: 0, rawKlRouting: 0,
    removedSequenceMass: 0, baselineAccuracy: 0.5, maskedAccuracy: 0.5, accuracyChange: 0, accuracySource: 'data', itemsWithoutConditional: 0,
    itemsLost: expert, itemsGained: 2 * expert,
  });
  const [s] = causalSummaries([row(0), row(1), row(2)], 3);
  assert.deepEqual(s.klRouting, [0, 10, 20]);
  assert.deepEqual(s.klSequence, [0, 1, 2]);
  assert.deepEqual(s.itemsLost, [0, 1, 2]);
  assert.deepEqual(s.itemsGained, [0, 2, 4]);
  assert.throws(() => causalSummaries([row(0), row(2)], 3), /no row masking expert 1 for 'gsm8k'/);
});

test('the causal verdict: a stable top-causal expert that is not the most used one, and moves routing more, is a divergence', () => {
  const ids = ['E1', 'E2', 'E3'];
  // E3 tops causal importance in every epoch, E1 usage; masking E3 moves routing more in all 6 epochs,
  // and at the last epoch masking E3 loses 12 items and gains none
  const epochs: CausalEpoch[] = [1, 2, 3, 4, 5, 6].map((epoch) => ({ epoch, causal: [0.01 * epoch, 0.001, 0.1 + 0.02 * epoch], usage: [50, 20, 5], itemsLost: [3, 1, 12], itemsGained: [2, 1, 0] }));
  const { verdict, paired, accuracyTest } = causalVerdict('gsm8k', epochs, ids);
  assert.equal(verdict.reported, true, verdict.reason);
  assert.equal(verdict.topIntrinsic, 'E3');
  assert.equal(verdict.topRelational, 'E1');
  assert.match(verdict.reason, /E3 tops causal importance, E1 usage; masking E3 moves routing more/);
  // 12 of 12 changed items lost: the exact McNemar p is 2 / 2^12
  assert.match(verdict.reason, /masking E3 costs accuracy \(at epoch 6: 12 items lost, 0 gained; exact McNemar p = 0\.000488\)/);
  const { pValue, ...counts } = accuracyTest!;
  assert.deepEqual(counts, { epoch: 6, lost: 12, gained: 0, costs: true });
  assert.ok(Math.abs(pValue - 2 / 4096) < 1e-15, `McNemar p ${pValue}`);
  // six positive differences, all of different size: the exact two-sided Wilcoxon p is 2 / 2^6
  assert.ok(Math.abs(paired!.wilcoxonP! - 2 / 64) < 1e-12, `Wilcoxon p ${paired!.wilcoxonP}`);
  // the same readings, but masking E3 does not cost the last model accuracy beyond chance: no divergence
  for (const [lost, gained] of [[7, 3], [2, 9], [0, 0]]) {
    const atLast = epochs.map((e, i) => (i === epochs.length - 1 ? { ...e, itemsLost: [3, 1, lost], itemsGained: [2, 1, gained] } : e));
    const c = causalVerdict('gsm8k', atLast, ids);
    assert.equal(c.verdict.reported, false, c.verdict.reason);
    assert.equal(c.verdict.topIntrinsic, 'E3');
    assert.equal(c.accuracyTest!.costs, false);
    assert.match(c.verdict.reason, new RegExp(`but masking E3 does not cost accuracy beyond chance \\(at epoch 6: ${lost} items lost, ${gained} gained`));
  }
  // a top that wanders between epochs (exchangeable experts) is no divergence
  const wandering = epochs.map((e, i) => ({ ...e, causal: ids.map((_, k) => (k === i % 3 ? 1 : 0.5)) }));
  assert.match(causalVerdict('gsm8k', wandering, ids).verdict.reason, /the top-causal expert changes between epochs/);
  // the most used expert is also the most causal: nothing diverges
  const same = epochs.map((e) => ({ ...e, causal: [1, 0.1, 0.2] }));
  const s = causalVerdict('gsm8k', same, ids);
  assert.equal(s.verdict.reported, false);
  assert.equal(s.paired, null);
  assert.equal(s.accuracyTest, null, 'not run when another condition failed');
  assert.match(s.verdict.reason, /E1 tops both causal and usage importance/);
  // picked on other items, tested on these: the pair comes from `select`, the test from the epochs given
  const select = epochs.map((e) => ({ ...e, causal: [0.01, 0.5, 0.2] }));
  const held = causalVerdict('gsm8k', epochs, ids, select);
  assert.equal(held.verdict.topIntrinsic, 'E2');
  assert.equal(held.paired!.xName, 'E2');
  assert.deepEqual(held.paired!.x, epochs.map((e) => e.causal[1]));
  assert.equal(held.verdict.reported, false, 'E2 moves routing less than E1 on the tested items');
  assert.match(held.verdict.reason, /masking E2 \(top causal\) moves routing less than masking E1 \(top usage\)/);
  // a tie between two modal tops: the pair tested is the pair the verdict names
  const tied = [1, 2, 3, 4].map((epoch) => ({ epoch, causal: epoch % 2 ? [0, 0.1, 0.9] : [0, 0.9, 0.1], usage: [50, 20, 5], itemsLost: [0, 0, 0], itemsGained: [0, 0, 0] }));
  const t = causalVerdict('gsm8k', tied, ids);
  assert.equal(t.paired!.xName, t.verdict.topIntrinsic);
  assert.equal(t.verdict.topIntrinsic, 'E3', 'ties go to the first seen, as divergenceVerdict reads them');
});

test('causal epochs need the causal and structure readings of the task', () => {
  assert.throws(() => causalEpochs([{ epoch: 1, reused: [], computed: [] }], 'gsm8k'), /epoch 1 has no 'causal' and 'structure' readings for 'gsm8k'/);
  assert.deepEqual(causalEpochs([{ epoch: 0, reused: [], computed: [] }], 'gsm8k'), [], 'epoch 0 (untrained) is left out');
});
