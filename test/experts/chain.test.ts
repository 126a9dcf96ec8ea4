import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainPrompt, runChain, standalonePrompt } from '../../src/experts/chain';
import { loadConsortium } from '../../src/experts/consortium';
import { formatTaskPrompt } from '../../src/experts/task-prompt';
import type { Expert, GenerateOptions } from '../../src/experts/types';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withStore } from '../../src/experts/store/stored-expert';
import { TranscriptStore } from '../../src/experts/store/transcript-store';
import { gradeGsm8k, loadBundledSync } from '../../src/tasks';
import type { TaskItem } from '../../src/tasks/types';
import { GSM8K_ITEMS, HUMANEVAL_ITEMS, MMLU_ITEMS } from './sample-items';

/** An expert that records what it was asked and answers with its id. */
function recorder(id: string, calls: { id: string; prompt: string; opts: GenerateOptions }[]): Expert {
  return {
    id,
    backend: 'simulated',
    model: 'recorder',
    params: { temperature: 0, topP: 1, maxTokens: 16 },
    async generate(prompt, opts = {}) {
      calls.push({ id, prompt, opts });
      return { text: `answer of ${id}`, usage: { promptTokens: 1, completionTokens: 1 } };
    },
  };
}

test('task prompts state the task in natural language and end every prompt', () => {
  const g = formatTaskPrompt(GSM8K_ITEMS[0]);
  assert.match(g, /math word problem[\s\S]*Problem: A baker/);
  const m = formatTaskPrompt(MMLU_ITEMS[0]);
  assert.match(m, /high school biology[\s\S]*\nA\. Ribosome\nB\. Mitochondrion\nC\. Golgi apparatus\nD\. Lysosome$/);
  const h = formatTaskPrompt(HUMANEVAL_ITEMS[0]);
  assert.ok(h.endsWith(HUMANEVAL_ITEMS[0].prompt));
  assert.ok(standalonePrompt(GSM8K_ITEMS[0]).endsWith(g));
});

test('the previous response comes before the task, with the coordination instructions', () => {
  const p = chainPrompt('TASK TEXT', { expertId: 'E1', text: 'PREVIOUS TEXT' });
  const iPrev = p.indexOf('PREVIOUS TEXT');
  const iTask = p.indexOf('TASK TEXT');
  assert.ok(iPrev > 0 && iTask > iPrev);
  assert.match(p, /build on/);
  assert.match(p, /correct it/);
  assert.match(p, /add it/);
  assert.match(p, /final answer/);
  assert.ok(!chainPrompt('TASK TEXT').includes('previous response'));
});

test('runChain runs the order, each expert sees the last response, the last answer is final', async () => {
  const calls: { id: string; prompt: string; opts: GenerateOptions }[] = [];
  const experts = ['E1', 'E2', 'E3'].map((id) => recorder(id, calls));
  const item = GSM8K_ITEMS[0];
  const r = await runChain(experts, ['E3', 'E1', 'E2'], item, { seed: 5 });
  assert.deepEqual(calls.map((c) => c.id), ['E3', 'E1', 'E2']);
  assert.ok(!calls[0].prompt.includes('answer of'));
  assert.ok(calls[1].prompt.includes('answer of E3'));
  assert.ok(calls[2].prompt.includes('answer of E1') && !calls[2].prompt.includes('answer of E3'), 'only the last consulted response is in the prompt');
  assert.deepEqual(calls[2].opts.previous, [
    { expertId: 'E3', text: 'answer of E3' },
    { expertId: 'E1', text: 'answer of E1' },
  ]);
  assert.equal(calls[2].opts.seed, 5);
  assert.equal(calls[2].opts.item, item);
  assert.equal(r.finalText, 'answer of E2');
  await assert.rejects(runChain(experts, ['E9'], item), /no expert with id "E9"/);
});

test('a simulated chain behind the hub is more often right than without it', async () => {
  const c = loadConsortium('planted-hub');
  let withHub = 0;
  let without = 0;
  const items = GSM8K_ITEMS;
  for (let seed = 0; seed < 40; seed++) {
    for (const item of items) {
      const a = await runChain(c.experts, ['E1', 'E2'], item, { seed });
      const b = await runChain(c.experts, ['E9', 'E2'], item, { seed });
      withHub += Number(gradeGsm8k(a.finalText, item.gold));
      without += Number(gradeGsm8k(b.finalText, item.gold));
    }
  }
  assert.ok(withHub > without + 20, `E1 -> E2 right ${withHub}/120, E9 -> E2 right ${without}/120`);
});

test('a stored simulated chain gives what the unstored chain gives, even when two predecessors wrote the same text', async () => {
  const c = loadConsortium('planted-hub');
  const items = [...loadBundledSync('gsm8k'), ...loadBundledSync('mmlu')];
  // E1 (the hub E2 depends on) and E7 share family and temperature, so they sometimes write identical answers
  const cases: { item: TaskItem; afterE1: string; afterE7: string }[] = [];
  for (const item of items) {
    const [t1, t7] = await Promise.all(['E1', 'E7'].map(async (id) => (await runChain(c.experts, [id], item)).finalText));
    if (t1 !== t7) continue;
    const afterE1 = (await runChain(c.experts, ['E1', 'E2'], item)).finalText;
    const afterE7 = (await runChain(c.experts, ['E7', 'E2'], item)).finalText;
    if (afterE1 !== afterE7) cases.push({ item, afterE1, afterE7 });
  }
  assert.ok(cases.length > 0, 'the bundled items hold such a case');
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stored-chain-'));
  const store = TranscriptStore.open(storeDir);
  try {
    const stored = c.experts.map((e) => withStore(e, store));
    for (const { item, afterE1, afterE7 } of cases) {
      assert.equal((await runChain(stored, ['E1', 'E2'], item)).finalText, afterE1);
      assert.equal((await runChain(stored, ['E7', 'E2'], item)).finalText, afterE7, `${item.id}: E2 after E7 answered from the record of E2 after E1`);
    }
  } finally {
    store.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
});
