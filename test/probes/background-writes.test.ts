/**
 * The probe pass's background writes: every file lands, complete, by `settle()`; a write that
 * fails is thrown there (not as an unhandled rejection), and the others still land.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackgroundWrites, readCached } from '../../src/probes/probe-cache';
import { madeTempDir } from '../temp-dirs';

test('BackgroundWrites: files land by settle(), atomically; a failed write is thrown by settle() and the rest still land', async () => {
  const dir = madeTempDir(path.join(os.tmpdir(), 'background-writes-'));
  const w = new BackgroundWrites();
  const big = 'x'.repeat(4_000_000);
  w.write(path.join(dir, 'a', 'big.txt'), big);
  w.writeCached(path.join(dir, 'a', 'table.json'), { seed: 1 }, { rows: [1, 2, 3] });
  w.write(path.join(dir, 'a', 'big.txt'), `${big}y`); // a second write of one file: the later one wins
  await w.settle();
  assert.equal(fs.readFileSync(path.join(dir, 'a', 'big.txt'), 'utf8'), `${big}y`);
  assert.deepEqual(readCached(path.join(dir, 'a', 'table.json'), { seed: 1 }), { rows: [1, 2, 3] });
  assert.deepEqual(fs.readdirSync(path.join(dir, 'a')).sort(), ['big.txt', 'table.json'], 'no temporary file is left');

  // a folder that cannot be made (a file is in its way)
  fs.writeFileSync(path.join(dir, 'blocker'), '');
  let unhandled: unknown;
  const onUnhandled = (e: unknown) => (unhandled = e);
  process.on('unhandledRejection', onUnhandled);
  try {
    w.write(path.join(dir, 'blocker', 'x.csv'), 'a,b\n');
    w.write(path.join(dir, 'b', 'y.csv'), 'c,d\n');
    await new Promise((r) => setTimeout(r, 50)); // the failure happens before anyone awaits it
    await assert.rejects(w.settle(), /EEXIST|ENOTDIR/);
    assert.equal(unhandled, undefined, 'the failure is not an unhandled rejection');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(fs.readFileSync(path.join(dir, 'b', 'y.csv'), 'utf8'), 'c,d\n', 'the other write landed');
  await w.settle(); // a failure is thrown once
});
