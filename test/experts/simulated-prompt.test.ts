/**
 * Simulated experts read the prompt they are given (issue 9, section 5): removing or masking
 * numbers breaks GSM8K, shuffling sentences hurts MMLU and HumanEval, by the planted amounts;
 * perturbed prompts are new store keys. The expert only sees the prompt text and the item: the
 * damage is measured from the text (read-prompt.ts), never passed as a flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chainPrompt, standalonePrompt } from '../../src/experts/chain';
import { formatTaskPrompt } from '../../src/experts/task-prompt';
import { ownSuccessProbability } from '../../src/experts/simulated/competence';
import { createSimulatedExpert } from '../../src/experts/simulated/expert';
import { simulatedPresetSpecs } from '../../src/experts/simulated/presets';
import { readPrompt } from '../../src/experts/simulated/read-prompt';
import { storeKeyOf } from '../../src/experts/store/key';
import { withStore } from '../../src/experts/store/stored-expert';
import { TranscriptStore } from '../../src/experts/store/transcript-store';
import { gradeResponse, loadTaskItems, perturbText, type PerturbationName, type TaskItem } from '../../src/tasks';

const sel = loadTaskItems({ tasks: ['gsm8k', 'mmlu'], limitPerTask: 400, seed: 0 });
const heItems = loadTaskItems({ tasks: ['humaneval'], limitPerTask: 40, seed: 0 }).items;
const spec = simulatedPresetSpecs('homogeneous').find((s) => s.id === 'E3')!; // DeepSeek-R1 style, the strongest
const expert = createSimulatedExpert(spec);

const promptFor = (item: TaskItem, kind: PerturbationName | null) => (kind === null ? standalonePrompt(item) : chainPrompt(perturbText(formatTaskPrompt(item), kind, 7)));

/** Graded accuracy (real graders) and its planted expectation and sd, over `items` under `kind`. */
async function measure(items: readonly TaskItem[], kind: PerturbationName | null): Promise<{ acc: number; expected: number; sd: number }> {
  let right = 0;
  let expected = 0;
  let variance = 0;
  for (const item of items) {
    const prompt = promptFor(item, kind);
    const g = await expert.generate(prompt, { item });
    if (await gradeResponse(item, g.text)) right++;
    const p = ownSuccessProbability(spec, item, undefined, readPrompt(item, prompt));
    expected += p;
    variance += p * (1 - p);
  }
  return { acc: right / items.length, expected: expected / items.length, sd: Math.sqrt(variance) / items.length };
}

test('an intact prompt is read in full on every item the project loads', () => {
  for (const item of [...loadTaskItems({}).items]) assert.deepEqual(readPrompt(item, standalonePrompt(item)), { numbers: 1, order: 1, reasoning: 1 }, item.id);
  // a prompt that does not carry the task leaves the expert nothing to read
  const gsm = sel.items.find((i) => i.task === 'gsm8k')!;
  assert.equal(readPrompt(gsm, 'Solve it.').numbers, 0);
});

test('GSM8K: removing or masking numbers breaks it, by the planted amount (real grader)', { timeout: 300_000 }, async () => {
  const gsm = sel.items.filter((i) => i.task === 'gsm8k');
  const intact = await measure(gsm, null);
  for (const kind of ['remove-numbers', 'mask-numbers'] as const) {
    const m = await measure(gsm, kind);
    assert.ok(Math.abs(m.acc - m.expected) < 4 * m.sd + 1e-9, `${kind}: measured ${m.acc}, planted ${m.expected} (sd ${m.sd})`);
    assert.ok(m.acc < 0.3 * intact.acc, `${kind}: ${m.acc} vs intact ${intact.acc}`);
  }
  assert.ok(Math.abs(intact.acc - intact.expected) < 4 * intact.sd, `intact: measured ${intact.acc}, planted ${intact.expected}`);
  const shuffled = await measure(gsm, 'shuffle-sentences');
  assert.ok(shuffled.acc > 0.6 * intact.acc, 'shuffling hurts GSM8K far less than losing its numbers');
});

test('MMLU and HumanEval: shuffling sentences hurts more than removing numbers, by the planted amounts (real graders)', { timeout: 300_000 }, async () => {
  for (const items of [sel.items.filter((i) => i.task === 'mmlu'), heItems]) {
    const task = items[0].task;
    const intact = await measure(items, null);
    const shuffled = await measure(items, 'shuffle-sentences');
    const noNumbers = await measure(items, 'remove-numbers');
    for (const [name, m] of [['intact', intact], ['shuffle', shuffled], ['remove-numbers', noNumbers]] as const) {
      assert.ok(Math.abs(m.acc - m.expected) < 4 * m.sd + 1e-9, `${task} ${name}: measured ${m.acc}, planted ${m.expected} (sd ${m.sd})`);
    }
    assert.ok(intact.expected - shuffled.expected > 1.5 * (intact.expected - noNumbers.expected), `${task}: planted drops ${intact.expected - shuffled.expected} (shuffle) vs ${intact.expected - noNumbers.expected} (numbers)`);
    assert.ok(shuffled.acc < intact.acc, `${task}: shuffled ${shuffled.acc} vs intact ${intact.acc}`);
  }
});

test('perturbed prompts are new store keys: the store keeps both answers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-prompt-'));
  const store = TranscriptStore.open(dir);
  try {
    const item = sel.items[0];
    const stored = withStore(expert, store);
    const a = await stored.generate(promptFor(item, null), { item });
    const b = await stored.generate(promptFor(item, 'mask-numbers'), { item });
    const kA = storeKeyOf(expert, promptFor(item, null));
    const kB = storeKeyOf(expert, promptFor(item, 'mask-numbers'));
    assert.notEqual(kA, kB);
    assert.equal(store.get(kA)?.text, a.text);
    assert.equal(store.get(kB)?.text, b.text);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('perturbationTruth: computed from the planted sensitivity; numbers hurt GSM8K most, shuffling MMLU and HumanEval; a parameter change moves it', async () => {
  const { perturbationTruth } = await import('../../src/experts/simulated/perturbation-truth');
  const specs = simulatedPresetSpecs('homogeneous');
  const items = [...sel.items, ...heItems];
  const t = perturbationTruth(specs, items, 7);
  assert.ok(['remove-numbers', 'mask-numbers'].includes(t.ranking.gsm8k![0]), JSON.stringify(t.ranking.gsm8k));
  assert.equal(t.ranking.mmlu![0], 'shuffle-sentences');
  assert.equal(t.ranking.humaneval![0], 'shuffle-sentences');
  assert.ok(t.effects.gsm8k!['remove-numbers'].drop > 0.5 * t.effects.gsm8k!['remove-numbers'].intact);
  // the measured accuracy of one expert under a perturbation matches the truth of that expert alone
  const one = perturbationTruth([spec], sel.items.filter((i) => i.task === 'gsm8k'), 7, ['mask-numbers']);
  const m = await measure(sel.items.filter((i) => i.task === 'gsm8k'), 'mask-numbers');
  assert.ok(Math.abs(one.effects.gsm8k!['mask-numbers'].perturbed - m.expected) < 1e-9);
  // no sensitivity to numbers planted: removing them costs nothing
  const deaf = specs.map((s) => ({ ...s, prompt: { ...s.prompt, numbers: { gsm8k: 0, mmlu: 0, humaneval: 0 } } }));
  assert.ok(Math.abs(perturbationTruth(deaf, sel.items.filter((i) => i.task === 'gsm8k'), 7, ['remove-numbers']).effects.gsm8k!['remove-numbers'].drop) < 1e-9);
});
