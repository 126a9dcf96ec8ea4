/** Intrinsic importance on a tiny model: finite differences, masking, batching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { disposeBatch, toBatch } from '../../src/orchestrator/dataset';
import { encode, route } from '../../src/orchestrator/model';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { intrinsicImportance } from '../../src/probes/intrinsic';
import { readRouting } from '../../src/probes/routing-read';
import { tinyInstance } from '../orchestrator/tiny';

function setup() {
  const t = tinyInstance(7, true);
  const ds = syntheticRoutingDataset({ seed: 7, nItems: 5, nExperts: 4, dim: 12, nDomains: 2 });
  return { model: t.model, items: ds.items };
}

test('intrinsic importance equals the finite-difference gradient norm, averaged over the chain steps', async () => {
  await ensureBackend();
  const { model, items } = setup();
  const read = readRouting(model, items);
  const I = intrinsicImportance(model, items, read.chains, { batchSize: 2 }); // batches of 2: rows of several items and steps per call
  const b = 3;
  const chain = read.chains[b];
  assert.ok(chain.length >= 2, `the tiny model's chain for item ${b} should have several steps (got ${chain})`);
  const batch = toBatch([items[b]], 12);
  try {
    const { h, ctx } = encode(model, { ex: batch.ex, outputs: batch.outputs });
    const hv = h.arraySync()[0];
    const d = hv[0].length;
    const f = (hh: number[][], t: number) =>
      tf.tidy(() => (route(model, tf.tensor3d([hh]), ctx, { steps: chain.length, forcedChain: [chain] }).logProbSelected.arraySync() as number[][])[0][t]);
    const eps = 1e-2;
    for (let i = 0; i < 4; i++) {
      let avg = 0;
      for (let t = 0; t < chain.length; t++) {
        let sq = 0;
        for (let k = 0; k < d; k++) {
          const plus = hv.map((r) => [...r]);
          const minus = hv.map((r) => [...r]);
          plus[i][k] += eps;
          minus[i][k] -= eps;
          sq += ((f(plus, t) - f(minus, t)) / (2 * eps)) ** 2;
        }
        avg += Math.sqrt(sq) / chain.length;
      }
      assert.ok(Math.abs(avg - I.perItem[b][i]) <= 2e-3 + 2e-2 * avg, `expert ${i}: finite differences ${avg}, probe ${I.perItem[b][i]}`);
    }
    h.dispose();
    ctx.dispose();
  } finally {
    disposeBatch(batch);
  }
  // the mean is the mean over items
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(I.mean[i] - I.perItem.reduce((a, r) => a + r[i], 0) / items.length) < 1e-12);
});

test('an expert whose representation the model cannot read (masked) has intrinsic importance 0; the others do not', async () => {
  await ensureBackend();
  const { model, items } = setup();
  const available = [true, false, true, true];
  const read = readRouting(model, items, { available });
  assert.ok(read.chains.every((c) => !c.includes(1)));
  const I = intrinsicImportance(model, items, read.chains, { available });
  for (const row of I.perItem) {
    assert.equal(row[1], 0);
    for (const i of [0, 2, 3]) assert.ok(row[i] > 1e-4, `expert ${i}: ${row[i]}`);
  }
  // one batch or one item per batch: the same numbers (rows of a batch do not mix)
  const one = intrinsicImportance(model, items, read.chains, { available, batchSize: 1 });
  one.perItem.forEach((row, b) => row.forEach((x, i) => assert.ok(Math.abs(x - I.perItem[b][i]) < 1e-5)));
});

test('chains of one step (every item stops at once) still get intrinsic importance (tf.oneHot refused depth 1)', async () => {
  await ensureBackend();
  const { model, items } = setup();
  const read = readRouting(model, items, { maxSteps: 1 });
  assert.ok(read.chains.every((c) => c.length === 1));
  const I = intrinsicImportance(model, items, read.chains);
  assert.equal(I.perItem.length, items.length);
  assert.ok(I.mean.every((x) => Number.isFinite(x) && x >= 0) && I.mean.some((x) => x > 0));
});

test('a model that ignores the representations (intrinsic-only score, selection not reading h) gives every expert intrinsic importance exactly 0', async () => {
  await ensureBackend();
  const { model, items } = setup();
  assert.equal(model.config.selectionReadsH, false); // a_i(x) + phi_i read the prompt only
  // intrinsic-only: the score is a_i(x) + phi_i, no connectivity and no successor term, so nothing reads h
  const read = readRouting(model, items, { scoreParts: 'intrinsic-only' });
  const I = intrinsicImportance(model, items, read.chains, { scoreParts: 'intrinsic-only' });
  for (const row of I.perItem) assert.deepEqual(row, [0, 0, 0, 0]);
  // the same chains under the full score do read h
  const full = intrinsicImportance(model, items, read.chains);
  assert.ok(full.mean.every((x) => x > 1e-4), `full score: ${full.mean}`);
});
