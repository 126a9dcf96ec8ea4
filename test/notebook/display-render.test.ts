// The notebook HTML of a figure, run in real headless Chromium the way JupyterLab / VS Code run
// trusted output: does plotly draw from the inlined bundle, do later figures reuse it, and does
// a viewer without scripts (GitHub, an untrusted notebook) still see the static image?
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { figureHtml } from '../../src/notebook/display';
import { CHROMIUM_ARGS } from '../../src/plots/renderer';
import { closeExporter, findChromium, groupedBar, heatmap, renderFigure } from '../../src/plots/index';

const chromium = findChromium();
const skip = chromium.path ? false : 'Chromium not installed (apt-get install chromium): inline rendering not exercised';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-display-render-'));
let context: BrowserContext | null = null;

before(async () => {
  if (!chromium.path) return;
  const { chromium: pw } = require('playwright-core') as typeof import('playwright-core');
  context = await pw.launchPersistentContext(profile, { executablePath: chromium.path, headless: true, args: [...CHROMIUM_ARGS] });
});
after(async () => {
  await context?.close();
  await closeExporter();
  fs.rmSync(profile, { recursive: true, force: true });
});

const a = heatmap({ name: 'a', title: 'First figure', z: [[1, 2], [3, 4]], x: ['p', 'q'], y: ['r', 's'] });
const b = groupedBar({ name: 'b', title: 'Second figure', categories: ['x', 'y'], groups: [{ name: 'g', values: [1, 2] }] });

test('plotly draws every figure once the first output has inlined the bundle, in any order', { skip }, async () => {
  assert.ok(context);
  const page = await context.newPage();
  // An output drawn before the bundle arrives is queued and drawn when it loads.
  const html = [
    figureHtml(b, { includePlotly: false, divId: 'early' }),
    figureHtml(a, { includePlotly: true, divId: 'first' }),
    figureHtml(b, { includePlotly: false, divId: 'later' }),
  ].join('\n');
  await page.setContent(`<!DOCTYPE html><html><body>${html}</body></html>`);
  for (const id of ['early', 'first', 'later']) {
    await page.waitForSelector(`#${id} .main-svg`, { timeout: 20_000 });
  }
  const titles = await page.$$eval('.gtitle', (els) => els.map((e) => e.textContent));
  assert.deepEqual(titles, ['Second figure', 'First figure', 'Second figure']);
  await page.close();
});

test('without scripts the static SVG inside the output is what shows', { skip }, async () => {
  assert.ok(context);
  const svg = await renderFigure(a, 'svg');
  const p = await context.newPage();
  // A Content-Security-Policy without script sources stands in for a viewer that runs no scripts.
  const noScript = `<meta http-equiv="Content-Security-Policy" content="script-src 'none'">`;
  await p.setContent(`<!DOCTYPE html><html><head>${noScript}</head><body>${figureHtml(a, { includePlotly: true, staticSvg: svg, divId: 'f' })}</body></html>`);
  // setContent resolves after 'load'; an allowed inline script would have run by then.
  assert.equal(await p.evaluate(() => typeof (globalThis as { Plotly?: unknown }).Plotly), 'undefined', 'scripts were blocked');
  const img = await p.waitForSelector('#f img');
  const size = await img.evaluate((el) => ({ w: (el as unknown as { naturalWidth: number }).naturalWidth, h: (el as unknown as { naturalHeight: number }).naturalHeight }));
  assert.equal(size.w, a.layout.width);
  assert.equal(size.h, a.layout.height);
  await p.close();
});

test('a notebook figure takes the height of the figure, not of the page', { skip }, async () => {
  assert.ok(context);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1000, height: 1400 });
  await page.setContent(`<!DOCTYPE html><html><body>${figureHtml(a, { includePlotly: true, divId: 'sized' })}</body></html>`);
  await page.waitForSelector('#sized .main-svg', { timeout: 20_000 });
  const height = await page.$eval('#sized', (el) => (el as unknown as { offsetHeight: number }).offsetHeight);
  assert.ok(Math.abs(height - a.layout.height) <= 20, `div height ${height} vs figure height ${a.layout.height}`);
  await page.close();
});
