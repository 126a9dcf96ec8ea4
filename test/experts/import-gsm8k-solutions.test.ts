import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { standalonePrompt } from '../../src/experts/chain';
import { loadConsortium } from '../../src/experts/consortium';
import { collectResponses, generateTranscripts } from '../../src/experts/generate';
import { GSM8K_SOLVERS, importGsm8kSolutions, labelAgreement, readGsm8kSolutions } from '../../src/experts/import-gsm8k-solutions';
import type { Gsm8kItem } from '../../src/tasks/types';

const items: Gsm8kItem[] = [
  { task: 'gsm8k', id: 'gsm8k-test-a', question: 'Tom has 3 apples and buys 4 more. How many apples does he have?', answer: '3 + 4 = 7\n#### 7', gold: '7' },
  { task: 'gsm8k', id: 'gsm8k-test-b', question: 'A box holds 5 pens. How many pens are in 2 boxes?', answer: '5 * 2 = 10\n#### 10', gold: '10' },
];

function line(question: string, answers: string[], labels: boolean[]): string {
  const o: Record<string, unknown> = { question, ground_truth: 'x' };
  GSM8K_SOLVERS.forEach((s, i) => (o[s.key] = { is_correct: labels[i], solution: answers[i] }));
  return JSON.stringify(o);
}

function fixture(dir: string): string {
  const file = path.join(dir, 'solutions.jsonl');
  fs.writeFileSync(
    file,
    [
      // white space and case differ from the item: matched by normalised question
      line('Tom has 3 apples and buys 4 more.  How many apples does he have?', ['3+4=7\nA: 7', 'A: 8', '3 + 4 = <<3+4=7>>7\nA: 7', 'A: 7'], [true, false, true, true]),
      line('A box holds 5 pens. How many pens are in 2 boxes?', ['A: 10', 'A: 10', 'A: 12', 'A: 10'], [true, true, false, false]),
      line('A question that is not among the items?', ['A: 1', 'A: 1', 'A: 1', 'A: 1'], [true, true, true, true]),
    ].join('\n') + '\n',
  );
  return file;
}

test('importGsm8kSolutions: a replay consortium answers each item with the published solution, graded by our grader', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-gsm8k-sol-'));
  try {
    const file = fixture(dir);
    const runDir = path.join(dir, 'solvers');
    const r = importGsm8kSolutions({ file, runDir, items });
    assert.deepEqual(r.items.map((it) => it.id), ['gsm8k-test-a', 'gsm8k-test-b']);
    assert.equal(r.unmatched, 1);
    assert.equal(r.written, 8);
    assert.equal(r.labels.G6V['gsm8k-test-a'], false);
    assert.equal(r.labels.G175V['gsm8k-test-b'], false);
    const c = loadConsortium(r.configFile);
    try {
      assert.deepEqual(c.experts.map((e) => e.id), ['G6F', 'G6V', 'G175F', 'G175V']);
      const g = await c.experts[2].generate(standalonePrompt(items[0]), { item: items[0] });
      assert.equal(g.text, '3 + 4 = <<3+4=7>>7\nA: 7');
      // the whole generate -> collect path in the import's run folder, as training reads it
      // (solo answers, graded by our grader; gold as o*)
      const gen = await generateTranscripts({ consortium: c, items, run: runDir });
      assert.equal(gen.generated, 0, 'every answer is a published one, none generated');
      assert.equal(gen.reused, 8);
      const rows = collectResponses(runDir, c, items);
      assert.deepEqual(rows[0].responses.map((x) => x.correct), [true, false, true, true]);
      assert.deepEqual(rows[1].responses.map((x) => x.correct), [true, true, false, true]);
      assert.equal(rows[0].oracleSource, 'gold');
    } finally {
      await c.dispose();
    }
    assert.equal(importGsm8kSolutions({ file, runDir, items }).written, 0, 're-import writes nothing');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readGsm8kSolutions: a bad line names the file, line and field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-gsm8k-sol-'));
  try {
    const file = path.join(dir, 's.jsonl');
    const good = line('q?', ['A: 1', 'A: 1', 'A: 1', 'A: 1'], [true, true, true, true]);
    fs.writeFileSync(file, `${good}\n${good.replace('"is_correct":true', '"is_correct":"yes"')}\n`);
    assert.throws(() => readGsm8kSolutions(file), new RegExp(`${path.basename(file)}:2: field '6b_finetuning.is_correct' must be true or false`));
    fs.writeFileSync(file, `${good}\n{oops\n`);
    assert.throws(() => readGsm8kSolutions(file), /s\.jsonl:2: not JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('labelAgreement: the confusion table of a grader against the labels', () => {
  const a = labelAgreement('G6F', [
    { label: true, graded: true },
    { label: true, graded: false },
    { label: false, graded: true },
    { label: false, graded: false },
    { label: false, graded: false },
  ]);
  assert.deepEqual([a.bothCorrect, a.labelOnly, a.graderOnly, a.bothWrong], [1, 1, 1, 2]);
  assert.equal(a.agreement, 3 / 5);
  assert.equal(a.labelAccuracy, 2 / 5);
  assert.equal(a.graderAccuracy, 2 / 5);
  assert.throws(() => labelAgreement('X', []), /no graded answers of X/);
});
