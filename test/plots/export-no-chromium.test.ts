// Runs in its own process (node --test isolates files), so CHROMIUM_PATH can be pointed at
// nothing before the exporter first looks for a browser.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromiumMissingMessage, closeExporter, exportFigure, findChromium, groupedBar } from '../../src/plots/index';

const missing = path.join(os.tmpdir(), 'no-such-dir', 'chromium');
process.env.CHROMIUM_PATH = missing;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-export-nochrome-'));
after(async () => {
  await closeExporter();
  fs.rmSync(dir, { recursive: true, force: true });
});

const fig = groupedBar({ name: 'acc', title: 'Accuracy', categories: ['a', 'b'], groups: [{ name: 'g', values: [0.5, 0.7] }] });

test('findChromium reports a CHROMIUM_PATH that does not exist instead of searching elsewhere', () => {
  const lookup = findChromium();
  assert.equal(lookup.path, null);
  assert.deepEqual(lookup.tried, [missing]);
  const msg = chromiumMissingMessage(lookup);
  assert.ok(msg.includes(`CHROMIUM_PATH=${missing}`));
  assert.ok(msg.includes('apt-get install chromium'));
});

test('without Chromium, SVG/PNG are skipped with the install hint and HTML/CSV/JSON are still written', async () => {
  const warnings: string[] = [];
  const res = await exportFigure(fig, { dir, formats: ['svg', 'png', 'csv', 'json'], warn: (m) => warnings.push(m) });
  assert.deepEqual(res.skipped.map((s) => s.format), ['svg', 'png']);
  for (const s of res.skipped) assert.match(s.reason, /apt-get install chromium/);
  assert.equal(warnings.length, 1, 'one message, not one per format');
  assert.match(warnings[0], /CHROMIUM_PATH/);
  assert.ok(!fs.existsSync(path.join(dir, 'acc.svg')));
  assert.ok(!fs.existsSync(path.join(dir, 'acc.png')));
  assert.equal(fs.readFileSync(path.join(dir, 'acc.csv'), 'utf8'), 'category,group,value\na,g,0.5\nb,g,0.7\n');
  assert.ok(fs.existsSync(path.join(dir, 'acc.json')));
  const html = fs.readFileSync(res.written.html ?? '', 'utf8');
  assert.ok(html.includes('Plotly.newPlot'), 'the HTML page is written as the viewable fallback');
});
