/**
 * Planted truth (issue 9, section 5): every planted fact is data computed from a preset's
 * parameters (change a parameter and the truth changes), and it holds when the simulated experts
 * actually run: solo, pair and ideal-policy accuracies measured with the real graders agree with
 * the computed probabilities within sampling error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChain } from '../../src/experts/chain';
import { itemSubtype } from '../../src/experts/simulated/competence';
import { createSimulatedExpert } from '../../src/experts/simulated/expert';
import { presetTruth, simulatedPresetSpecs } from '../../src/experts/simulated/presets';
import { compareTruths, pairProbability, plantedTruth } from '../../src/experts/simulated/truth';
import type { SimulatedSpec } from '../../src/experts/simulated/spec';
import { gradeResponse, loadTaskItems, type TaskItem } from '../../src/tasks';

const edit = (specs: SimulatedSpec[], id: string, change: Partial<SimulatedSpec>) => specs.map((s) => (s.id === id ? { ...s, ...change } : s));

test('hub-critical: the hub is the most used, the critical expert the most necessary (computed from the parameters)', () => {
  const t = presetTruth('hub-critical');
  for (const task of ['gsm8k', 'mmlu', 'humaneval'] as const) {
    const e = t.expected[task];
    assert.equal(e.hub, 'E1', task);
    assert.equal(e.critical, 'E7', task);
    assert.equal(e.divergence, true);
    const p = t.perTask[task];
    assert.equal(p.frequencyRank[0], 'E1');
    assert.equal(p.necessityRank[0], 'E7');
    assert.ok(p.usage.E7 < p.usage.E1 / 1.5, `E7 is used rarely: ${p.usage.E7} vs ${p.usage.E1}`);
    assert.ok(p.necessity.E1 < 0.01, 'the hub is replaceable (its near-copy E2 takes over)');
    assert.ok(p.idealAccuracy > p.bestPair.p + 0.05 && p.bestPair.p > p.bestSolo.p + 0.1, 'chains beat every solo expert, sub-type routing beats any fixed pair');
    const special = p.ideal.filter((c) => c.subtype !== 'routine');
    assert.deepEqual(special.map((c) => c.best[0].chain).sort(), [['E7', 'E8'], ['E7', 'E9']], 'the critical expert decides the successor per sub-type');
  }
  assert.deepEqual(t.revealers, ['E7']);
  // change a parameter: without the successors' dependency on E7, E7 is no longer critical
  const specs = simulatedPresetSpecs('hub-critical');
  const flat = plantedTruth(specs.map((s) => (s.id === 'E8' || s.id === 'E9' ? { ...s, dependsOn: undefined } : s)));
  assert.notEqual(flat.expected.gsm8k.critical, 'E7');
  assert.ok(flat.perTask.gsm8k.necessity.E7 < 0.02);
  // make the near-copy much weaker: the hub becomes necessary
  const noCopy = plantedTruth(edit(specs, 'E2', { skill: { gsm8k: 0.2, mmlu: 0.2, humaneval: 0.2 } }));
  assert.ok(noCopy.perTask.gsm8k.necessity.E1 > 0.05, `hub necessity without a near-copy: ${noCopy.perTask.gsm8k.necessity.E1}`);
});

test('null preset: exchangeable experts, no hub, no critical expert, no divergence expected; breaking exchangeability changes that', () => {
  const t = presetTruth('null');
  for (const task of ['gsm8k', 'mmlu', 'humaneval'] as const) {
    const p = t.perTask[task];
    assert.equal(t.expected[task].divergence, false);
    assert.equal(t.expected[task].critical, null);
    assert.match(t.expected[task].summary, /no divergence expected/);
    assert.ok(p.gini < 1e-6, `uniform usage: Gini ${p.gini}`);
    assert.ok(Object.values(p.necessity).every((v) => v === 0));
    assert.equal(new Set(Object.values(p.solo)).size, 1);
  }
  assert.deepEqual(t.hubs, []);
  const broken = plantedTruth(edit(simulatedPresetSpecs('null'), 'E3', { skill: { gsm8k: 0.9, mmlu: 0.6, humaneval: 0.55 } }));
  assert.equal(broken.expected.gsm8k.critical, 'E3');
  assert.ok(broken.perTask.gsm8k.gini > 0.3);
});

test('homogeneous vs heterogeneous (Tables 6 and 7): expected centralization and confidence differences come from the ideal policies', () => {
  const cmp = compareTruths(presetTruth('homogeneous'), presetTruth('heterogeneous'));
  for (const c of cmp) {
    assert.ok(c.giniDiff > 0.1, `${c.task}: heterogeneous is more centralized (${c.giniA} -> ${c.giniB})`);
    assert.ok(c.confidenceDiff > 0.1, `${c.task}: and routes more confidently (${c.confidenceA} -> ${c.confidenceB})`);
  }
  // give the heterogeneous experts the homogeneous skills and temperatures: the difference vanishes
  const homo = simulatedPresetSpecs('homogeneous');
  const hetero = simulatedPresetSpecs('heterogeneous').map((s, i) => ({ ...s, skill: homo[i].skill, temperature: homo[i].temperature, noise: homo[i].noise }));
  for (const c of compareTruths(presetTruth('homogeneous'), plantedTruth(hetero))) assert.ok(Math.abs(c.giniDiff) < 1e-6 && Math.abs(c.confidenceDiff) < 1e-6, JSON.stringify(c));
});

test('pairProbability: copy and fix behaviour and the boost enter as planted', () => {
  const specs = simulatedPresetSpecs('hub-critical');
  const [e1, , e3] = specs;
  const noChain = { ...e3, chain: { copy: 0, fix: 0 } };
  // with no copying or fixing and no boost (sub-type backward), the pair is the successor's own chance
  assert.ok(Math.abs(pairProbability(e1, noChain, 'gsm8k', 'backward') - 0.1) < 1e-5);
  // a perfect copier of a right answer and fixer of a wrong one always ends right
  assert.ok(Math.abs(pairProbability(e1, { ...e3, chain: { copy: 1, fix: 1 } }, 'gsm8k') - 1) < 1e-9);
  assert.ok(pairProbability(e1, e3, 'gsm8k') > pairProbability(specs[9], e3, 'gsm8k') + 0.3, 'boost after the hub');
});

// ---- the planted facts hold when the experts actually run (real graders) ----

const items = loadTaskItems({ tasks: ['gsm8k', 'mmlu'], limitPerTask: 400, seed: 1 }).items;
const specs = simulatedPresetSpecs('hub-critical');
const experts = specs.map(createSimulatedExpert);
const truth = presetTruth('hub-critical');

async function chainAccuracy(pool: readonly TaskItem[], orderOf: (item: TaskItem) => string[]): Promise<number> {
  let right = 0;
  for (const item of pool) {
    const r = await runChain(experts, orderOf(item), item);
    if (await gradeResponse(item, r.finalText)) right++;
  }
  return right / pool.length;
}

test('hub-critical run for real: solo, pair and ideal-policy accuracies match the computed truth within 4 SE', { timeout: 600_000 }, async () => {
  for (const task of ['gsm8k', 'mmlu'] as const) {
    const pool = items.filter((i) => i.task === task);
    const p = truth.perTask[task];
    const check = (what: string, measured: number, planted: number) => {
      const se = Math.sqrt((planted * (1 - planted)) / pool.length);
      assert.ok(Math.abs(measured - planted) < 4 * se, `${task} ${what}: measured ${measured.toFixed(3)}, planted ${planted.toFixed(3)} (SE ${se.toFixed(3)}, n ${pool.length})`);
    };
    for (const id of ['E1', 'E7']) check(`${id} alone`, await chainAccuracy(pool, () => [id]), p.solo[id]);
    for (const pair of ['E1>E3', 'E2>E3', 'E7>E8', 'E3>E1']) check(`${pair}`, await chainAccuracy(pool, () => pair.split('>')), p.pair[pair]);
    const bySubtype = new Map(p.ideal.map((c) => [c.subtype, c.best[0].chain]));
    check('ideal policy', await chainAccuracy(pool, (item) => bySubtype.get(itemSubtype(specs[0].subtypes, item.id))!), p.idealAccuracy);
  }
});

test("the critical expert's response names the item's sub-type; nobody else's does", async () => {
  for (const item of items.slice(0, 60)) {
    const sub = itemSubtype(specs[0].subtypes, item.id);
    const r7 = await runChain(experts, ['E7'], item);
    assert.match(r7.finalText, new RegExp(`calls for the ${sub} approach`));
    const r1 = await runChain(experts, ['E1'], item);
    assert.doesNotMatch(r1.finalText, /calls for the \w+ approach/);
  }
});
