/**
 * The cascade (Appendix I) and mixture-of-agents (seed 001) presets: token entropies track
 * correctness and temperature, the cascade's stopping shares, accuracy and decisive expert follow
 * `cascadeTruth`, and aggregation follows `moaTruth`, when the experts actually run (real graders).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChain, standalonePrompt } from '../../src/experts/chain';
import { cascadeTruth, CASCADE_ENTROPY_THRESHOLD } from '../../src/experts/simulated/cascade-truth';
import { createSimulatedExpert, simulateResponse } from '../../src/experts/simulated/expert';
import { moaTruth } from '../../src/experts/simulated/moa-truth';
import { simulatedPresetSpecs } from '../../src/experts/simulated/presets';
import { gradeGsm8k, gradeResponse, loadTaskItems } from '../../src/tasks';

const items = loadTaskItems({ tasks: ['gsm8k', 'mmlu'], limitPerTask: 400, seed: 2 }).items;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('token entropies track correctness and temperature', () => {
  const c2 = simulatedPresetSpecs('cascade')[1];
  const by = (T: number) => {
    const right: number[] = [];
    const wrong: number[] = [];
    for (const item of items.slice(0, 200)) {
      const r = simulateResponse({ ...c2, temperature: T }, item, { seed: 0, position: 0 });
      (r.decision.correct ? right : wrong).push(mean(r.tokenEntropies));
    }
    return { right: mean(right), wrong: mean(wrong) };
  };
  const cold = by(0.2);
  const hot = by(1.5);
  assert.ok(cold.wrong > cold.right + 0.4, JSON.stringify(cold));
  assert.ok(hot.right > cold.right + 0.3 && hot.wrong > cold.wrong + 0.3, `${JSON.stringify(cold)} ${JSON.stringify(hot)}`);
  // without the planted signal, entropy says nothing about correctness
  const flat = { ...c2, entropySignal: 0 };
  const rw: number[][] = [[], []];
  for (const item of items.slice(0, 200)) {
    const r = simulateResponse(flat, item, { seed: 0, position: 0 });
    rw[r.decision.correct ? 0 : 1].push(mean(r.tokenEntropies));
  }
  assert.ok(Math.abs(mean(rw[0]) - mean(rw[1])) < 0.05);
});

test('cascade: C1 stops most often, C2 is decisive (computed), and the cascade run for real matches the truth', { timeout: 300_000 }, async () => {
  const specs = simulatedPresetSpecs('cascade');
  const experts = specs.map(createSimulatedExpert);
  for (const task of ['gsm8k', 'mmlu'] as const) {
    const t = cascadeTruth(specs, task);
    assert.equal(t.mostStopping, 'C1');
    assert.equal(t.decisive, 'C2');
    const pool = items.filter((i) => i.task === task);
    const stops: Record<string, number> = { C1: 0, C2: 0, C3: 0 };
    let right = 0;
    for (const item of pool) {
      for (let k = 0; k < experts.length; k++) {
        const g = await experts[k].generate(standalonePrompt(item), { item });
        if (k === experts.length - 1 || mean(g.tokenEntropies!) <= CASCADE_ENTROPY_THRESHOLD) {
          stops[experts[k].id]++;
          if (await gradeResponse(item, g.text)) right++;
          break;
        }
      }
    }
    const n = pool.length;
    const within = (what: string, measured: number, planted: number) =>
      assert.ok(Math.abs(measured - planted) < 4 * Math.sqrt((planted * (1 - planted)) / n), `${task} ${what}: measured ${measured}, planted ${planted} (n ${n})`);
    within('accuracy', right / n, t.accuracy);
    for (const id of ['C1', 'C2', 'C3']) within(`${id} stop share`, stops[id] / n, t.stopShare[id]);
  }
  // change a parameter: a weaker C2 is no longer the decisive expert
  const weak = specs.map((s) => (s.id === 'C2' ? { ...s, skill: { gsm8k: 0.3, mmlu: 0.3, humaneval: 0.3 } } : s));
  assert.notEqual(cascadeTruth(weak, 'gsm8k').decisive, 'C2');
});

test('mixture of agents: the aggregator answers with the plurality of the earlier answers', () => {
  const a = { ...simulatedPresetSpecs('moa').find((s) => s.id === 'A')!, aggregate: 1 };
  const item = items.find((i) => i.task === 'gsm8k')!;
  const earlier = ['The answer is 7.', 'I get 12.\n#### 12', 'So the total is 12.'].map((text, k) => ({ expertId: `P${k}`, text }));
  const r = simulateResponse(a, item, { seed: 0, position: 3, previous: earlier[2], earlier });
  assert.equal(r.decision.source, 'aggregated');
  assert.ok(gradeGsm8k(r.text, '12'), r.text);
});

test('mixture of agents: Self-MoA beats mixed MoA as planted (moaTruth bounds), run for real', { timeout: 300_000 }, async () => {
  const specs = simulatedPresetSpecs('moa');
  const by = (id: string) => specs.find((s) => s.id === id)!;
  const experts = specs.map(createSimulatedExpert);
  const pool = items.filter((i) => i.task === 'gsm8k');
  const self = moaTruth(['S1', 'S2', 'S3'].map(by), by('A'), 'gsm8k');
  const mixed = moaTruth(['S1', 'W1', 'W2'].map(by), by('A'), 'gsm8k');
  assert.ok(self.lower > mixed.upper, 'quality over diversity is planted unambiguously');
  const measured: number[] = [];
  for (const [order, t] of [[['S1', 'S2', 'S3', 'A'], self], [['S1', 'W1', 'W2', 'A'], mixed]] as const) {
    let right = 0;
    for (const item of pool) if (await gradeResponse(item, (await runChain(experts, order, item)).finalText)) right++;
    const acc = right / pool.length;
    const se = Math.sqrt(0.25 / pool.length);
    assert.ok(acc > t.lower - 4 * se && acc < t.upper + 4 * se, `${order.join('>')}: measured ${acc}, planted [${t.lower}, ${t.upper}]`);
    measured.push(acc);
  }
  assert.ok(measured[0] > measured[1]);
});
