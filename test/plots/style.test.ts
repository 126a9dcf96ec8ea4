/** Print styling of the shared builders, checked on the figure specs (no browser). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXPERT_PALETTE,
  expertColor,
  fitTitle,
  groupedBar,
  heatmap,
  lineOverEpochs,
  rowsToCsv,
  scatterWithFit,
  stablePdfDates,
  stableSvgIds,
  stableSvgRoot,
  textWidth,
  type BarTrace,
  type ScatterTrace,
} from '../../src/plots/index';

const steps = [1, 2, 3];

test('loss and accuracy get two panels with their own y axes, never one axis titled "value"', () => {
  const fig = lineOverEpochs({
    name: 'curve',
    xTitle: 'step',
    series: [
      { name: 'loss', measure: 'cross-entropy loss (nats)', epochs: steps, values: [0.69, 0.5, 0.4] },
      { name: 'accuracy', measure: 'accuracy (fraction correct)', epochs: steps, values: [0.5, 0.8, 0.9] },
    ],
  });
  assert.equal(fig.layout.yaxis?.title?.text, 'cross-entropy loss (nats)');
  assert.equal(fig.layout.yaxis2?.title?.text, 'accuracy (fraction correct)');
  const [loss, acc] = fig.data as ScatterTrace[];
  assert.equal(loss.yaxis, 'y');
  assert.equal(acc.yaxis, 'y2');
  const [a, b] = [fig.layout.yaxis?.domain, fig.layout.yaxis2?.domain];
  assert.ok(a && b && b[1] < a[0], `panels do not overlap: ${JSON.stringify([a, b])}`);
  assert.equal(fig.layout.xaxis?.anchor, 'y2', 'the shared x axis is drawn under the bottom panel');
  // The data's columns are the axes' titles: 'step', not 'epoch'.
  assert.equal(rowsToCsv(fig.source).split('\n')[0], 'series,step,cross-entropy loss (nats),accuracy (fraction correct)');
  assert.deepEqual(fig.source[0], { series: 'loss', step: 1, 'cross-entropy loss (nats)': 0.69 });
});

test('a vague or missing y measure is an error that says what to give', () => {
  const two = [
    { name: 'loss', values: [1, 2] },
    { name: 'accuracy', values: [0.5, 0.6] },
  ];
  assert.throws(() => lineOverEpochs({ name: 'c', yTitle: 'value', series: two }), /yTitle 'value' does not say what is measured/);
  assert.throws(() => lineOverEpochs({ name: 'c', series: two }), /series\[0\] 'loss' has no measure: give yTitle/);
  assert.throws(() => heatmap({ name: 'h', z: [[1]], x: ['a'], y: ['b'], xTitle: 'Value' }), /xTitle 'Value'/);
  assert.throws(() => groupedBar({ name: 'b', categories: ['a'], groups: [{ name: 'g', values: [1] }], yTitle: 'value' }), /yTitle 'value'/);
});

test('an expert has the same colour in every builder, whatever else the figure shows', () => {
  const line = lineOverEpochs({ name: 'l', yTitle: 'relational importance u_j', series: [{ name: 'E7', values: [1, 2] }, { name: 'E3', values: [2, 1] }] });
  const lineColor = (name: string) => (line.data as ScatterTrace[]).find((t) => t.name === name)?.line?.color;
  const bars = groupedBar({ name: 'b', yTitle: 'accuracy (fraction)', categories: ['gsm8k'], groups: [{ name: 'E3', values: [0.5] }, { name: 'E7', values: [0.6] }] });
  const barColor = (name: string) => (bars.data as BarTrace[]).find((t) => t.name === name)?.marker?.color;
  const perExpert = groupedBar({ name: 'p', yTitle: 'selection frequency', categories: ['E7', 'E3'], groups: [{ name: 'epoch 5', values: [0.1, 0.2] }] });
  const scatter = scatterWithFit({ name: 's', x: [1, 2], y: [2, 1], labels: ['E3', 'E7'], xTitle: 'relational', yTitle: 'intrinsic' });
  const points = (scatter.data[0] as ScatterTrace).marker?.color as string[];
  for (const id of ['E3', 'E7']) {
    const c = expertColor(id);
    assert.equal(lineColor(id), c, `line of ${id}`);
    assert.equal(barColor(id), c, `bar group ${id}`);
  }
  assert.deepEqual((perExpert.data[0] as BarTrace).marker?.color, [expertColor('E7'), expertColor('E3')]);
  assert.deepEqual(points, [expertColor('E3'), expertColor('E7')]);
  assert.equal(new Set(Array.from({ length: 10 }, (_, i) => expertColor(`E${i + 1}`))).size, 10, 'ten experts, ten colours');
  assert.equal(expertColor('E1'), EXPERT_PALETTE[0]);
  assert.equal(expertColor('gpt3-175b'), expertColor('gpt3-175b'), 'named ids are stable');
});

test('heatmaps print their values up to 10x10 and name their data columns after the axes', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `E${i + 1}`);
  const z = (n: number) => ids(n).map((_, r) => ids(n).map((__, c) => (r === c ? null : 1 / (n - 1))));
  const ten = heatmap({ name: 'c10', z: z(10), x: ids(10), y: ids(10), xTitle: 'successor j', yTitle: 'expert i', zTitle: 'C_ij' });
  const eleven = heatmap({ name: 'c11', z: z(11), x: ids(11), y: ids(11), xTitle: 'successor j', yTitle: 'expert i', zTitle: 'C_ij' });
  assert.equal(ten.data[0].type === 'heatmap' && ten.data[0].texttemplate, '%{text}');
  assert.equal(eleven.data[0].type === 'heatmap' && eleven.data[0].texttemplate, undefined);
  assert.deepEqual(Object.keys(ten.source[0]), ['expert i', 'successor j', 'C_ij']);
  const same = heatmap({ name: 's', z: [[1]], x: ['E1'], y: ['E1'], xTitle: 'expert', yTitle: 'expert', zTitle: 'KL' });
  assert.deepEqual(Object.keys(same.source[0]), ['expert (row)', 'expert (column)', 'KL']);
});

test('fitTitle keeps short titles, wraps long ones at spaces, shrinks only when wrapping is not enough', () => {
  assert.deepEqual(fitTitle('Accuracy per epoch', 720), { text: 'Accuracy per epoch', fontSize: 17, lines: 1 });
  const long = 'Mean collaboration matrix C(x) on held-out items after 2 epochs (simulated consortium)';
  const fit = fitTitle(long, 640);
  assert.equal(fit.lines, 2);
  assert.equal(fit.text.replace('<br>', ' '), long, 'only a line break is added');
  for (const line of fit.text.split('<br>')) assert.ok(textWidth(line, fit.fontSize) <= 640 - 24, line);
  const tight = fitTitle('Supercalifragilistic expialidocious', 150);
  assert.ok(tight.fontSize < 17, 'a word too wide for the line shrinks the font');
  assert.throws(() => fitTitle('x'.repeat(200), 300), /does not fit a 300 px wide figure/);
});

test('a long title makes the figure taller, not the plot smaller', () => {
  const short = heatmap({ name: 'a', title: 'C', z: [[1]], x: ['E1'], y: ['E1'] });
  const long = heatmap({ name: 'b', title: 'Mean collaboration matrix C(x) on held-out items after 2 epochs (simulated consortium)', z: [[1]], x: ['E1'], y: ['E1'] });
  assert.ok(long.layout.title?.text.includes('<br>'));
  const plotHeight = (f: typeof short) => f.layout.height - (f.layout.margin?.t ?? 0) - (f.layout.margin?.b ?? 0);
  assert.equal(plotHeight(long), plotHeight(short));
});

test('exported SVG ids and PDF dates are made stable, so re-runs write the same bytes', () => {
  const svg = (uid: string) =>
    `<svg><defs id="defs-${uid}"><clipPath id="clip${uid}xyplot"/></defs><g clip-path="url(#clip${uid}xyplot)"/><g id="topdefs-${uid}"/><g clip-path="url(#legend${uid})"/><rect style="fill: url('#g${uid}-cb4ff032')"/><text>label bab1d90</text></svg>`;
  const a = stableSvgIds(svg('bab1d9'), 'curve');
  const b = stableSvgIds(svg('d6272b'), 'curve');
  assert.equal(a, b, 'two renders with different random ids give one text');
  assert.equal(a.split('bab1d9').length - 1, 1, 'every use as an id is replaced');
  assert.ok(a.includes('label bab1d90'), 'a longer hex run that merely contains the id is left alone');
  assert.notEqual(stableSvgIds(svg('bab1d9'), 'other'), a, 'the id follows the figure name');
  // the root tag's attribute order as plotly wrote it in two renders of one figure (session 8)
  const head = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" class="main-svg" width="720" height="720"';
  const early = stableSvgRoot(`${head} style="" viewBox="0 0 720 720"><rect style=""/></svg>`);
  const late = stableSvgRoot(`${head} viewBox="0 0 720 720" style=""><rect style=""/></svg>`);
  assert.equal(early, late, 'one root tag whatever the attribute order');
  assert.equal(early, '<?xml version="1.0"?><svg class="main-svg" height="720" viewBox="0 0 720 720" width="720" xmlns="http://www.w3.org/2000/svg"><rect style=""/></svg>', 'name order, the empty style dropped from the root only');
  const pdf = Buffer.from("%PDF-1.4\n<</Creator (Chromium)\n/CreationDate (D:20261130093511+00'00')\n/ModDate (D:20261130093511+00'00')>>\n", 'latin1');
  const fixed = stablePdfDates(pdf);
  assert.equal(fixed.length, pdf.length, 'same length: xref offsets stay valid');
  assert.match(fixed.toString('latin1'), /\/CreationDate \(D:20000101000000\+00'00'\)\n\/ModDate \(D:20000101000000\+00'00'\)/);
});
