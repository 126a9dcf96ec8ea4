/** Scoring of chains against graded answers, and building a dataset from the consortium's table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashingEncoder } from '../../src/encoders';
import type { ResponseRow } from '../../src/experts';
import { gradeChainFromData, scoreChains, withMeanOutputs } from '../../src/orchestrator/evaluate';
import { buildRoutingDataset } from '../../src/orchestrator/from-consortium';
import type { RoutingItem } from '../../src/orchestrator/dataset';
import type { Gsm8kItem } from '../../src/tasks/types';

const item = (correct: number[]): RoutingItem => ({ id: 'x', task: 't', ex: new Float32Array(2), outputs: correct.map(() => new Float32Array(2)), oracle: null, correct });

test('scoreChains: final expert decides, baselines computed exactly', () => {
  const items = [item([1, 0, 0]), item([0, 1, 0]), item([0, 1, 1]), item([0, 0, 0])];
  const chains = [[0], [2, 1], [0], [1, 2, 0]];
  const s = scoreChains(items, chains, ['a', 'b', 'c']);
  assert.equal(s.accuracy, 2 / 4); // items 0 (ends on a) and 1 (ends on b)
  assert.equal(s.avgCalls, 7 / 4);
  assert.deepEqual(s.perExpertAccuracy, [1 / 4, 2 / 4, 1 / 4]);
  assert.deepEqual(s.bestSingle, { expertId: 'b', accuracy: 0.5, chosenOn: 'evaluated' });
  assert.equal(s.uniformRouter, (1 / 3 + 1 / 3 + 2 / 3 + 0) / 4);
  assert.equal(s.anyCorrect, 3 / 4);
  // the best single expert chosen on other (train) items, scored on these
  const train = [item([0, 0, 1]), item([1, 0, 1])];
  assert.deepEqual(scoreChains(items, chains, ['a', 'b', 'c'], train).bestSingle, { expertId: 'c', accuracy: 0.25, chosenOn: 'train' });
});

test('a chain is graded by its last pair "j after i" where generated, else by the last solo grade', () => {
  const it: RoutingItem = { ...item([1, 0, 0]), pairCorrect: [[null, 1, null], [0, null, 0], [null, null, null]] };
  assert.equal(gradeChainFromData(it, [0]), 1);
  assert.equal(gradeChainFromData(it, [0, 1]), 1, 'b after a was right though b alone was wrong');
  assert.equal(gradeChainFromData(it, [1, 0]), 0, 'a after b was wrong though a alone was right');
  assert.equal(gradeChainFromData(it, [2, 0]), 1, 'not generated: a\'s solo grade stands in');
  assert.equal(gradeChainFromData(it, [2, 0, 1]), 1, 'a longer chain: its last pair');
  const s = scoreChains([it, item([0, 0, 0])], [[0, 1], [0]], ['a', 'b', 'c']);
  assert.equal(s.accuracy, 0.5);
  // the ceiling counts an item that only a pair solved
  assert.equal(scoreChains([{ ...item([0, 0, 0]), pairCorrect: [[null, 1, null], [null, null, null], [null, null, null]] }], [[0]], ['a', 'b', 'c']).anyCorrect, 1);
});

test('no-content inputs: every o_i becomes expert i\'s mean train encoding of the same task', () => {
  const mk = (id: string, task: string, o: number[][]): RoutingItem => ({ id, task, ex: new Float32Array([1, 2]), outputs: o.map((v) => Float32Array.from(v)), oracle: null, correct: [0, 0] });
  const train = [mk('t1', 'a', [[1, 0], [0, 2]]), mk('t2', 'a', [[3, 0], [0, 4]]), mk('t3', 'b', [[9, 9], [9, 9]])];
  const [x] = withMeanOutputs([mk('x', 'a', [[100, 100], [100, 100]])], train);
  assert.deepEqual(x.outputs.map((o) => Array.from(o)), [[2, 0], [0, 3]]);
  assert.deepEqual(Array.from(x.ex), [1, 2], 'the prompt stays');
});

const gsm: Gsm8kItem = { task: 'gsm8k', id: 'g1', question: 'What is 2+3?', answer: '2+3=5\n#### 5', gold: '5' };
const row = (correct: [boolean | null, boolean | null]): ResponseRow => ({
  item: gsm,
  prompt: 'What is 2+3?',
  responses: [
    { expertId: 'E1', text: 'The answer is 5.', correct: correct[0] },
    { expertId: 'E2', text: 'I think it is 6.', correct: correct[1] },
  ],
  oracleText: '2+3=5. #### 5',
  goldText: '2+3=5\n#### 5',
});

test('buildRoutingDataset encodes prompt, answers and oracle; refuses ungraded answers', async () => {
  const ds = await buildRoutingDataset({ rows: [row([true, false])], encoder: hashingEncoder() });
  assert.deepEqual(ds.expertIds, ['E1', 'E2']);
  assert.equal(ds.dim, 768);
  assert.deepEqual(ds.items[0].correct, [1, 0]);
  const [ex, o1, oracle] = await hashingEncoder().encode(['What is 2+3?', 'The answer is 5.', '2+3=5. #### 5']);
  assert.deepEqual(Array.from(ds.items[0].ex), Array.from(ex));
  assert.deepEqual(Array.from(ds.items[0].outputs[0]), Array.from(o1));
  assert.deepEqual(Array.from(ds.items[0].oracle!), Array.from(oracle));
  await assert.rejects(buildRoutingDataset({ rows: [row([true, null])], encoder: hashingEncoder() }), /item g1, expert E2: response was never graded/);
});
