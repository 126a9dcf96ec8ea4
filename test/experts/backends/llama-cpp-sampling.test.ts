import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmax,
  entropyFromLogits,
  sampleIndex,
  seededUniform,
  seedFromString,
} from '../../../src/experts/backends/llama-cpp-sampling';

test('entropy of softmax: uniform is ln n, a one-hot-like distribution is ~0, shift invariant', () => {
  assert.ok(Math.abs(entropyFromLogits([0, 0, 0, 0]) - Math.log(4)) < 1e-12);
  assert.ok(entropyFromLogits([1000, 0, 0]) < 1e-12);
  const a = entropyFromLogits([1, 2, 3]);
  const b = entropyFromLogits([101, 102, 103]);
  assert.ok(Math.abs(a - b) < 1e-12);
  // Direct formula for p = softmax([1, 2, 3]).
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  const p = [1, 2, 3].map((l) => Math.exp(l) / z);
  const h = -p.reduce((s, x) => s + x * Math.log(x), 0);
  assert.ok(Math.abs(a - h) < 1e-12);
  assert.throws(() => entropyFromLogits([]), /empty/);
});

test('temperature 0 is argmax with ties to the lowest index, whatever the draw', () => {
  assert.equal(argmax([1, 3, 3, 2]), 1);
  for (const u of [0, 0.3, 0.999]) assert.equal(sampleIndex([1, 3, 3, 2], { temperature: 0, topP: 0.7 }, u), 1);
  assert.equal(sampleIndex([0, 5, 4.9999], { temperature: 8e-6, topP: 1 }, 0.99), 1);
});

test('top-p keeps only the nucleus', () => {
  // probs at T=1: [0.6652, 0.2447, 0.0900]; topP 0.6 keeps only the first token.
  const logits = [2, 1, 0];
  for (let i = 0; i < 50; i++) assert.equal(sampleIndex(logits, { temperature: 1, topP: 0.6 }, i / 50), 0);
  // topP 0.9 keeps two tokens, never the third.
  const seen = new Set<number>();
  for (let i = 0; i < 100; i++) seen.add(sampleIndex(logits, { temperature: 1, topP: 0.9 }, i / 100));
  assert.deepEqual([...seen].sort(), [0, 1]);
});

test('sampling frequencies follow softmax(logits / T)', () => {
  const rand = seededUniform(5);
  const counts = [0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleIndex([0, Math.log(2), Math.log(5)], { temperature: 1, topP: 1 }, rand())]++;
  const expected = [1 / 8, 2 / 8, 5 / 8];
  counts.forEach((c, i) => assert.ok(Math.abs(c / n - expected[i]) < 0.015, `token ${i}: ${c / n} vs ${expected[i]}`));
});

test('the PRNG is reproducible per seed and seeds from ids are stable and distinct', () => {
  const a = seededUniform(42);
  const b = seededUniform(42);
  const xs = Array.from({ length: 5 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
  for (const x of xs) assert.ok(x >= 0 && x < 1);
  assert.equal(seedFromString('E1'), seedFromString('E1'));
  assert.notEqual(seedFromString('E1'), seedFromString('E2'));
});

test('bad sampling parameters are rejected with the parameter name', () => {
  assert.throws(() => sampleIndex([0, 1], { temperature: -1, topP: 1 }, 0.5), /temperature/);
  assert.throws(() => sampleIndex([0, 1], { temperature: 1, topP: 0 }, 0.5), /topP/);
});
