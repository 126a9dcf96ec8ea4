import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCode, goldSolutionText, gradeResponse, loadBundledSync, responseToCompletion, runHumanEvalResponse, type HumanEvalItem, type MmluItem, type Gsm8kItem } from '../../src/tasks';

const item: HumanEvalItem = {
  task: 'humaneval',
  id: 'T/0',
  prompt: 'import math\n\n\ndef hyp(a: float, b: float) -> float:\n    """Length of the hypotenuse."""\n',
  canonicalSolution: '    return math.sqrt(a * a + b * b)\n',
  test: 'def check(candidate):\n    assert candidate(3, 4) == 5\n    assert candidate(5, 12) == 13\n',
  entryPoint: 'hyp',
};

test('extractCode picks the fenced block that defines the entry point, else the python block, else the text', () => {
  const text = 'Here:\n```text\nnot code\n```\nand\n```python\ndef other():\n    pass\n```\n```py\ndef hyp(a, b):\n    return 1\n```';
  assert.match(extractCode(text, 'hyp'), /^def hyp/);
  assert.match(extractCode(text, 'nope'), /^def other/);
  assert.equal(extractCode('    return 1\n'), '    return 1\n');
  assert.match(extractCode('```python\nx = 1\n'), /x = 1/, 'an unterminated fence still counts');
});

test('responseToCompletion: whole function, indented body, and unindented body', () => {
  const whole = responseToCompletion(item, 'Sure!\n```python\nimport math\n\ndef hyp(a, b):\n    return math.hypot(a, b)\n```');
  assert.match(whole, /^\nimport math\n\ndef hyp\(a, b\):/);
  assert.equal(responseToCompletion(item, '    return math.sqrt(a*a + b*b)'), '    return math.sqrt(a*a + b*b)\n');
  assert.equal(responseToCompletion(item, 'c = a*a + b*b\nreturn math.sqrt(c)'), '    c = a*a + b*b\n    return math.sqrt(c)\n');
  const bare = { ...item, prompt: 'def hyp(a, b):\n' };
  assert.match(responseToCompletion(bare, 'def hyp(a, b):\n    return 5'), /^    pass\n\ndef hyp/, 'a bodiless stub gets a pass first');
});

test('gradeResponse runs HumanEval responses in the sandbox, in either shape', async () => {
  assert.equal(await gradeResponse(item, '```python\ndef hyp(a, b):\n    return math.hypot(a, b)\n```'), true, 'restated function, using the prompt import');
  assert.equal(await gradeResponse(item, 'return math.sqrt(a * a + b * b)'), true, 'bare body');
  assert.equal(await gradeResponse(item, '```python\ndef hyp(a, b):\n    return a + b\n```'), false, 'wrong function');
  assert.equal(await gradeResponse(item, 'I cannot solve this.'), false, 'prose is not code');
});

test('gradeResponse dispatches GSM8K and MMLU; goldSolutionText grades as correct for every bundled item', async () => {
  const gsm: Gsm8kItem = { task: 'gsm8k', id: 'g', question: 'q', answer: 'w\n#### 1,200', gold: '1200' };
  assert.equal(await gradeResponse(gsm, 'So the total is $1,200.'), true);
  assert.equal(await gradeResponse(gsm, 'So the total is 1,100.'), false);
  const mmlu: MmluItem = { task: 'mmlu', id: 'm', subject: 's', question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 'C' };
  assert.equal(await gradeResponse(mmlu, 'The answer is (C).'), true);
  assert.equal(await gradeResponse(mmlu, 'The answer is (B).'), false);
  assert.equal(goldSolutionText(mmlu), 'The answer is (C) c.');
  for (const it of [...loadBundledSync('gsm8k'), ...loadBundledSync('mmlu')]) {
    assert.equal(await gradeResponse(it, goldSolutionText(it)), true, it.id);
  }
  const he = loadBundledSync('humaneval')[0];
  assert.match(goldSolutionText(he), /^```python\ndef count_vowels/);
});

test('runHumanEvalResponse reuses identical verdicts but never timeouts', async () => {
  const body = '    return math.sqrt(a * a + b * b)  # cache probe ' + Math.random() + '\n';
  const first = await runHumanEvalResponse(item, body);
  const second = await runHumanEvalResponse(item, body);
  assert.equal(first.status, 'passed');
  assert.equal(second, first, 'the cached result object is returned');
  const fresh = await runHumanEvalResponse(item, body, { cache: false });
  assert.notEqual(fresh, first);
  assert.equal(fresh.status, 'passed');
  const loop = '    while True:\n        pass  # ' + Math.random() + '\n';
  const t1 = await runHumanEvalResponse(item, loop, { timeoutMs: 500 });
  const t2 = await runHumanEvalResponse(item, loop, { timeoutMs: 500 });
  assert.equal(t1.status, 'timeout');
  assert.notEqual(t2, t1, 'a timeout is run again');
});
