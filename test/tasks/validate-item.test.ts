/**
 * Items entering the sandbox and the graders are checked: a hand-built item in the official
 * HumanEval field names, or with a code-injecting entry point, is an error naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  executeHumanEval,
  executeHumanEvalBatch,
  goldSolutionText,
  gradeResponse,
  humanEvalItemFromOfficial,
  humanEvalProgram,
  runHumanEvalResponse,
  TaskItemError,
  type HumanEvalItem,
  type TaskItem,
} from '../../src/tasks';

const item: HumanEvalItem = {
  task: 'humaneval',
  id: 'T/add',
  prompt: 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n',
  canonicalSolution: '    return a + b\n',
  test: 'def check(candidate):\n    assert candidate(1, 2) == 3\n',
  entryPoint: 'add',
};
const official = { task_id: 'T/add', prompt: item.prompt, canonical_solution: item.canonicalSolution, test: item.test, entry_point: 'add' };

/** A rejection that is a TaskItemError naming `field` and matching `re`. */
function naming(field: string, re: RegExp) {
  return (e: unknown) => e instanceof TaskItemError && e.field === field && re.test(e.message);
}

test('the official snake_case HumanEval record is rejected everywhere with a hint (it graded correct code as failed)', async () => {
  const asItem = official as unknown as HumanEvalItem;
  const hint = naming('task_id', /official HumanEval record .*humanEvalItemFromOfficial/);
  await assert.rejects(executeHumanEval(asItem, item.canonicalSolution), hint);
  await assert.rejects(executeHumanEvalBatch([{ item: asItem, completion: item.canonicalSolution }]), hint);
  assert.throws(() => goldSolutionText(asItem), hint);
  await assert.rejects(gradeResponse(asItem, 'def add(a, b):\n    return a + b\n'), hint);
  await assert.rejects(runHumanEvalResponse(asItem, 'return a + b'), hint);
  assert.throws(() => humanEvalProgram(asItem, ''), hint);
});

test('the loader conversion accepts the official record, and the converted item passes', async () => {
  const converted = humanEvalItemFromOfficial(official);
  assert.deepEqual(converted, item);
  assert.equal((await executeHumanEval(converted, item.canonicalSolution)).status, 'passed');
  assert.throws(() => humanEvalItemFromOfficial({ ...official, entry_point: 'sub' }), naming('entryPoint', /prompt does not define 'sub'/));
  assert.throws(() => humanEvalItemFromOfficial({ ...official, task_id: undefined }), naming('task_id', /is missing/));
});

test('an entry point that is not an identifier never reaches the program (it ran and counted as passed)', async () => {
  const evil = { ...item, entryPoint: 'f) or print("x"' };
  const re = naming('entryPoint', /must be a Python identifier .*got "f\) or print/);
  await assert.rejects(executeHumanEval(evil, 'return 0'), re);
  await assert.rejects(gradeResponse(evil, 'return 0'), re);
  assert.throws(() => humanEvalProgram(evil, 'return 0'), re);
  await assert.rejects(executeHumanEval({ ...item, entryPoint: 'sub' }, item.canonicalSolution), naming('entryPoint', /does not define 'sub'/));
  await assert.rejects(executeHumanEval({ ...item, test: 'assert True' }, item.canonicalSolution), naming('test', /must define check/));
});

test('graders reject items they cannot grade instead of returning undefined', async () => {
  const cases: [unknown, string, RegExp][] = [
    [{ ...item, task: 'humanevals' }, 'task', /must be gsm8k, mmlu or humaneval, got "humanevals"/],
    [{ task: 'gsm8k', id: 'g1', question: 'q', answer: '#### 4' }, 'gold', /is missing/],
    [{ task: 'mmlu', id: 'm1', subject: 's', question: 'q', choices: ['a', 'b', 'c'], answer: 'A' }, 'choices', /./],
    [{ task: 'mmlu', id: 'm1', subject: 's', question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 'E' }, 'answer', /one of A, B, C, D, got "E"/],
    [null, '', /expected an object, got null/],
  ];
  for (const [bad, field, re] of cases) {
    await assert.rejects(gradeResponse(bad as TaskItem, 'The answer is (A)'), naming(field, re), JSON.stringify(bad));
    assert.throws(() => goldSolutionText(bad as TaskItem), naming(field, re));
  }
  // well-formed items still grade
  assert.equal(await gradeResponse({ task: 'gsm8k', id: 'g1', question: 'q', answer: '#### 4', gold: '4' }, 'so #### 4'), true);
  assert.equal(await gradeResponse({ task: 'mmlu', id: 'm1', subject: 's', question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 'B' }, 'The answer is (B)'), true);
});
