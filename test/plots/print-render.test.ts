/**
 * Print styling checked on real renders: the exported SVG's title lies inside the figure, the
 * axes carry the titles the builders gave them, and the PDF is one vector page at the figure's size.
 * The smoke notebook's two figures are the cases (issue 12: its heatmap title was cut off on both
 * sides; its curve had one y axis titled 'value').
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { closeExporter, exportFigure, heatmap, lineOverEpochs, locateBrowser, renderFigure, type Figure } from '../../src/plots/index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-print-test-'));
let browser: Browser | null = null;
after(async () => {
  await closeExporter();
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ids = Array.from({ length: 10 }, (_, i) => `E${i + 1}`);
const smokeHeatmap = heatmap({
  name: 'smoke-collaboration-matrix',
  title: 'Mean collaboration matrix C(x) on held-out items after 2 epochs (simulated consortium)',
  z: ids.map((_, r) => ids.map((__, c) => (r === c ? null : 1 / 9))),
  x: ids,
  y: ids,
  xTitle: 'successor j',
  yTitle: 'expert i',
  zTitle: 'C_ij',
  zmin: 0,
});
const smokeCurve = lineOverEpochs({
  name: 'toy-training-curve',
  title: 'Toy logistic regression: loss and accuracy per step',
  xTitle: 'step',
  series: [
    { name: 'cross-entropy loss', measure: 'cross-entropy loss (nats)', values: [0.69, 0.5, 0.41, 0.35] },
    { name: 'accuracy', measure: 'accuracy (fraction correct)', values: [0.5, 0.82, 0.85, 0.86] },
  ],
});

interface Box {
  cls: string;
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Boxes of the title and axis-title text of an SVG as Chromium lays it out. */
async function textBoxes(svg: string): Promise<{ width: number; height: number; boxes: Box[] }> {
  if (!browser) {
    const choice = await locateBrowser();
    if ('missing' in choice) throw new Error(choice.missing);
    browser = await chromium.launch({ executablePath: choice.path, args: ['--no-sandbox', '--disable-gpu', ...choice.extraArgs], env: { ...process.env, ...choice.env } });
  }
  const page = await browser.newPage();
  try {
    await page.setContent(`<!DOCTYPE html><html><body style="margin:0">${svg}</body></html>`);
    return await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { width: number; height: number } }; querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; textContent: string | null; getBoundingClientRect(): { left: number; right: number; top: number; bottom: number } }> } }).document;
      const root = doc.querySelector('svg').getBoundingClientRect();
      const boxes = Array.from(doc.querySelectorAll('text.gtitle, text.xtitle, text[class^="ytitle"], text[class^="y2title"]')).map((el) => {
        const r = el.getBoundingClientRect();
        return { cls: el.getAttribute('class') ?? '', text: el.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      });
      return { width: root.width, height: root.height, boxes };
    });
  } finally {
    await page.close();
  }
}


async function assertTextInside(fig: Figure): Promise<Box[]> {
  const { width, height, boxes } = await textBoxes(await renderFigure(fig, 'svg'));
  assert.equal(width, fig.layout.width);
  assert.equal(height, fig.layout.height);
  const title = boxes.filter((b) => b.cls === 'gtitle');
  assert.ok(title.length > 0, 'the title is drawn');
  for (const b of boxes) {
    assert.ok(b.left >= 0 && b.right <= width && b.top >= 0 && b.bottom <= height, `'${b.text}' (${b.cls}) lies outside the ${width}x${height} figure: ${JSON.stringify(b)}`);
  }
  return boxes;
}

test('the smoke heatmap title fits inside the exported figure (it was cut off on both sides)', async (t) => {
  const choice = await locateBrowser();
  if ('missing' in choice) return t.skip(choice.missing);
  const boxes = await assertTextInside(smokeHeatmap);
  assert.deepEqual(boxes.filter((b) => b.cls !== 'gtitle').map((b) => b.text).sort(), ['expert i', 'successor j']);
});

test('the smoke training curve has one y axis per measure, none titled "value", and a step axis', async (t) => {
  const choice = await locateBrowser();
  if ('missing' in choice) return t.skip(choice.missing);
  const boxes = await assertTextInside(smokeCurve);
  const axisTitles = boxes.filter((b) => b.cls !== 'gtitle').map((b) => b.text).sort();
  assert.deepEqual(axisTitles, ['accuracy (fraction correct)', 'cross-entropy loss (nats)', 'step']);
});

test('the PDF is one vector page of the figure\'s size, and the CSV header names the axes', async (t) => {
  const choice = await locateBrowser();
  if ('missing' in choice) return t.skip(choice.missing);
  const res = await exportFigure(smokeCurve, { dir });
  assert.deepEqual(Object.keys(res.written).sort(), ['csv', 'json', 'pdf', 'png', 'svg']);
  assert.match(res.browser ?? '', /Chromium/);
  const pdf = fs.readFileSync(res.written.pdf!);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const raw = pdf.toString('latin1');
  assert.equal((raw.match(/\/Type\s*\/Page\b/g) ?? []).length, 1, 'one page');
  // 720 x 720 CSS px at 96 px/in = 540 x 540 pt.
  const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(raw);
  assert.ok(box, 'a MediaBox');
  assert.deepEqual([Math.round(Number(box[1])), Math.round(Number(box[2]))], [smokeCurve.layout.width * 0.75, smokeCurve.layout.height * 0.75]);
  assert.ok(!/\/Subtype\s*\/Image/.test(raw), 'no raster image inside: the plot is vector paths and text');
  // Vector content: the page's drawing stream holds path operators (m/l/c) and text (Tj/TJ).
  const streams = [...raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)].map((m) => {
    try {
      return zlib.inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      return m[1];
    }
  });
  assert.ok(streams.some((s) => / l\n/.test(s) && /T[Jj]/.test(s)), 'line drawing and text operators in a content stream');
  assert.equal(fs.readFileSync(res.written.csv!, 'utf8').split('\n')[0], 'series,step,cross-entropy loss (nats),accuracy (fraction correct)');
  // A second export of the same figure writes the same bytes, images included (stable SVG ids,
  // fixed PDF dates), so committed figures change only when the figure does.
  const again = await exportFigure(smokeCurve, { dir: path.join(dir, 'again') });
  for (const f of ['svg', 'pdf', 'png', 'csv', 'json'] as const) {
    assert.ok(fs.readFileSync(res.written[f]!).equals(fs.readFileSync(again.written[f]!)), `${f} is byte-identical on a re-run`);
  }
});
