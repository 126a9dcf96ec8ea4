import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DatasetError, loadGsm8k, loadHumanEval, loadMmlu, type DatasetIssue } from '../../src/tasks';
import { parseCsv } from '../../src/tasks/csv';
import { FIXTURES, tempDir, writeFile } from './helpers';

const gsmLine = (q: string, a: string) => JSON.stringify({ question: q, answer: a });

test('loadGsm8k reads the official JSONL layout and normalises the gold answer', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeFile(dir, 'test.jsonl', [
      gsmLine('Ana has 3 boxes of 4 pens. How many pens?', 'She has 3*4 = <<3*4=12>>12 pens.\n#### 12'),
      '',
      gsmLine('A farm sells 1,250 eggs a day for 1000 days...', 'Total 1,250*1000 = <<1250*1000=1250000>>1250000\n#### 1,250,000'),
      gsmLine('Price?', 'It costs $3.50.\n#### $3.50'),
    ].join('\n'));
    const items = await loadGsm8k(file);
    assert.equal(items.length, 3);
    assert.deepEqual(items.map((i) => i.gold), ['12', '1250000', '3.50']);
    assert.equal(items[0].id, 'gsm8k/test/1');
    assert.equal(items[1].id, 'gsm8k/test/3', 'ids follow file lines, blank lines included');
    assert.equal(items[0].task, 'gsm8k');
  } finally {
    cleanup();
  }
});

test('loadGsm8k names file, line and field on malformed input; skip mode reports every bad line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeFile(dir, 'bad.jsonl', [
      gsmLine('ok?', 'yes\n#### 1'),
      '{"question": "broken json"',
      JSON.stringify({ question: 'no answer field' }),
      gsmLine('no final line', 'just prose, no marker'),
      gsmLine('', 'x\n#### 2'),
      gsmLine('fine', 'y\n#### 7'),
    ].join('\n'));
    await assert.rejects(loadGsm8k(file), (e: unknown) => {
      assert.ok(e instanceof DatasetError);
      assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: invalid JSON`));
      assert.equal(e.issue.line, 2);
      return true;
    });
    const skipped: DatasetIssue[] = [];
    const items = await loadGsm8k(file, { onError: 'skip', onSkip: (i) => skipped.push(i) });
    assert.deepEqual(items.map((i) => i.gold), ['1', '7']);
    assert.deepEqual(skipped.map((s) => [s.line, s.field]), [[2, undefined], [3, 'answer'], [4, 'answer'], [5, 'question']]);
    assert.match(skipped[2].message, /####/);
  } finally {
    cleanup();
  }
});

test('parseCsv handles quotes, doubled quotes, commas and newlines inside fields, CRLF', () => {
  const recs = parseCsv('a,"b, c","say ""hi"""\r\n"multi\nline",x,y\n\nlast,,\n');
  assert.deepEqual(recs, [
    { line: 1, fields: ['a', 'b, c', 'say "hi"'] },
    { line: 2, fields: ['multi\nline', 'x', 'y'] },
    { line: 5, fields: ['last', '', ''] },
  ]);
});

test('loadMmlu reads an official per-subject CSV; subject comes from the file name', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeFile(dir, 'college_physics_test.csv', [
      '"Which is a vector, not a scalar?",Mass,Velocity,Time,Energy,B',
      'What is 2+2?,3,4,"five, or so",6,b',
      '"A question\nover two lines",w,x,y,z,D',
    ].join('\n') + '\n');
    const items = await loadMmlu(file);
    assert.equal(items.length, 3);
    assert.deepEqual(items.map((i) => [i.subject, i.answer]), [['college_physics', 'B'], ['college_physics', 'B'], ['college_physics', 'D']]);
    assert.deepEqual(items[1].choices, ['3', '4', 'five, or so', '6']);
    assert.equal(items[2].question, 'A question\nover two lines');
    assert.equal(items[0].id, 'mmlu/college_physics/test/1');
  } finally {
    cleanup();
  }
});

test('loadMmlu CSV errors name file, line and column; skip mode keeps the good rows', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeFile(dir, 'anatomy_dev.csv', ['Q1,a,b,c,d,A', 'Q2,a,b,c,E', 'Q3,a,b,c,d,E', 'Q4,a,,c,d,C', 'Q5,a,b,c,d,D'].join('\n'));
    await assert.rejects(loadMmlu(file), /anatomy_dev\.csv:2: expected 6 columns \(question,A,B,C,D,answer\), found 5/);
    const skipped: DatasetIssue[] = [];
    const items = await loadMmlu(file, { onError: 'skip', onSkip: (i) => skipped.push(i) });
    assert.deepEqual(items.map((i) => i.question), ['Q1', 'Q5']);
    assert.deepEqual(skipped.map((s) => [s.line, s.field ?? null]), [[2, null], [3, 'answer'], [4, 'B']]);
    assert.equal(items[0].subject, 'anatomy');

    const unterminated = writeFile(dir, 'law_test.csv', 'Q1,a,b,c,d,A\n"Q2 never closes,a,b,c,d,B\nQ3,a,b,c,d,C\n');
    await assert.rejects(loadMmlu(unterminated), /law_test\.csv:2: unterminated quoted field/);
    // The stray quote sits in a record whose first field already spans lines: skip mode still
    // reports it with the file name and keeps the records before it.
    const spanning = writeFile(dir, 'art_test.csv', 'Q1,a,b,c,d,A\n"Q2 spans\ntwo lines",a,b,c,"d\n,B\n');
    const spanSkipped: DatasetIssue[] = [];
    const spanItems = await loadMmlu(spanning, { onError: 'skip', onSkip: (i) => spanSkipped.push(i) });
    assert.deepEqual(spanItems.map((i) => i.question), ['Q1']);
    assert.deepEqual(spanSkipped.map((s) => [s.file, s.line, s.message]), [[spanning, 3, 'unterminated quoted field']]);
  } finally {
    cleanup();
  }
});

test('loadMmlu reads the Hugging Face JSONL export and a whole directory recursively', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFile(dir, 'data/test/astronomy_test.csv', 'Closest planet to the Sun?,Venus,Mercury,Mars,Earth,B\n');
    writeFile(dir, 'hf/test.jsonl', [
      JSON.stringify({ question: 'Unit of force?', subject: 'physics', choices: ['joule', 'newton', 'watt', 'pascal'], answer: 1 }),
      JSON.stringify({ question: 'H2O is?', subject: 'chemistry', choices: ['water', 'salt', 'sugar', 'acid'], answer: 0 }),
    ].join('\n'));
    const items = await loadMmlu(dir);
    assert.deepEqual(items.map((i) => [i.subject, i.answer]), [['astronomy', 'B'], ['physics', 'B'], ['chemistry', 'A']]);

    const bad = writeFile(dir, 'bad.jsonl', JSON.stringify({ question: 'q', subject: 's', choices: ['a', 'b', 'c'], answer: 1 }) + '\n');
    await assert.rejects(loadMmlu(bad), /bad\.jsonl:1: field 'choices': must list exactly 4 options/);
    const bad2 = writeFile(dir, 'bad2.jsonl', '\n' + JSON.stringify({ question: 'q', subject: 's', choices: ['a', 'b', 'c', 'd'], answer: 4 }) + '\n');
    await assert.rejects(loadMmlu(bad2), /bad2\.jsonl:2: field 'answer'/);
    await assert.rejects(loadMmlu(path.join(dir, 'nope')), /no such MMLU file or directory/);
  } finally {
    cleanup();
  }
});

test('loadMmlu reads the Hugging Face parquet export (list<string> choices, int64 answer) with hyparquet', async () => {
  const items = await loadMmlu(path.join(FIXTURES, 'mmlu-hf.parquet'));
  assert.deepEqual(items.map((i) => [i.subject, i.answer, i.choices.length]), [['elementary_mathematics', 'B', 4], ['astronomy', 'C', 4], ['high_school_biology', 'A', 4]]);
  assert.equal(items[1].choices[2], 'Mercury');
  const bad = path.join(FIXTURES, 'mmlu-hf-bad.parquet');
  await assert.rejects(loadMmlu(bad), /mmlu-hf-bad\.parquet row 2: field 'choices': must list exactly 4 options/);
  const skipped: DatasetIssue[] = [];
  const kept = await loadMmlu(bad, { onError: 'skip', onSkip: (i) => skipped.push(i) });
  assert.equal(kept.length, 1);
  assert.deepEqual(skipped.map((s) => [s.unit, s.line, s.field]), [['row', 2, 'choices'], ['row', 3, 'answer']]);
});

const heProblem = {
  task_id: 'Test/0',
  prompt: 'def twice(x):\n    """Return 2x."""\n',
  canonical_solution: '    return 2 * x\n',
  test: 'def check(candidate):\n    assert candidate(2) == 4\n',
  entry_point: 'twice',
};

test('loadHumanEval reads JSONL and .jsonl.gz', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const text = JSON.stringify(heProblem) + '\n' + JSON.stringify({ ...heProblem, task_id: 'Test/1' }) + '\n';
    const plain = writeFile(dir, 'he.jsonl', text);
    const gz = writeFile(dir, 'HumanEval.jsonl.gz', zlib.gzipSync(text));
    for (const file of [plain, gz]) {
      const items = await loadHumanEval(file);
      assert.deepEqual(items.map((i) => i.id), ['Test/0', 'Test/1']);
      assert.equal(items[0].entryPoint, 'twice');
      assert.equal(items[0].canonicalSolution, heProblem.canonical_solution);
    }
  } finally {
    cleanup();
  }
});

test('loadHumanEval rejects malformed problems naming file, line and field', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: Array<[object | string, RegExp]> = [
      [{ ...heProblem, entry_point: 'two words' }, /:1: field 'entry_point': must be a Python identifier/],
      [{ ...heProblem, entry_point: 'thrice' }, /:1: field 'entry_point': prompt does not define 'thrice'/],
      [{ ...heProblem, test: 'assert True' }, /:1: field 'test': must define check\(candidate\)/],
      [{ ...heProblem, prompt: undefined }, /:1: field 'prompt': Required/],
      ['not json', /:1: invalid JSON/],
    ];
    for (const [i, [row, re]] of cases.entries()) {
      const file = writeFile(dir, `bad${i}.jsonl`, typeof row === 'string' ? row : JSON.stringify(row));
      await assert.rejects(loadHumanEval(file), re);
    }
    const dup = writeFile(dir, 'dup.jsonl', `${JSON.stringify(heProblem)}\n${JSON.stringify(heProblem)}\n`);
    await assert.rejects(loadHumanEval(dup), /dup\.jsonl:2: field 'task_id': duplicate task_id 'Test\/0'/);
    const notGz = writeFile(dir, 'x.jsonl.gz', 'plain text');
    await assert.rejects(loadHumanEval(notGz), /not a valid gzip file/);
    await assert.rejects(loadHumanEval(path.join(dir, 'missing.jsonl')), /missing\.jsonl: cannot read dataset file \(ENOENT\)/);
  } finally {
    cleanup();
  }
});

test('GSM8K rejects duplicate ids, as HumanEval does (they would share transcripts, grades and splits)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const line = (id: string, q: string) => JSON.stringify({ id, question: q, answer: 'x\n#### 1' });
    const file = writeFile(dir, 'dup.jsonl', [line('g-1', 'first'), line('g-2', 'second'), line('g-1', 'third')].join('\n'));
    await assert.rejects(loadGsm8k(file), /dup\.jsonl:3: field 'id': duplicate id 'g-1' \(also line 1\)/);
    const skipped: DatasetIssue[] = [];
    const items = await loadGsm8k(file, { onError: 'skip', onSkip: (i) => skipped.push(i) });
    assert.deepEqual(items.map((i) => i.question), ['first', 'second']);
    assert.deepEqual(skipped.map((s) => [s.line, s.field]), [[3, 'id']]);
  } finally {
    cleanup();
  }
});

test('an empty dataset file is an error naming it, not 0 items loaded without a word', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const [name, load] of [
      ['gsm8k.jsonl', loadGsm8k],
      ['humaneval.jsonl', loadHumanEval],
      ['anatomy_test.csv', loadMmlu],
      ['mmlu.jsonl', loadMmlu],
      ['gsm8k.jsonl.gz', loadGsm8k],
    ] as const) {
      const file = writeFile(dir, name, name.endsWith('.gz') ? zlib.gzipSync('\n') : '\n  \n');
      await assert.rejects(load(file, { onError: 'skip' }), (e: unknown) => e instanceof DatasetError && e.message === `${file}:1: the file is empty (no items to load)`, name);
    }
  } finally {
    cleanup();
  }
});
