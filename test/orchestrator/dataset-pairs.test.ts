/** Pair correctness in the routing dataset: validation, the v2 file format, v1 compatibility, batching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../../src/orchestrator/backend';
import { disposeBatch, loadRoutingDataset, routingDatasetFingerprint, saveRoutingDataset, toBatch, validateRoutingDataset, type RoutingDataset } from '../../src/orchestrator/dataset';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';

function withPairs(): RoutingDataset {
  const ds = syntheticRoutingDataset({ seed: 1, nItems: 3, nExperts: 3, dim: 4 });
  ds.items[0].pairCorrect = [[null, 1, 0], [0, null, null], [1, 1, null]];
  return ds;
}

test('pairCorrect is validated: shape, null diagonal, 0/1/null values', () => {
  const ds = withPairs();
  validateRoutingDataset(ds);
  ds.items[0].pairCorrect![1][1] = 1;
  assert.throws(() => validateRoutingDataset(ds), /item 0 \(id 'synthetic-0'\): pairCorrect\[1\]\[1\] is 1: an expert does not follow itself/);
  ds.items[0].pairCorrect![1][1] = null;
  ds.items[0].pairCorrect![2] = [1, 1];
  assert.throws(() => validateRoutingDataset(ds), /pairCorrect\[2\] has 2 entries, expected 3/);
});

test('version 2 files carry pairs; version 1 files still load (as datasets without pairs)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-pairs-'));
  try {
    const file = path.join(dir, 'd.jsonl');
    const ds = withPairs();
    saveRoutingDataset(ds, file);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(JSON.parse(lines[0]).version, 2);
    const back = loadRoutingDataset(file);
    assert.deepEqual(back.items[0].pairCorrect, ds.items[0].pairCorrect);
    assert.equal(back.items[1].pairCorrect, undefined);
    assert.equal(routingDatasetFingerprint(back), routingDatasetFingerprint(ds));
    // pairs change the fingerprint (they change training); a dataset without pairs keeps its v1 fingerprint
    const plain = { ...ds, items: ds.items.map(({ pairCorrect: _p, ...it }) => it) };
    assert.notEqual(routingDatasetFingerprint(plain), routingDatasetFingerprint(ds));

    const v1 = [JSON.stringify({ ...JSON.parse(lines[0]), version: 1 }), lines[2], lines[3]].join('\n');
    fs.writeFileSync(file, v1);
    assert.equal(loadRoutingDataset(file).items.length, 2);
    fs.writeFileSync(file, [JSON.stringify({ ...JSON.parse(lines[0]), version: 1 }), lines[1]].join('\n'));
    assert.throws(() => loadRoutingDataset(file), /d\.jsonl:2: field 'pairCorrect': a version 1 dataset has no pairs/);
    fs.writeFileSync(file, [lines[0], lines[1].replace('"pairCorrect":[[null,1,0]', '"pairCorrect":[[null,2,0]')].join('\n'));
    assert.throws(() => loadRoutingDataset(file), /d\.jsonl:2: field 'pairCorrect\.0\.1'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('toBatch: generated pairs as graded, the rest filled with the successor\'s solo grade, and a mask', async () => {
  await ensureBackend();
  const ds = withPairs();
  ds.items[0].correct = [1, 0, 1];
  const b = toBatch(ds.items.slice(0, 1), 4);
  assert.deepEqual(b.pairCorrect.arraySync(), [[[1, 1, 0], [0, 0, 1], [1, 1, 1]]]);
  assert.deepEqual(b.pairMask.arraySync(), [[[0, 1, 1], [1, 0, 0], [1, 1, 0]]]);
  disposeBatch(b);
});
