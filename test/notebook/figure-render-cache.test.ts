/**
 * Figure images reused from the cache (src/notebook/figure-render-cache.ts): the second export of
 * the same figure copies the images drawn the first time (same bytes, said in `browser`), and a
 * figure whose data changed is drawn again.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { browserAvailable, closeExporter, groupedBar } from '../../src/plots/index';
import { exportFigureCached, figureCacheKey } from '../../src/notebook/figure-render-cache';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-figure-cache-'));
after(async () => {
  await closeExporter();
  fs.rmSync(work, { recursive: true, force: true });
});
const env = { ...process.env, INFORM_FIGURE_CACHE_DIR: path.join(work, 'cache') };
const fig = (values: number[]) =>
  groupedBar({ name: 'acc', title: 'Held-out accuracy per expert', xTitle: 'expert', yTitle: 'accuracy (fraction correct)', categories: ['E1', 'E2'], groups: [{ name: 'gsm8k', values }] });
const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, `acc.${f}`));

test('the key changes with the data and the name, not between identical figures', () => {
  assert.equal(figureCacheKey(fig([0.5, 0.7]), 'acc', env), figureCacheKey(fig([0.5, 0.7]), 'acc', env));
  assert.notEqual(figureCacheKey(fig([0.5, 0.7]), 'acc', env), figureCacheKey(fig([0.5, 0.71]), 'acc', env));
  assert.notEqual(figureCacheKey(fig([0.5, 0.7]), 'acc', env), figureCacheKey(fig([0.5, 0.7]), 'acc2', env));
});

test('a second export reuses the drawn images byte for byte; changed data is drawn again', { skip: browserAvailable() ? false : 'no Chromium', timeout: 120_000 }, async () => {
  const a = path.join(work, 'a');
  const first = await exportFigureCached(fig([0.5, 0.7]), { dir: a, env });
  assert.deepEqual(Object.keys(first.written).sort(), ['csv', 'json', 'pdf', 'png', 'svg']);
  assert.doesNotMatch(first.browser ?? '', /reused/);

  const b = path.join(work, 'b');
  const second = await exportFigureCached(fig([0.5, 0.7]), { dir: b, env });
  assert.deepEqual(Object.keys(second.written).sort(), ['csv', 'json', 'pdf', 'png', 'svg']);
  assert.match(second.browser ?? '', /\(reused from .*cache\)$/);
  for (const f of ['svg', 'png', 'pdf', 'csv', 'json']) assert.deepEqual(read(b, f), read(a, f), f);

  const c = path.join(work, 'c');
  const changed = await exportFigureCached(fig([0.5, 0.9]), { dir: c, env });
  assert.doesNotMatch(changed.browser ?? '', /reused/);
  assert.notDeepEqual(read(c, 'svg'), read(a, 'svg'));
  assert.equal(fs.readdirSync(path.join(work, 'cache')).length, 2);

  const off = await exportFigureCached(fig([0.5, 0.7]), { dir: path.join(work, 'd'), env: { ...env, INFORM_FIGURE_CACHE: '0' } });
  assert.doesNotMatch(off.browser ?? '', /reused/);
});
