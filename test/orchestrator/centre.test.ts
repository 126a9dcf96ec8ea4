/**
 * The centring transform of the expert encodings (src/orchestrator/centre.ts): per-item centring
 * uses only the item's own answers; per-expert centring takes its means from train items only, so
 * a test item's encodings never shift another item's; e_x is never touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centreDataset, centreItem, parseCentreMode } from '../../src/orchestrator/centre';
import type { RoutingDataset, RoutingItem } from '../../src/orchestrator/dataset';

const v = (...xs: number[]) => Float32Array.from(xs);
const item = (id: string, split: 'train' | 'test', outputs: Float32Array[], oracle: Float32Array | null = null): RoutingItem => ({
  id,
  task: 't',
  split,
  ex: v(1, 2, 3),
  outputs,
  oracle,
  correct: outputs.map(() => 0),
});
const close = (a: ArrayLike<number>, b: number[], what: string) => b.forEach((x, k) => assert.ok(Math.abs(a[k] - x) < 1e-6, `${what}[${k}] = ${a[k]}, expected ${x}`));

test("'item' subtracts the item's mean over experts from every o_i and from o*", () => {
  const it = item('a', 'test', [v(1, 0, 0), v(0, 1, 0), v(2, 2, 0)], v(1, 1, 1));
  const c = centreItem(it, false);
  close(c.outputs[0], [0, -1, 0], 'o_1');
  close(c.outputs[1], [-1, 0, 0], 'o_2');
  close(c.outputs[2], [1, 1, 0], 'o_3');
  close(c.oracle!, [0, 0, 1], 'o*');
  close(c.ex, [1, 2, 3], 'e_x');
  const u = centreItem(it);
  close(u.outputs[2], [Math.SQRT1_2, Math.SQRT1_2, 0], 'unit o_3');
  // identical answers centre to zero vectors, which stay zero (no division by zero)
  const same = centreItem(item('b', 'test', [v(1, 2, 0), v(1, 2, 0)]));
  close(same.outputs[0], [0, 0, 0], 'identical');
});

test("'expert' takes the means from train items only: a test item's encodings do not move anyone else's", () => {
  const ds = (testOut: Float32Array): RoutingDataset => ({
    expertIds: ['A', 'B'],
    dim: 3,
    items: [item('tr1', 'train', [v(1, 0, 0), v(0, 1, 0)]), item('tr2', 'train', [v(3, 0, 0), v(0, 3, 0)]), item('te', 'test', [testOut, v(0, 0, 1)])],
  });
  const a = centreDataset(ds(v(5, 5, 5)), { mode: 'expert', unit: false });
  const b = centreDataset(ds(v(-9, 0, 0)), { mode: 'expert', unit: false });
  close(a.items[0].outputs[0], [-1, 0, 0], 'tr1 A');
  close(a.items[2].outputs[0], [3, 5, 5], 'te A');
  close(a.items[2].outputs[1], [0, -2, 1], 'te B');
  for (const k of [0, 1]) for (const e of [0, 1]) assert.deepEqual(Array.from(a.items[k].outputs[e]), Array.from(b.items[k].outputs[e]), `train item ${k} expert ${e} moved with the test item`);
  assert.deepEqual(a.meta, { centre: { mode: 'expert', unit: false } });
});

test("'none' is the identity; a task without train items and unknown modes are refused", () => {
  const ds: RoutingDataset = { expertIds: ['A'], dim: 3, items: [item('x', 'test', [v(1, 2, 3)])] };
  assert.equal(centreDataset(ds, { mode: 'none' }), ds);
  assert.throws(() => centreDataset(ds, { mode: 'expert' }), /task 't' has no train items/);
  assert.throws(() => parseCentreMode('items'), /centre mode 'items' is not one of none, item, expert/);
});
