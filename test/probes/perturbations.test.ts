/** Prompt perturbations through the simulated consortium and the encoder, and the routing shift. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashingEncoder } from '../../src/encoders/hashing';
import { simulatedPreset } from '../../src/experts/simulated/presets';
import type { Expert } from '../../src/experts/types';
import { ensureBackend } from '../../src/orchestrator/backend';
import { resolveModelConfig } from '../../src/orchestrator/config';
import type { RoutingItem } from '../../src/orchestrator/dataset';
import { createModel } from '../../src/orchestrator/model';
import { buildPerturbedItems, perturbationShift } from '../../src/probes/perturbations';
import { loadSplitSync } from '../../src/tasks/load-split';
import { maskNumbers, removeNumbers } from '../../src/tasks/perturb';
import { chainPrompt } from '../../src/experts/chain';
import { formatTaskPrompt } from '../../src/experts/task-prompt';

test('perturbed prompts go to every expert, encoded; identical items shift nothing', async () => {
  await ensureBackend();
  const consortium = simulatedPreset('homogeneous');
  const prompts: string[] = [];
  const experts: Expert[] = consortium.experts.slice(0, 4).map((e) => ({ ...e, generate: (p, o) => (prompts.push(p), e.generate(p, o)) }));
  const items = loadSplitSync('gsm8k', 'test').slice(0, 3);
  const enc = hashingEncoder({ dim: 32 });
  // base routing items: the unperturbed answers, encoded the same way
  const base: RoutingItem[] = [];
  for (const item of items) {
    const answers = await Promise.all(experts.map((e) => e.generate(chainPrompt(formatTaskPrompt(item)), { item })));
    const v = await enc.encode([formatTaskPrompt(item), ...answers.map((a) => a.text)]);
    base.push({ id: item.id, task: item.task, split: 'test', ex: v[0], outputs: v.slice(1), oracle: null, correct: [0, 1, 0, 1] });
  }
  prompts.length = 0;
  const sets = await buildPerturbedItems(items, base, experts, enc, { perturbations: ['remove-numbers', 'mask-numbers'] });
  assert.deepEqual(sets.map((s) => s.perturbation), ['remove-numbers', 'mask-numbers']);
  for (const s of sets) assert.equal(s.items.length, 3, 'every GSM8K item has numbers to remove or mask');
  assert.equal(prompts.length, 2 * 3 * 4, 'each perturbed prompt went to every expert once');
  // the prompts are the standalone prompts of the perturbed task texts, item by item, expert by expert
  const expected = [removeNumbers, maskNumbers].flatMap((f) => items.flatMap((it) => experts.map(() => chainPrompt(f(formatTaskPrompt(it))))));
  assert.deepEqual(prompts, expected);
  assert.ok(prompts.slice(12).every((p) => p.includes('[NUM]')));

  const model = createModel(resolveModelConfig({ inputDim: 32, nExperts: 4, hidden: 8, heads: 2, dropout: 0 }), 2);
  const shift = perturbationShift(model, base, sets);
  assert.ok(shift.length > 0);
  for (const r of shift) for (const v of [r.klSequence, r.klRouting, r.deltaSequenceEntropy, r.deltaCollabEntropy]) assert.ok(Number.isFinite(v));
  assert.ok(shift.some((r) => r.klSequence > 0), 'a perturbed prompt changed the routing');
  // the base items as their own "perturbation": every shift is exactly 0
  const none = perturbationShift(model, base, [{ perturbation: 'remove-numbers', changed: base.map((b) => b.id), items: base }]);
  for (const r of none) {
    assert.equal(r.klSequence, 0);
    assert.equal(r.klRouting, 0);
    assert.equal(r.deltaSequenceEntropy, 0);
  }
  await consortium.dispose();
});
