/**
 * Data hygiene on every dataset the project ships or loads: no prompt twice within or across
 * splits (after normalisation), splits follow the prompt-hash rule, bundled MMLU letters are
 * balanced per subject and per (subject, split), and loadTaskItems says which data it used.
 * The official files in ../shared/datasets are checked when present (skipped, saying so, when not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  defaultOfficialDir,
  findDuplicatePrompts,
  hashSplit,
  itemPrompt,
  loadBundledSync,
  loadSplitSync,
  loadTaskItems,
  normalisePrompt,
  splitOfPrompt,
  SPLIT_NAMES,
  type MmluItem,
  type TaskItem,
} from '../../src/tasks';

const TASKS = ['gsm8k', 'mmlu', 'humaneval'] as const;

test('findDuplicatePrompts finds a repeated prompt within and across splits (after normalisation)', () => {
  const q = (id: string, question: string): TaskItem => ({ task: 'gsm8k', id, question, answer: '#### 1', gold: '1' });
  const dups = findDuplicatePrompts([
    { item: q('a', 'How many apples?'), split: 'train' },
    { item: q('b', '  how many   APPLES?'), split: 'test' },
    { item: q('c', 'How many pears?'), split: 'train' },
    { item: q('d', 'How many pears?'), split: 'train' },
    { item: q('e', 'How many plums?'), split: 'train' },
  ]);
  assert.deepEqual(dups.map((d) => [d.ids, d.splits]), [[['a', 'b'], ['train', 'test']], [['c', 'd'], ['train', 'train']]]);
  // MMLU: the same question with its options in another order is the same prompt
  const m = (id: string, choices: [string, string, string, string]): MmluItem => ({ task: 'mmlu', id, subject: 's', question: 'Q?', choices, answer: 'A' });
  assert.equal(normalisePrompt(itemPrompt(m('x', ['1', '2', '3', '4']))), normalisePrompt(itemPrompt(m('y', ['4', '3', '2', '1']))));
});

test('splitOfPrompt is a fixed function of the normalised prompt and follows the fractions', () => {
  assert.equal(splitOfPrompt('How many apples?'), splitOfPrompt('  how many APPLES? '));
  const counts = { train: 0, validation: 0, test: 0 };
  for (let i = 0; i < 4000; i++) counts[splitOfPrompt(`prompt number ${i}`)]++;
  // binomial sd at n = 4000: 0.0077 (train), 0.0063 (others); 4 sd
  assert.ok(Math.abs(counts.train / 4000 - 0.6) < 0.031, JSON.stringify(counts));
  assert.ok(Math.abs(counts.test / 4000 - 0.2) < 0.026, JSON.stringify(counts));
  assert.throws(() => splitOfPrompt('x', { train: 0.5, validation: 0.2, test: 0.2 }), /must sum to 1/);
});

for (const task of TASKS) {
  test(`bundled ${task}: every prompt distinct within and across splits; split files follow the prompt hash`, () => {
    const all = loadBundledSync(task) as TaskItem[];
    const entries = SPLIT_NAMES.flatMap((split) => loadSplitSync(task, split).map((item) => ({ item: item as TaskItem, split })));
    assert.equal(entries.length, all.length, 'every item is in exactly one split');
    assert.deepEqual(findDuplicatePrompts(entries), []);
    const byHash = hashSplit(all);
    for (const split of SPLIT_NAMES) assert.deepEqual(loadSplitSync(task, split).map((i) => i.id).sort(), [...byHash[split]].sort(), `${task} ${split}`);
  });
}

test('bundled MMLU: answer letters balanced per subject and per (subject, split), so the subject tells nothing about the letter', () => {
  const perSubject = new Map<string, Record<string, number>>();
  const perGroup = new Map<string, Record<string, number>>();
  for (const split of SPLIT_NAMES) {
    for (const it of loadSplitSync('mmlu', split)) {
      const s = perSubject.get(it.subject) ?? { A: 0, B: 0, C: 0, D: 0 };
      s[it.answer]++;
      perSubject.set(it.subject, s);
      const g = perGroup.get(`${it.subject}/${split}`) ?? { A: 0, B: 0, C: 0, D: 0 };
      g[it.answer]++;
      perGroup.set(`${it.subject}/${split}`, g);
    }
  }
  assert.ok(perSubject.size >= 8);
  // exact balance: the letter x subject contingency table has chi-square 0 (independence exactly)
  for (const [subject, c] of perSubject) assert.equal(new Set(Object.values(c)).size, 1, `${subject}: ${JSON.stringify(c)}`);
  for (const [group, c] of perGroup) assert.ok(Math.max(...Object.values(c)) - Math.min(...Object.values(c)) <= 1, `${group}: ${JSON.stringify(c)}`);
});

const official = defaultOfficialDir();
const haveOfficial = fs.existsSync(path.join(official, 'gsm8k', 'test.jsonl'));

test('official data (../shared/datasets): no prompt twice within or across splits', { skip: haveOfficial ? false : `no official files at ${official}` }, () => {
  const sel = loadTaskItems({ source: 'auto' });
  const entries = sel.items.map((item) => ({ item, split: sel.splitOf[item.id] }));
  assert.deepEqual(findDuplicatePrompts(entries), []);
  const gsm = sel.sources.find((s) => s.task === 'gsm8k')!;
  assert.equal(gsm.kind, 'official');
  assert.equal(gsm.available.test, 1319, 'the official test file is the test split');
  assert.match(sel.dataSource, /^official GSM8K train\+test \(8792\) \+ (bundled MMLU sample \(128\)|official MMLU test \(\d+\)) \+ official HumanEval \(164\)$/);
});

test('loadTaskItems: bundled fallback, limits per split, seeded subsets, clear errors', () => {
  const b = loadTaskItems({ source: 'bundled' });
  assert.equal(b.dataSource, 'bundled GSM8K sample (130) + bundled MMLU sample (128) + bundled HumanEval sample (31)');
  assert.ok(b.items.some((i) => i.task === 'humaneval'), 'HumanEval is part of the mix');
  // a missing official folder falls back to the bundled samples, and says why
  const missing = loadTaskItems({ officialDir: path.join(official, 'no-such-folder'), tasks: ['gsm8k'] });
  assert.equal(missing.dataSource, 'bundled GSM8K sample (130)');
  assert.match(missing.sources[0].fallbackReason ?? '', /no-such-folder/);
  assert.throws(() => loadTaskItems({ source: 'official', officialDir: path.join(official, 'no-such-folder'), tasks: ['humaneval'] }), /official HumanEval data not usable: no .*no-such-folder/);
  const l = loadTaskItems({ source: 'bundled', tasks: ['gsm8k'], limitPerTask: 20, seed: 3 });
  assert.deepEqual([l.bySplit.train.length, l.bySplit.validation.length, l.bySplit.test.length], [12, 4, 4]);
  assert.equal(l.dataSource, 'bundled GSM8K sample (20 of 130)');
  assert.deepEqual(loadTaskItems({ source: 'bundled', tasks: ['gsm8k'], limitPerTask: 20, seed: 3 }).items.map((i) => i.id), l.items.map((i) => i.id));
  assert.notDeepEqual(loadTaskItems({ source: 'bundled', tasks: ['gsm8k'], limitPerTask: 20, seed: 4 }).items.map((i) => i.id), l.items.map((i) => i.id));
  for (const it of l.items) assert.equal(l.splitOf[it.id], splitOfPrompt(itemPrompt(it)), 'a limit never moves an item to another split');
  assert.throws(() => loadTaskItems({ limitPerTask: 0 }), /limitPerTask must be a positive integer/);
  assert.throws(() => loadTaskItems({ source: 'web' as 'auto' }), /source must be 'auto', 'official' or 'bundled'/);
});
