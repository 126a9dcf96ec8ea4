import { test } from 'node:test';
import assert from 'node:assert/strict';
import { standalonePrompt } from '../../src/experts/chain';
import { consortiumTruth, describeExperts, loadConsortium } from '../../src/experts/consortium';
import { createSimulatedExpert, simulateResponse, type SimulatedExpert } from '../../src/experts/simulated/expert';
import { presetTruth, simulatedPresetSpecs } from '../../src/experts/simulated/presets';
import { simulatedSpec, SIMULATED_FAMILIES } from '../../src/experts/simulated/spec';
import { extractChoice, gradeGsm8k, gradeResponse } from '../../src/tasks';
import type { Choice, TaskItem } from '../../src/tasks/types';
import { syntheticGsm8k, syntheticMmlu } from './fixtures/synthetic-items';
import { HUMANEVAL_ITEMS, MMLU_ITEMS, GSM8K_ITEMS } from './sample-items';

const hub = () => loadConsortium('planted-hub').experts as SimulatedExpert[];
const byId = (experts: SimulatedExpert[], id: string) => experts.find((e) => e.id === id)!;

function accuracy(spec: SimulatedExpert['spec'], items: TaskItem[], previous?: (item: TaskItem) => { expertId: string; text: string }): number {
  let right = 0;
  for (const item of items) {
    const r = simulateResponse(spec, item, { seed: 0, position: previous ? 1 : 0, previous: previous?.(item) });
    const ok = item.task === 'gsm8k' ? gradeGsm8k(r.text, item.gold) : extractChoice(r.text) === (item as { answer: Choice }).answer;
    assert.equal(ok, r.decision.correct, `${spec.id} ${item.id}: graded ${ok}, planted ${r.decision.correct}\n${r.text}`);
    if (ok) right++;
  }
  return right / items.length;
}

test('responses are reproducible and depend on seed, expert and item', async () => {
  const [e1, e2] = hub();
  const item = GSM8K_ITEMS[0];
  const a = await e1.generate(standalonePrompt(item), { item });
  const b = await e1.generate(standalonePrompt(item), { item });
  assert.equal(a.text, b.text);
  assert.deepEqual(a.tokenEntropies, b.tokenEntropies);
  const texts = new Set<string>();
  for (let seed = 0; seed < 8; seed++) texts.add((await e2.generate('p', { item, seed })).text);
  assert.ok(texts.size > 1, 'different seeds give different responses');
  assert.ok(a.tokenEntropies!.every((h) => Number.isFinite(h) && h >= 0));
  await assert.rejects(e1.generate('p'), /needs opts\.item/);
});

test('describeExperts and consortiumTruth expose a consortium as data', () => {
  const c = loadConsortium('planted-hub');
  const rows = describeExperts(c);
  assert.equal(rows.length, 10);
  assert.equal((rows[1].simulated?.dependsOn as { on: string } | undefined)?.on, 'E1');
  assert.equal(rows[5].simulated?.family, 'deepseek');
  assert.deepEqual(consortiumTruth(c), presetTruth('planted-hub'));
  assert.throws(() => consortiumTruth({ name: 'x', config: { ...c.config, experts: [] } }), /no simulated experts/);
});

test('every expert is labelled simulated and describes its parameters', () => {
  for (const e of hub()) {
    assert.match(e.model, /^simulated:/);
    const d = e.describe();
    assert.equal(d.simulated, true);
    assert.equal(d.temperature, e.spec.temperature);
    assert.ok(d.standalone.gsm8k > 0 && d.standalone.gsm8k < 1);
  }
});

test('graded accuracy follows the planted skill (real graders, 400 items per domain)', () => {
  const experts = hub();
  const gsm = syntheticGsm8k(400);
  const mmlu = syntheticMmlu(400);
  const truth = presetTruth('planted-hub');
  for (const id of ['E1', 'E6', 'E8', 'E9']) {
    const e = byId(experts, id);
    const planted = truth.experts.find((x) => x.id === id)!.pCorrect;
    const g = accuracy(e.spec, gsm);
    const m = accuracy(e.spec, mmlu);
    // binomial sd at n = 400 is at most 0.025; allow 3.5 sd
    assert.ok(Math.abs(g - planted.gsm8k) < 0.09, `${id} gsm8k ${g} vs planted ${planted.gsm8k}`);
    assert.ok(Math.abs(m - planted.mmlu) < 0.09, `${id} mmlu ${m} vs planted ${planted.mmlu}`);
  }
});

test('the planted dependency: dependents are far more accurate right after the hub', () => {
  const experts = hub();
  const gsm = syntheticGsm8k(300);
  const e1 = byId(experts, 'E1').spec;
  const e9 = byId(experts, 'E9').spec;
  const afterHub = (item: TaskItem) => ({ expertId: 'E1', text: simulateResponse(e1, item, { seed: 0, position: 0 }).text });
  const afterOther = (item: TaskItem) => ({ expertId: 'E9', text: simulateResponse(e9, item, { seed: 0, position: 0 }).text });
  for (const id of ['E2', 'E5']) {
    const spec = byId(experts, id).spec;
    const withHub = accuracy(spec, gsm, afterHub);
    const withOther = accuracy(spec, gsm, afterOther);
    assert.ok(withHub - withOther > 0.25, `${id}: after E1 ${withHub}, after E9 ${withOther}`);
  }
});

test('in a chain an expert copies or corrects the previous answer', () => {
  const gsm = syntheticGsm8k(200);
  const base = simulatedPresetSpecs('planted-hub').find((s) => s.id === 'E9')!;
  const copier = { ...base, chain: { copy: 1, fix: 0 } };
  const fixer = { ...base, chain: { copy: 0, fix: 1 }, cues: 0.4 }; // leaky: the remark says what happened
  const quietFixer = { ...base, chain: { copy: 0, fix: 1 }, cues: 0 }; // zero-leak: it does not
  const wrongPrev = (item: TaskItem) => ({ expertId: 'E2', text: `The answer is ${Number((item as { gold: string }).gold) + 3}.` });
  for (const item of gsm.slice(0, 50)) {
    const copied = simulateResponse(copier, item, { seed: 0, position: 1, previous: wrongPrev(item) });
    assert.equal(copied.decision.source, 'copied');
    assert.ok(gradeGsm8k(copied.text, String(Number((item as { gold: string }).gold) + 3)), copied.text);
    const fixed = simulateResponse(fixer, item, { seed: 0, position: 1, previous: wrongPrev(item) });
    assert.equal(fixed.decision.source, 'corrected');
    assert.ok(gradeGsm8k(fixed.text, (item as { gold: string }).gold));
    assert.match(fixed.text, /mistake|disagree|does not hold up/);
    const quiet = simulateResponse(quietFixer, item, { seed: 0, position: 1, previous: wrongPrev(item) });
    assert.equal(quiet.decision.source, 'corrected');
    assert.doesNotMatch(quiet.text, /mistake|disagree|does not hold up|sound to me|agree with/);
  }
});

test('every family writes MMLU answers that extractChoice reads, for every letter', () => {
  for (const family of SIMULATED_FAMILIES) {
    for (const item of MMLU_ITEMS) {
      for (const t of [0, 1, 2]) {
        const spec = simulatedSpec.parse({ backend: 'simulated', id: `X-${family}`, model: 'M', family, temperature: t, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } });
        for (let seed = 0; seed < 12; seed++) {
          const r = simulateResponse(spec, item, { seed, position: 0 });
          assert.equal(extractChoice(r.text) === item.answer, r.decision.correct, `${family} t=${t} seed=${seed}:\n${r.text}`);
        }
      }
    }
  }
});

test('HumanEval: correct answers pass and broken ones fail the real tests', { timeout: 120_000 }, async () => {
  let checked = 0;
  const mutations = new Set<string>();
  for (const family of SIMULATED_FAMILIES) {
    const spec = simulatedSpec.parse({ backend: 'simulated', id: `H-${family}`, model: 'M', family, temperature: 1, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } });
    for (const item of HUMANEVAL_ITEMS) {
      for (let seed = 0; seed < 3; seed++) {
        const r = simulateResponse(spec, item, { seed, position: 0 });
        const passed = await gradeResponse(item, r.text);
        if (r.mutation) mutations.add(r.mutation);
        assert.equal(passed, r.decision.correct, `${family} ${item.id} seed ${seed} (${r.mutation ?? 'correct'}):\n${r.text}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 24);
  assert.ok(mutations.size >= 2, `several kinds of breakage: ${[...mutations].join(', ')}`);
});

test('itemCorrelation makes experts fail on the same items without changing their accuracy', () => {
  const items = syntheticGsm8k(600);
  const make = (id: string, itemCorrelation: number) =>
    simulatedSpec.parse({ backend: 'simulated', id, model: 'M', family: 'llama', temperature: 0, itemCorrelation, skill: { gsm8k: 0.6, mmlu: 0.5, humaneval: 0.5 } });
  for (const rho of [0, 0.8]) {
    const a = make('A', rho);
    const b = make('B', rho);
    let failA = 0;
    let failB = 0;
    let both = 0;
    for (const item of items) {
      const fa = !simulateResponse(a, item, { seed: 0, position: 0 }).decision.correct;
      const fb = !simulateResponse(b, item, { seed: 0, position: 0 }).decision.correct;
      failA += Number(fa);
      failB += Number(fb);
      both += Number(fa && fb);
    }
    const n = items.length;
    assert.ok(Math.abs(failA / n - 0.4) < 0.07 && Math.abs(failB / n - 0.4) < 0.07, `rho ${rho}: failure rates ${failA / n}, ${failB / n}`);
    const excess = both / n - (failA / n) * (failB / n);
    if (rho === 0) assert.ok(Math.abs(excess) < 0.05, `independent: excess joint failure ${excess}`);
    else assert.ok(excess > 0.1, `correlated: excess joint failure ${excess}`);
  }
});

test('leaky condition (cues > 0): wrong answers hedge far more often than right ones; zero-leak (default): never', () => {
  const quiet = simulatedPresetSpecs('planted-hub').find((s) => s.id === 'E9')!;
  assert.equal(quiet.cues, 0, 'presets are zero-leak');
  for (const item of syntheticGsm8k(100)) {
    const d = simulateResponse(quiet, item, { seed: 0, position: 0 }).decision;
    assert.ok(!d.hedge && !d.verify);
  }
  const spec = { ...quiet, cues: 0.45 };
  let hedgeWrong = 0;
  let wrong = 0;
  let hedgeRight = 0;
  let right = 0;
  for (const item of syntheticGsm8k(400)) {
    const r = simulateResponse(spec, item, { seed: 0, position: 0 });
    if (r.decision.correct) (right++, (hedgeRight += Number(r.decision.hedge)));
    else (wrong++, (hedgeWrong += Number(r.decision.hedge)));
  }
  assert.ok(hedgeWrong / wrong > 2 * (hedgeRight / right), `hedge rate wrong ${hedgeWrong / wrong}, right ${hedgeRight / right}`);
});

test('planted truth: the hub, the three specialists, and domain-dependent skill', () => {
  const truth = presetTruth('planted-hub');
  assert.deepEqual(truth.hubs, ['E1']);
  assert.deepEqual(truth.dependencies.map((d) => d.expert), ['E2', 'E3', 'E4', 'E5']);
  assert.deepEqual(
    truth.specialists.map((s) => `${s.expert}:${s.domain}`).sort(),
    ['E6:gsm8k', 'E7:humaneval', 'E8:mmlu'],
  );
  // Routing each domain to its best expert beats the best single expert (both heterogeneous presets).
  for (const preset of ['planted-hub', 'heterogeneous'] as const) {
    const t = presetTruth(preset);
    const routed = (t.bestPerDomain.gsm8k.p + t.bestPerDomain.mmlu.p + t.bestPerDomain.humaneval.p) / 3;
    const single = Math.max(...t.experts.map((e) => (e.pCorrect.gsm8k + e.pCorrect.mmlu + e.pCorrect.humaneval) / 3));
    assert.ok(routed - single > 0.08, `${preset}: routed ${routed} vs best single ${single}`);
  }
  // The homogeneous preset: similar capacity (the spread of mean skill stays small).
  const hom = presetTruth('homogeneous').experts.map((e) => (e.pCorrect.gsm8k + e.pCorrect.mmlu + e.pCorrect.humaneval) / 3);
  assert.ok(Math.max(...hom) - Math.min(...hom) < 0.2);
});

test('the family styles are distinct texts for the same answer', () => {
  const item = GSM8K_ITEMS[1];
  const texts = SIMULATED_FAMILIES.map((family) => {
    const spec = simulatedSpec.parse({ backend: 'simulated', id: 'S', model: 'M', family, temperature: 0, skill: { gsm8k: 0.99, mmlu: 0.5, humaneval: 0.5 } });
    return createSimulatedExpert(spec);
  }).map((e) => simulateResponse(e.spec, item, { seed: 1, position: 0 }).text);
  assert.equal(new Set(texts).size, SIMULATED_FAMILIES.length);
  assert.match(texts[SIMULATED_FAMILIES.indexOf('deepseek')], /^<think>/);
});
