// Runs in its own process (node --test isolates files), so INFORM_CHROMIUM can force the bundled
// browser before the exporter first looks for one: this is what a machine without a system
// Chromium gets after `npm ci` alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledChromiumInstalled, closeExporter, exportFigure, exporterBrowser, groupedBar, locateBrowser } from '../../src/plots/index';

process.env.INFORM_CHROMIUM = 'bundled';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-export-bundled-'));
after(async () => {
  await closeExporter();
  fs.rmSync(dir, { recursive: true, force: true });
});
const skip = bundledChromiumInstalled() ? false : '@sparticuz/chromium is not installed (npm ci installs it)';

test('without a system Chromium, export falls back to the Chromium inside @sparticuz/chromium and says so', { skip, timeout: 120_000 }, async () => {
  const choice = await locateBrowser();
  assert.ok(!('missing' in choice), JSON.stringify(choice));
  assert.equal(choice.source, 'bundled');
  const fig = groupedBar({ name: 'acc', title: 'Held-out accuracy per expert', xTitle: 'expert', yTitle: 'accuracy (fraction correct)', categories: ['E1', 'E2'], groups: [{ name: 'gsm8k', values: [0.5, 0.7] }] });
  const res = await exportFigure(fig, { dir });
  assert.deepEqual(res.skipped, []);
  assert.deepEqual(Object.keys(res.written).sort(), ['csv', 'json', 'pdf', 'png', 'svg']);
  assert.match(res.browser ?? '', /^bundled Chromium \(@sparticuz\/chromium \d+\.\d+\.\d+\)/);
  assert.equal(exporterBrowser()?.source, 'bundled');
  const svg = fs.readFileSync(res.written.svg!, 'utf8');
  assert.ok(svg.includes('Held-out accuracy per expert'));
  assert.equal(fs.readFileSync(res.written.pdf!).subarray(0, 5).toString(), '%PDF-');
  assert.ok(fs.statSync(res.written.png!).size > 5000, 'a real picture');
});

test('INFORM_CHROMIUM accepts only auto, system or bundled', async () => {
  const r = await locateBrowser({ ...process.env, INFORM_CHROMIUM: 'firefox' });
  assert.ok('missing' in r && /INFORM_CHROMIUM must be auto, system or bundled, got 'firefox'/.test(r.missing));
});

test('a bundled Chromium that cannot be unpacked is reported as missing (the export goes on without images), not thrown', { skip }, async () => {
  const blocker = path.join(dir, 'not-a-folder');
  fs.writeFileSync(blocker, 'a file where the cache folder should go');
  // A fresh process: the unpacked copy of this one is cached in memory.
  const { spawnSync } = await import('node:child_process');
  const script = "require('./src/plots/chromium').locateBrowser().then((r) => console.log(JSON.stringify(r)))";
  const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: { ...process.env, INFORM_CHROMIUM: 'bundled', INFORM_CHROMIUM_CACHE: path.join(blocker, 'cache') },
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  const r = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '{}') as { missing?: string };
  assert.match(r.missing ?? '', /the bundled Chromium \(@sparticuz\/chromium\) could not be unpacked: .*(ENOTDIR|EEXIST)/);
});
