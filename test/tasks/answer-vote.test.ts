/** Answer keys and the plurality vote among experts' responses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerKey, pluralityChoice } from '../../src/tasks/answer-vote';
import type { Gsm8kItem, HumanEvalItem, MmluItem } from '../../src/tasks/types';

const gsm: Gsm8kItem = { task: 'gsm8k', id: 'g', question: 'How many?', answer: 'It is 1000.\n#### 1000', gold: '1000' };
const mmlu: MmluItem = { task: 'mmlu', id: 'm', subject: 'x', question: 'Which?', choices: ['a', 'b', 'c', 'd'], answer: 'C' };
const he: HumanEvalItem = { task: 'humaneval', id: 'HumanEval/0', prompt: 'def add(a, b):\n    """Add."""\n', canonicalSolution: '    return a + b\n', test: '', entryPoint: 'add' };

test('answer keys: the same answer written differently agrees, a different one does not', () => {
  assert.equal(answerKey(gsm, 'So the total is 1,000.\n#### 1,000'), answerKey(gsm, 'The answer is 1000'));
  assert.notEqual(answerKey(gsm, '#### 1000'), answerKey(gsm, '#### 100'));
  assert.equal(answerKey(gsm, 'I cannot tell.'), null);
  assert.equal(answerKey(mmlu, 'The answer is (C).'), 'C');
  assert.equal(answerKey(mmlu, 'no idea'), null);
  const a = '```python\ndef add(a, b):\n    # sum them\n    return a + b\n```';
  const b = 'Here:\n```python\ndef add(a, b):\n\n    return a + b   \n```\nDone.';
  const c = '```python\ndef add(a, b):\n    return b + a\n```';
  assert.equal(answerKey(he, a), answerKey(he, b));
  assert.notEqual(answerKey(he, a), answerKey(he, c)); // right too, but written otherwise
  assert.equal(answerKey(he, '```python\n# nothing\n```'), null);
});

test('plurality choice: the most frequent answer, ties and carriers by preference', () => {
  // answers x, y, y, null, x: x and y tie at 2; preference [4, 1, 0, 2, 3] reaches x first (at 4)
  assert.equal(pluralityChoice(['x', 'y', 'y', null, 'x'], [4, 1, 0, 2, 3]), 4);
  assert.equal(pluralityChoice(['x', 'y', 'y', null, 'x'], [1, 4, 0, 2, 3]), 1);
  // a clear plurality wins over preference
  assert.equal(pluralityChoice(['x', 'y', 'y', 'y', null], [0, 4, 1, 2, 3]), 1);
  // nothing readable: the most preferred response
  assert.equal(pluralityChoice([null, null, null], [2, 0, 1]), 2);
  assert.throws(() => pluralityChoice(['x', 'y'], [0, 0]), /preference must order all 2 responses once, got \[0, 0\]/);
  assert.throws(() => pluralityChoice(['x', 'y'], [0]), /preference must order all 2 responses once/);
});
