import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractChoice, extractGsm8kAnswer, gradeGsm8k, meanPassAtK, passAtK } from '../../src/tasks';
import { parseNumber } from '../../src/tasks/numbers';

test('gradeGsm8k: the #### convention, commas, currency, decimals, fractions, negatives', () => {
  const cases: Array<[string, string, boolean]> = [
    ['She has 3*4 = <<3*4=12>>12 pens.\n#### 12', '12', true],
    ['#### 1,250', '1250', true],
    ['The total is $1,250.00.', '1250', true],
    ['So she pays $12.50 in all.', '12.5', true],
    ['Each gets 3/4 of a pie.', '0.75', true],
    ['Each gets \\frac{3}{4} of a pie.', '0.75', true],
    ['The temperature ends at -5 degrees.', '-5', true],
    ['10-3 = 7 apples remain.', '7', true],
    ['10-3 = 7 apples remain.', '-3', false],
    ['About 50% of them, which is 20 students.', '20', true],
    ['The answer is 42.', '42', true],
    ['The answer is 42. Check: 6*7 = 42, and 40 + 2 = 42 too, so 2 extra.', '42', true],
    ['Final answer: \\boxed{18}', '18', true],
    ['#### 18\nSome trailing chatter mentioning 3 things.', '18', true],
    ['I computed 5+5 = 10, then doubled to get 20', '10', false],
    ['No numbers here at all.', '5', false],
    ['', '5', false],
    ['The answer is 1,000,000.', '1000000', true],
    ['We need 0.5 cups.', '.5', true],
    ['Result: 7.', '7.0', true],
  ];
  for (const [response, gold, expected] of cases) assert.equal(gradeGsm8k(response, gold), expected, `${JSON.stringify(response)} vs ${gold}`);
});

test('extractGsm8kAnswer prefers an explicit statement over the last number', () => {
  assert.equal(extractGsm8kAnswer('The answer is 12 apples. Double-check: 3 * 4 = 12, plus 0 = 12. Total items 15?'), 12);
  assert.equal(extractGsm8kAnswer('x = 3 and y = 9'), 9);
  assert.equal(extractGsm8kAnswer('nothing'), null);
  assert.equal(extractGsm8kAnswer('Model x2 got 3b1b views: 40'), 40, 'digits glued to words are not numbers');
});

test('extractGsm8kAnswer: a `####` markdown heading is not the GSM8K answer line', () => {
  const markdown = '#### Step 1\nShe buys 3 packs of 6 = 18 eggs.\n#### Step 2\n18 - 4 = 14 are left.\nThe answer is 14.';
  assert.equal(extractGsm8kAnswer(markdown), 14);
  assert.equal(extractGsm8kAnswer('#### 2. Add the costs\n5 + 7 = 12\n#### Final answer\n12 dollars'), 12);
  assert.equal(extractGsm8kAnswer('#### 72 apples'), 72, 'a number with a unit still counts');
  assert.equal(extractGsm8kAnswer('18 - 4 = 14\n#### 14\n#### Notes\nI used 2 steps.'), 14, 'the last real #### line wins over a later heading');
});

test('parseNumber accepts one number only', () => {
  assert.equal(parseNumber('1,250'), 1250);
  assert.equal(parseNumber('$3.50'), 3.5);
  assert.equal(parseNumber('-7'), -7);
  assert.equal(parseNumber('12%'), 12);
  assert.equal(parseNumber('3/4'), 0.75);
  assert.equal(parseNumber('12 apples'), null);
  assert.equal(parseNumber('1, 2'), null);
  assert.equal(parseNumber(''), null);
  assert.throws(() => gradeGsm8k('12', 'twelve'), /gold answer 'twelve' is not a number/);
});

test('extractChoice reads the usual ways of stating an option', () => {
  const cases: Array<[string, string | null]> = [
    ['The answer is (C).', 'C'],
    ['Answer: B', 'B'],
    ['answer: **D**', 'D'],
    ['**C**', 'C'],
    ['**B. Paris** is the capital.', 'B'],
    ['C. Mitochondria\nBecause it makes ATP.', 'C'],
    ['(A)', 'A'],
    ['D', 'D'],
    ['b.', null],
    ['The correct option is A since the others fail.', 'A'],
    ['Final answer: \\boxed{B}', 'B'],
    ['I first thought the answer is A, but on reflection the answer is C.', 'C'],
    ['A good approach is to eliminate options. The answer is D.', 'D'],
    ['A. 3\nB. 4\nC. 5\nD. 6', null],
    ['Option A says one thing and option B another.', null],
    ['I am not sure.', null],
    ['', null],
    ['The answer is (E).', null],
    ['Between (A) and (C), I pick (C) because (C) fits; the answer is C', 'C'],
  ];
  for (const [text, want] of cases) assert.equal(extractChoice(text), want, JSON.stringify(text));
});

// C(n, k) with BigInt, to check the product form against the textbook definition.
function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

test('passAtK is the unbiased estimator 1 - C(n-c,k)/C(n,k)', () => {
  assert.ok(Math.abs(passAtK(10, 3, 1) - 0.3) < 1e-12);
  assert.equal(passAtK(5, 0, 3), 0);
  assert.equal(passAtK(5, 5, 1), 1);
  assert.equal(passAtK(5, 3, 3), 1, 'fewer than k failures means a pass is certain');
  for (const [n, c, k] of [[20, 4, 5], [200, 17, 10], [13, 6, 7], [100, 1, 100]]) {
    const exact = 1 - Number((choose(n - c, k) * 1_000_000_000_000n) / choose(n, k)) / 1e12;
    assert.ok(Math.abs(passAtK(n, c, k) - exact) < 1e-9, `n=${n} c=${c} k=${k}: ${passAtK(n, c, k)} vs ${exact}`);
  }
  assert.equal(meanPassAtK([{ n: 10, c: 3 }, { n: 10, c: 7 }], 1), 0.5);
  assert.throws(() => passAtK(5, 6, 1), /cannot exceed n/);
  assert.throws(() => passAtK(5, 2, 0), /k must be in 1\.\.n/);
  assert.throws(() => passAtK(5, 2, 6), /k must be in 1\.\.n/);
  assert.throws(() => passAtK(2.5, 1, 1), /n must be a non-negative integer/);
});
