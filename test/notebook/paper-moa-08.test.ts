import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrulyMixed, moaHeadline, moaRecovery, moaTruthOf, type MoaPaperRun } from '../../src/notebook/paper-findings-08';
import { defaultMoaConfigs, type MoaConfigSummary } from '../../src/probes/moa';

const configs = defaultMoaConfigs(['S1', 'S2', 'W1'], 'A', { k: 2, nMixed: 3, seed: 0 });
const models = { S1: 'strong', S2: 'strong', W1: 'weak', A: 'agg' };

function runWith(acc: (name: string) => number, regression: MoaPaperRun['result']['regression'] = null): MoaPaperRun {
  const summaries: MoaConfigSummary[] = configs.map((c, i) => ({ config: c.name, kind: c.kind, nItems: 40, quality: 0.3 + 0.02 * i, diversity: 1 + 0.01 * i, accuracy: acc(c.name) }));
  return { spec: { preset: 'x', task: 'gsm8k', items: 40, aggregator: 'A', k: 2, nMixed: 3 }, label: '', configs, result: { runs: [], summaries, regression }, truth: null, models, computed: false };
}

test('isTrulyMixed: a mixture of one model (S1+S2) is not a Mixed-MoA; S1+W1 is', () => {
  const run = runWith(() => 0.5);
  assert.equal(isTrulyMixed(run, 'mixed:S1+S2'), false);
  assert.equal(isTrulyMixed(run, 'mixed:S1+W1'), true);
  assert.equal(isTrulyMixed(run, 'self:S1'), false);
});

test('moaHeadline compares the best Self-MoA with the best mixture of models, ignoring a one-model mixture', () => {
  const acc: Record<string, number> = { 'self:S1': 0.8, 'self:S2': 0.7, 'self:W1': 0.3, 'mixed:S1+S2': 0.95, 'mixed:S1+W1': 0.6, 'mixed:S2+W1': 0.65 };
  const run = runWith((n) => acc[n] ?? 0.5);
  const h = moaHeadline(run);
  assert.equal(h.self, 'self:S1');
  assert.equal(h.mixed, 'mixed:S2+W1');
  assert.equal(h.seq, 'self-seq:S1');
  const r = moaRecovery(run);
  assert.equal(r.measuredSelfBeatsMixed, true);
  assert.equal(r.planted, false);
  assert.equal(r.qualityEffect, false, 'no regression, no quality effect');
});

test('moaTruthOf: the moa preset has bounds for one-shot configurations only; the null preset has none', () => {
  const t = moaTruthOf('moa', defaultMoaConfigs(['S1', 'W1', 'W2'], 'A', { k: 3, nMixed: 1 }), 'gsm8k')!;
  assert.ok(t['self:S1'].lower > t['mixed:S1+W1+W2'].upper, 'planted: Self-MoA of S1 beats S1+W1+W2');
  assert.equal(t['self-seq:S1'], undefined);
  assert.equal(moaTruthOf('null', defaultMoaConfigs(['E2', 'E3', 'E4'], 'E1', { k: 3, nMixed: 1 }), 'gsm8k'), null);
});
