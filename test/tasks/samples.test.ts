import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_DATA_DIR, generateSampleFiles, loadBundledSync, loadGsm8k, loadHumanEval, loadMmlu, loadSplit, loadSplitSync, seededSplit, SPLIT_NAMES } from '../../src/tasks';
import { parseNumber } from '../../src/tasks/numbers';
import { tempDir, writeFile } from './helpers';

test('the committed sample files are exactly what the seeded generator writes', () => {
  for (const [rel, content] of Object.entries(generateSampleFiles())) {
    const file = path.join(BUNDLED_DATA_DIR, rel);
    assert.ok(fs.existsSync(file), `${rel} is committed`);
    assert.equal(fs.readFileSync(file, 'utf8'), content, `${rel} is up to date (npx tsx src/tasks/samples/write-samples.ts)`);
  }
});

test('bundled samples load through the public loaders and have enough items', async () => {
  const gsm = await loadGsm8k(path.join(BUNDLED_DATA_DIR, 'gsm8k/sample.jsonl'));
  const mmlu = await loadMmlu(path.join(BUNDLED_DATA_DIR, 'mmlu'));
  const he = await loadHumanEval(path.join(BUNDLED_DATA_DIR, 'humaneval/sample.jsonl'));
  assert.ok(gsm.length >= 120, `${gsm.length} GSM8K items`);
  assert.ok(mmlu.length >= 120, `${mmlu.length} MMLU items`);
  assert.ok(he.length >= 30, `${he.length} HumanEval items`);
  for (const it of gsm) assert.notEqual(parseNumber(it.gold), null, `${it.id} has a numeric gold answer`);
  assert.ok(gsm.some((it) => !Number.isInteger(parseNumber(it.gold))), 'some GSM8K answers are decimals');
  const subjects = new Set(mmlu.map((m) => m.subject));
  assert.ok(subjects.size >= 5, `${subjects.size} MMLU subjects`);
  const letters = new Set(mmlu.map((m) => m.answer));
  assert.equal(letters.size, 4, 'correct answers use all four letters');
  for (const m of mmlu) assert.equal(new Set(m.choices).size, 4, `${m.id} has four distinct options`);
  assert.equal(new Set([...gsm, ...mmlu, ...he].map((i) => i.id)).size, gsm.length + mmlu.length + he.length, 'ids are unique');
});

test('splits are disjoint, cover every item, follow 60/20/20 and span most MMLU subjects', async () => {
  for (const task of ['gsm8k', 'mmlu', 'humaneval'] as const) {
    const all = loadBundledSync(task);
    const parts = SPLIT_NAMES.map((s) => loadSplitSync(task, s));
    const ids = parts.flat().map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length, `${task}: no item in two splits`);
    assert.deepEqual([...ids].sort(), all.map((i) => i.id).sort(), `${task}: every item is in a split`);
    assert.ok(Math.abs(parts[0].length / all.length - 0.6) < 0.06, `${task}: train is about 60%`);
    assert.ok(parts[2].length >= Math.floor(all.length * 0.2) - 8, `${task}: test is about 20%`);
  }
  const test = await loadSplit('mmlu', 'test');
  const subjects = new Set(loadBundledSync('mmlu').map((m) => m.subject));
  // splits go by prompt hash (no stratification), so a subject of 16 items may miss a split
  assert.ok(new Set(test.map((m) => m.subject)).size >= subjects.size - 2, 'the MMLU test split spans most subjects');
  assert.deepEqual((await loadSplit('gsm8k', 'validation')).map((i) => i.id), loadSplitSync('gsm8k', 'validation').map((i) => i.id));
});

test('seededSplit is deterministic and depends on the seed', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `x${i}`);
  assert.deepEqual(seededSplit(ids, 1), seededSplit(ids, 1));
  assert.notDeepEqual(seededSplit(ids, 1).test, seededSplit(ids, 2).test);
  const s = seededSplit(ids, 3);
  assert.deepEqual([s.train.length, s.validation.length, s.test.length], [30, 10, 10]);
  assert.throws(() => seededSplit(ids, 1, { train: 0.5, validation: 0.2, test: 0.2 }), /must sum to 1/);
});

test('loadSplit errors clearly on an unknown split or a split naming a missing item', async () => {
  assert.throws(() => loadSplitSync('gsm8k', 'dev' as 'test'), /unknown split 'dev'/);
  const { dir, cleanup } = tempDir();
  try {
    fs.cpSync(BUNDLED_DATA_DIR, dir, { recursive: true });
    const splitFile = path.join(dir, 'splits/gsm8k.json');
    const split = JSON.parse(fs.readFileSync(splitFile, 'utf8'));
    split.test.push('gsm8k/sample/9999');
    writeFile(dir, 'splits/gsm8k.json', JSON.stringify(split));
    assert.throws(() => loadSplitSync('gsm8k', 'test', { dataDir: dir }), /names 'gsm8k\/sample\/9999', which is not in the gsm8k samples/);
    writeFile(dir, 'splits/gsm8k.json', JSON.stringify({ ...split, seed: 'x' }));
    assert.throws(() => loadSplitSync('gsm8k', 'test', { dataDir: dir }), /gsm8k\.json: field 'seed'/);
  } finally {
    cleanup();
  }
});
