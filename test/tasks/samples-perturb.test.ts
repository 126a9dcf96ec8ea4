import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countReasoningCues, maskNumbers, numbersIn, perturbText, removeNumbers, removeReasoningCues, shuffleSentences, splitSentences } from '../../src/tasks/perturb';

const T = 'Solve the following math word problem. Reason step by step, then state the final numeric answer on its own line.\n\nProblem: A baker makes 24 rolls and 1,200 buns at $3.50 each. He sells 30 rolls. How many rolls are left?';

test('removeNumbers / maskNumbers touch every number and nothing else', () => {
  assert.deepEqual(numbersIn(T), ['24', '1,200', '3.50', '30']);
  assert.deepEqual(numbersIn(removeNumbers(T)), []);
  assert.match(removeNumbers(T), /A baker makes rolls and buns at \$ each\. He sells rolls\./);
  assert.equal(maskNumbers(T).split('[NUM]').length - 1, 4);
  assert.deepEqual(numbersIn('def f(x1, n):\n    return x1 + 2'), ['2'], 'digits inside identifiers are not numbers');
});

test('shuffleSentences is seeded, keeps every sentence, and changes the order', () => {
  const a = shuffleSentences(T, 1);
  assert.equal(a, shuffleSentences(T, 1));
  assert.deepEqual([...splitSentences(a)].sort(), [...splitSentences(T)].sort());
  assert.notEqual(splitSentences(a).join('|'), splitSentences(T).join('|'));
  for (let seed = 0; seed < 20; seed++) assert.notEqual(shuffleSentences('One. Two.', seed), 'One. Two.');
  assert.equal(shuffleSentences('Only one sentence.', 3), 'Only one sentence.');
});

test('removeReasoningCues removes the cues and leaves the task', () => {
  assert.ok(countReasoningCues(T) >= 3);
  const r = removeReasoningCues(T);
  assert.equal(countReasoningCues(r), 0);
  assert.match(r, /How many rolls are left\?/);
  assert.equal(perturbText(T, 'remove-reasoning-cues'), r);
  assert.throws(() => perturbText(T, 'nope' as never), /unknown perturbation 'nope'/);
});
