/** Mixture-of-agents runs on the simulated consortium, and the quality/diversity regression. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashingEncoder } from '../../src/encoders/hashing';
import { standalonePrompt } from '../../src/experts/chain';
import { simulatedPreset } from '../../src/experts/simulated/presets';
import { formatTaskPrompt } from '../../src/experts/task-prompt';
import type { Expert } from '../../src/experts/types';
import { aggregatePrompt, defaultMoaConfigs, moaProbe, moaRegression, runMoa, type MoaConfigSummary } from '../../src/probes/moa';
import { gradeResponse } from '../../src/tasks/grade-response';
import { loadSplitSync } from '../../src/tasks/load-split';

/** Counts the prompts an expert receives (a pass-through wrapper around the real simulated expert). */
function counting(e: Expert, log: string[]): Expert {
  return { ...e, generate: (p, o) => (log.push(e.id), e.generate(p, o)) };
}

test('Self-MoA-Seq aggregates a window at a time; Self-MoA samples one expert with distinct seeds', async () => {
  const consortium = simulatedPreset('homogeneous');
  const log: string[] = [];
  const experts = consortium.experts.map((e) => counting(e, log));
  const item = loadSplitSync('gsm8k', 'test')[0];
  const opts = { taskText: formatTaskPrompt, proposerPrompt: standalonePrompt };
  const a = experts[0].id;
  const b = experts[1].id;
  // 6 proposals, window 3: [p1 p2 p3] -> A1; [A1 p4 p5] -> A2; [A2 p6] -> final: 3 aggregator calls
  const seq = await runMoa(experts, { name: 's', kind: 'self-seq', proposers: new Array(6).fill(a), aggregator: b, window: 3 }, item, opts);
  assert.equal(seq.aggregatorCalls, 3);
  assert.deepEqual(seq.proposals.map((p) => p.seed), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(log, [a, a, a, a, a, a, b, b, b]);
  const prompt = aggregatePrompt('TASK', [{ expertId: a, text: 'one' }, { expertId: b, text: 'two' }]);
  assert.ok(prompt.includes('<<< response 2\ntwo\n>>> end of response 2') && prompt.endsWith('Task:\nTASK'));
  await assert.rejects(runMoa(experts, { name: 'x', kind: 'mixed', proposers: ['nobody'], aggregator: b }, item, opts), /MoA config 'x': no expert 'nobody'/);
  await consortium.dispose();
});

test('the MoA probe grades, encodes and fits t = alpha q + beta d + gamma', async () => {
  const consortium = simulatedPreset('homogeneous');
  const ids = consortium.experts.map((e) => e.id).slice(0, 4);
  const items = [...loadSplitSync('gsm8k', 'test').slice(0, 3), ...loadSplitSync('mmlu', 'test').slice(0, 3)];
  const configs = defaultMoaConfigs(ids, ids[0], { k: 2, nMixed: 3 }).filter((c) => c.kind !== 'self-seq');
  assert.equal(configs.length, 7);
  const enc = hashingEncoder();
  const r = await moaProbe(consortium.experts, items, configs, {
    taskText: formatTaskPrompt,
    proposerPrompt: standalonePrompt,
    grade: (it, text) => gradeResponse(it, text),
    encode: (texts) => enc.encode(texts),
  });
  assert.equal(r.runs.length, 7 * items.length);
  for (const s of r.summaries) {
    assert.ok(s.quality >= 0 && s.quality <= 1 && s.accuracy >= 0 && s.accuracy <= 1);
    assert.ok(s.diversity >= 1 - 1e-9 && s.diversity <= 2 + 1e-9, `Vendi score of 2 proposals is in [1, 2], got ${s.diversity}`);
  }
  // identical proposals (Self-MoA at temperature 0 would give them) have Vendi score 1; the
  // regression either fits or says why not
  assert.ok(r.regression !== null || typeof r.note === 'string');
  await consortium.dispose();
});

test('moaRegression recovers known coefficients', () => {
  const rows: MoaConfigSummary[] = [];
  const noise = [0.01, -0.02, 0.015, -0.005, 0.0, 0.02, -0.01, 0.005];
  for (let i = 0; i < 8; i++) {
    const quality = 0.3 + 0.07 * i;
    const diversity = 1 + ((i * 3) % 5) * 0.2;
    rows.push({ config: `c${i}`, kind: 'mixed', nItems: 10, quality, diversity, accuracy: 0.8 * quality + 0.1 * diversity + 0.05 + noise[i] });
  }
  const r = moaRegression(rows);
  assert.ok(Math.abs(r.alpha - 0.8) < 0.1, `alpha ${r.alpha}`);
  assert.ok(Math.abs(r.beta - 0.1) < 0.05, `beta ${r.beta}`);
  assert.ok(r.rSquared > 0.95 && r.pAlpha < 1e-3);
  assert.throws(() => moaRegression(rows.slice(0, 3)), /need at least 4/);
});
