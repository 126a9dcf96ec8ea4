import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeHumanEvalBatch, HUMANEVAL_PROBLEMS, loadBundledSync } from '../../src/tasks';

test('every bundled HumanEval canonical solution passes and every written wrong variant fails', async () => {
  const items = loadBundledSync('humaneval');
  assert.equal(items.length, HUMANEVAL_PROBLEMS.length);
  const runs = items.flatMap((item, i) => [
    { item, completion: item.canonicalSolution, shouldPass: true },
    ...HUMANEVAL_PROBLEMS[i].mutants.map((m) => ({ item, completion: m, shouldPass: false })),
  ]);
  let progress = 0;
  const results = await executeHumanEvalBatch(runs, { onProgress: (done) => (progress = done) });
  assert.equal(progress, runs.length);
  const wrong = runs.filter((r, i) => (results[i].status === 'passed') !== r.shouldPass);
  assert.deepEqual(wrong.map((r) => `${r.item.id} ${r.shouldPass ? 'canonical did not pass' : 'mutant passed'}: ${r.completion}`), []);
  assert.ok(runs.filter((r) => !r.shouldPass).length >= items.length, 'at least one wrong variant per problem');
});
