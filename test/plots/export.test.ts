import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeExporter, exportFigure, exporterProfileDir, findChromium, heatmap, type FigureJson } from '../../src/plots/index';

const chromium = findChromium();
const skip = chromium.path ? false : 'Chromium not installed (apt-get install chromium): static export not exercised';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-export-test-'));
after(async () => {
  await closeExporter();
  fs.rmSync(dir, { recursive: true, force: true });
});

const labels = ['E1 llama', 'E2 qwen', 'E3 r1'];
const fig = heatmap({
  name: 'collab-matrix',
  title: 'Collaboration matrix at epoch 5',
  z: [
    [null, 0.6, 0.4],
    [0.2, null, 0.8],
    [0.5, 0.5, null],
  ],
  x: labels,
  y: labels,
  zTitle: 'C_ij',
  width: 500,
  height: 400,
});

/** Parses a CSV line-by-line with Python's csv module (an independent reader). */
function pythonCsv(file: string): string[][] {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(open(sys.argv[1])))))', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

function pgrepCount(pattern: string): number {
  const r = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).length;
}

test('exportFigure writes SVG, PNG, HTML, CSV and JSON that hold the figure and its data', { skip }, async () => {
  const res = await exportFigure(fig, { dir, formats: ['svg', 'png', 'html', 'csv', 'json'], scale: 2 });
  assert.deepEqual(res.skipped, []);
  assert.deepEqual(Object.keys(res.written).sort(), ['csv', 'html', 'json', 'png', 'svg']);

  const svg = fs.readFileSync(path.join(dir, 'collab-matrix.svg'), 'utf8');
  assert.match(svg, /^<svg[\s>]/);
  assert.match(svg, /<\/svg>\s*$/);
  assert.ok(svg.includes('Collaboration matrix at epoch 5'), 'title text is in the SVG');
  assert.ok(svg.includes('E2 qwen'), 'axis labels are in the SVG');
  const r = spawnSync('/usr/bin/python3', ['-c', 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); print(d.documentElement.tagName)', res.written.svg ?? ''], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'svg', `SVG parses as XML: ${r.stderr}`);

  const png = fs.readFileSync(path.join(dir, 'collab-matrix.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 1000, 'width = 500 css px x scale 2');
  assert.equal(png.readUInt32BE(20), 800, 'height = 400 css px x scale 2');
  assert.ok(png.length > 5000, 'a real picture, not an empty canvas');

  const csv = pythonCsv(path.join(dir, 'collab-matrix.csv'));
  assert.deepEqual(csv[0], ['row', 'column', 'C_ij']);
  assert.deepEqual(
    csv.slice(1),
    fig.source.map((row) => [String(row.row), String(row.column), String(row.C_ij)]),
  );

  const json = JSON.parse(fs.readFileSync(path.join(dir, 'collab-matrix.json'), 'utf8')) as FigureJson;
  assert.deepEqual(json.source, fig.source);
  assert.equal(json.title, 'Collaboration matrix at epoch 5');
  assert.equal(json.figure.data[0].type, 'heatmap');

  const html = fs.readFileSync(path.join(dir, 'collab-matrix.html'), 'utf8');
  assert.ok(html.includes('plotly.js v3'), 'plotly is inlined (no CDN)');
  assert.ok(!/<script[^>]+src=/.test(html), 'no external script');
  assert.ok(html.includes('"collab-matrix"') || html.includes('Collaboration matrix at epoch 5'));
});

test('the shared browser is reused across exports and gone after closeExporter', { skip }, async () => {
  await exportFigure(fig, { dir, name: 'again', formats: ['svg'] });
  const profile = exporterProfileDir();
  assert.ok(profile, 'a browser is running');
  assert.ok(pgrepCount(profile) > 0, 'chromium processes carry the unique profile dir');
  const t0 = Date.now();
  await exportFigure(fig, { dir, name: 'third', formats: ['svg'] });
  assert.equal(exporterProfileDir(), profile, 'same browser reused');
  const warmMs = Date.now() - t0;
  assert.ok(warmMs < 5000, `a warm render takes well under the cold start (${warmMs} ms)`);
  await closeExporter();
  assert.equal(exporterProfileDir(), null);
  assert.equal(pgrepCount(profile), 0, 'no chromium left running');
  assert.ok(!fs.existsSync(profile), 'profile directory removed');
  await closeExporter(); // idempotent
});

test('an unknown format or an unsafe name is rejected before anything is written', async () => {
  await assert.rejects(exportFigure(fig, { dir, name: '../escape', formats: ['csv'] }), /not a safe file stem/);
  await assert.rejects(exportFigure(fig, { dir, formats: ['eps' as 'svg'] }), /unknown format 'eps'/);
});
