import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { figureBundle, figureHtml, inNotebook, liveLine, showFigure, showMarkdown, showTable } from '../../src/notebook/display';
import { lineOverEpochs } from '../../src/plots/index';

const fig = lineOverEpochs({
  name: 'loss',
  title: 'Loss </script><b>bold</b>',
  series: [{ name: 'train', values: [1, 0.5, 0.25] }],
});

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

test('a figure bundle carries plotly JSON, HTML, plain text and the static image when given', () => {
  const b = figureBundle(fig, { includePlotly: false, staticSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' });
  assert.deepEqual(Object.keys(b).sort(), ['application/vnd.plotly.v1+json', 'image/svg+xml', 'text/html', 'text/plain']);
  // A JSON mime type carries the object itself (nbformat stores it as JSON, not as a string).
  const plotly = b['application/vnd.plotly.v1+json'] as { data: unknown[]; layout: { title: { text: string } } };
  assert.equal(typeof plotly, 'object');
  assert.equal(plotly.data.length, 1);
  assert.equal(plotly.layout.title.text, 'Loss </script><b>bold</b>');
  assert.match(b['text/plain'], /^\[figure loss: Loss/);
  assert.ok(b['text/html'].includes('data:image/svg+xml;base64,'), 'static fallback inside the div');
  const png = figureBundle(fig, { includePlotly: false, staticPng: Buffer.from([0x89, 0x50]) });
  assert.equal(png['image/png'], 'iVA=');
  assert.equal(png['image/svg+xml'], undefined);
});

test('the plotly bundle is inlined only when asked, and a title cannot close the script early', () => {
  const first = figureHtml(fig, { includePlotly: true, divId: 'a' });
  const later = figureHtml(fig, { includePlotly: false, divId: 'b' });
  assert.equal(count(first, 'plotly.js v3'), 1);
  assert.equal(count(later, 'plotly.js v3'), 0);
  assert.ok(first.length > 3_000_000 && later.length < 10_000, `sizes ${first.length} / ${later.length}`);
  // Our own scripts: the bundle's and the figure's. A '</script>' from the title must be escaped.
  assert.equal(count(first, '</script>'), 2);
  assert.equal(count(later, '</script>'), 1);
  assert.ok(later.includes('Loss \\u003c/script>'));
});

test('outside a kernel the show* helpers print plain text', async () => {
  assert.equal(inNotebook(), false);
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.join(' '));
  try {
    await showFigure(fig);
    showTable([{ a: 1, b: 'x' }]);
    showMarkdown('# hi');
  } finally {
    console.log = original;
  }
  assert.match(printed[0], /^\[figure loss: Loss .*\] 1 scatter trace\(s\), 3 data rows$/);
  assert.match(printed[1], /^a  b\n1  x\n\[1 rows x 2 columns\]$/);
  assert.equal(printed[2], '# hi');
});

/** A writable stand-in that records what is written (a real stream API, no behaviour faked). */
function recorder(isTTY: boolean): { stream: NodeJS.WritableStream & { isTTY: boolean }; chunks: string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
  stream.isTTY = isTTY;
  return { stream, chunks };
}

test('liveLine in a log file prints at most one line per interval plus the final one', () => {
  let t = 0;
  const { stream, chunks } = recorder(false);
  const line = liveLine({ stream, now: () => t, logIntervalMs: 1000 });
  line.update('step 1'); // printed (first)
  t = 500;
  line.update('step 2'); // too soon
  t = 900;
  line.update('step 3'); // too soon
  t = 1000;
  line.update('step 4'); // printed
  t = 1100;
  line.update('step 5'); // pending
  line.done();
  line.update('after done'); // ignored
  assert.deepEqual(chunks, ['step 1\n', 'step 4\n', 'step 5\n']);
});

test('liveLine in a terminal redraws one line in place and ends it on done', () => {
  let t = 0;
  const { stream, chunks } = recorder(true);
  const line = liveLine({ stream, now: () => t, intervalMs: 100 });
  line.update('10%');
  t = 50;
  line.update('20%');
  t = 200;
  line.update('30%');
  line.done('finished');
  assert.deepEqual(chunks, ['\r\x1b[2K10%', '\r\x1b[2K30%', '\r\x1b[2Kfinished', '\n']);
});
