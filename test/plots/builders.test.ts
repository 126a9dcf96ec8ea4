import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitAnnotationText,
  formatPValue,
  groupedBar,
  heatmap,
  leastSquaresLine,
  lineOverEpochs,
  plotlySpec,
  scatterWithFit,
  tableFigure,
  type ScatterTrace,
} from '../../src/plots/index';

const experts = ['E1', 'E2', 'E3'];

test('heatmap keeps matrix orientation, labels and a tidy source row per cell', () => {
  const z = [
    [null, 0.7, 0.3],
    [0.5, null, 0.5],
    [0.9, 0.1, null],
  ];
  const fig = heatmap({ name: 'collab', title: 'C', z, x: experts, y: experts, zTitle: 'C_ij' });
  const [trace] = fig.data;
  assert.equal(trace.type, 'heatmap');
  if (trace.type !== 'heatmap') return;
  assert.deepEqual(trace.z, z);
  assert.deepEqual(trace.x, experts);
  assert.deepEqual(trace.y, experts);
  assert.equal(trace.text?.[0][1], '0.7');
  assert.equal(trace.text?.[0][0], '', 'a null cell has no printed value');
  assert.equal(fig.layout.yaxis?.autorange, 'reversed', 'row 0 is drawn at the top');
  assert.equal(fig.layout.title?.text, 'C');
  assert.equal(fig.source.length, 9);
  assert.deepEqual(fig.source[1], { row: 'E1', column: 'E2', C_ij: 0.7 }, 'columns named after the axes (untitled: row, column)');
  assert.deepEqual(fig.source[0], { row: 'E1', column: 'E1', C_ij: '' });
});

test('heatmap rejects ragged or mislabelled matrices with the offending field named', () => {
  assert.throws(() => heatmap({ name: 'h', z: [[1, 2], [3]], x: ['a', 'b'], y: ['r', 's'] }), /z\[1\] has 1 entries but x \(column labels\) has 2/);
  assert.throws(() => heatmap({ name: 'h', z: [[1, 2]], x: ['a', 'b'], y: ['r', 's'] }), /y \(row labels\) has 2 entries but z \(rows\) has 1/);
  assert.throws(() => heatmap({ name: 'h', z: [[1, NaN]], x: ['a', 'b'], y: ['r'] }), /z\[0\]\[1\] must be a finite number or null/);
  assert.throws(() => heatmap({ name: 'bad name', z: [[1]], x: ['a'], y: ['r'] }), /not a safe file stem/);
});

test('lineOverEpochs draws each band before its line and numbers epochs from 1', () => {
  const fig = lineOverEpochs({
    name: 'entropy',
    yTitle: 'H',
    series: [
      { name: 'homogeneous', values: [3, 2, 1], band: { lower: [2.5, 1.5, 0.5], upper: [3.5, 2.5, 1.5] } },
      { name: 'heterogeneous', values: [3, 2.8, 2.7], epochs: [0, 5, 10] },
    ],
  });
  assert.equal(fig.data.length, 3);
  const [band, line, other] = fig.data as ScatterTrace[];
  assert.equal(band.fill, 'toself');
  assert.deepEqual(band.x, [1, 2, 3, 3, 2, 1]);
  assert.deepEqual(band.y, [3.5, 2.5, 1.5, 0.5, 1.5, 2.5]);
  assert.equal(band.showlegend, false);
  assert.deepEqual(line.x, [1, 2, 3]);
  assert.deepEqual(line.y, [3, 2, 1]);
  assert.equal(line.name, 'homogeneous');
  assert.deepEqual(other.x, [0, 5, 10]);
  assert.notEqual(line.line?.color, other.line?.color, 'series get distinct colours');
  assert.equal(fig.layout.xaxis?.title?.text, 'epoch');
  assert.equal(fig.source.length, 6);
  assert.deepEqual(fig.source[0], { series: 'homogeneous', epoch: 1, H: 3, lower: 2.5, upper: 3.5 });
  assert.deepEqual(fig.source[5], { series: 'heterogeneous', epoch: 10, H: 2.7 });
  assert.throws(
    () => lineOverEpochs({ name: 'x', series: [{ name: 's', values: [1, 2], band: { lower: [1], upper: [2, 3] } }] }),
    /series\[0\] 's'\.band\.lower has 1 entries but values has 2/,
  );
});

test('groupedBar emits one bar trace per group over shared categories', () => {
  const fig = groupedBar({
    name: 'ablations',
    categories: ['full', 'static C'],
    groups: [
      { name: 'GSM8K', values: [0.8, 0.7], errors: [0.01, 0.02] },
      { name: 'MMLU', values: [0.6, 0.5] },
    ],
  });
  assert.equal(fig.layout.barmode, 'group');
  assert.equal(fig.data.length, 2);
  for (const t of fig.data) {
    assert.equal(t.type, 'bar');
    if (t.type === 'bar') assert.deepEqual(t.x, ['full', 'static C']);
  }
  assert.deepEqual(fig.source, [
    { category: 'full', group: 'GSM8K', value: 0.8, error: 0.01 }, // untitled axes: category, value
    { category: 'static C', group: 'GSM8K', value: 0.7, error: 0.02 },
    { category: 'full', group: 'MMLU', value: 0.6 },
    { category: 'static C', group: 'MMLU', value: 0.5 },
  ]);
  assert.throws(() => groupedBar({ name: 'b', categories: ['a'], groups: [{ name: 'g', values: [1, 2] }] }), /groups\[0\] 'g'\.values has 2 entries but categories has 1/);
});

test('leastSquaresLine recovers an exact line and matches the closed form on noisy points', () => {
  const exact = leastSquaresLine([0, 1, 2, 3], [1, 3, 5, 7]);
  assert.ok(Math.abs(exact.slope - 2) < 1e-12 && Math.abs(exact.intercept - 1) < 1e-12);
  // y = [1,2,2,4] over x = [1,2,3,4]: slope = Sxy/Sxx = 4.5/5 = 0.9, intercept = 2.25 - 0.9*2.5 = 0
  const noisy = leastSquaresLine([1, 2, 3, 4], [1, 2, 2, 4]);
  assert.ok(Math.abs(noisy.slope - 0.9) < 1e-12);
  assert.ok(Math.abs(noisy.intercept - 0) < 1e-12);
  assert.throws(() => leastSquaresLine([2, 2], [1, 3]), /all x values are equal/);
  assert.throws(() => leastSquaresLine([1], [1]), /at least 2 points/);
});

test('scatterWithFit adds the fitted line, point labels and the passed-in statistics', () => {
  const fig = scatterWithFit({
    name: 'intrinsic-vs-relational',
    x: [1, 2, 3, 4],
    y: [1, 2, 2, 4],
    labels: ['E1', 'E2', 'E3', 'E4'],
    annotation: { rho: 0.9487, pValue: 0.0513, text: 'N = 4' },
  });
  const [points, fit] = fig.data as ScatterTrace[];
  assert.deepEqual(points.text, ['E1', 'E2', 'E3', 'E4']);
  assert.equal(points.mode, 'markers+text');
  assert.deepEqual(fit.x, [1, 4]);
  assert.ok(Math.abs(fit.y[0] - 0.9) < 1e-12 && Math.abs(fit.y[1] - 3.6) < 1e-12);
  const note = fig.layout.annotations?.[0]?.text ?? '';
  assert.match(note, /Spearman ρ = 0\.949, p = 0\.0513/);
  assert.match(note, /N = 4/);
  assert.equal(fig.source.length, 4);
  assert.equal(fig.source[0].label, 'E1');
  assert.ok(Math.abs((fig.source[3].fitted as number) - 3.6) < 1e-12);
  const nofit = scatterWithFit({ name: 's', x: [1, 1], y: [2, 3], fit: false });
  assert.equal(nofit.data.length, 1, 'no fit line when the fit is off (even with equal x)');
});

test('fit annotation and p-value formatting', () => {
  assert.equal(fitAnnotationText(undefined), '');
  assert.equal(fitAnnotationText({ rho: 0.5, tau: 0.4, pValue: 0.2 }), 'Spearman ρ = 0.5<br>Kendall τ = 0.4, p = 0.200');
  assert.equal(formatPValue(0.0625), '0.0625');
  assert.equal(formatPValue(0.00001234), '1.23e-5');
  assert.equal(formatPValue(0), '< 1e-16');
});

test('tableFigure is column-major with formatted cells and raw source rows', () => {
  const rows = [
    { metric: 'rho', paper: 0.83, workbench: 0.812345678 },
    { metric: 'p', paper: 0.003, workbench: 0.00412 },
  ];
  const fig = tableFigure({ name: 'table-10', rows });
  const [t] = fig.data;
  assert.equal(t.type, 'table');
  if (t.type !== 'table') return;
  assert.deepEqual(t.header.values, ['metric', 'paper', 'workbench']);
  assert.deepEqual(t.cells.values, [['rho', 'p'], ['0.83', '0.003'], ['0.8123', '0.00412']]);
  assert.deepEqual(fig.source, rows);
  assert.throws(() => tableFigure({ name: 't', rows: [{ a: 1 }, { b: 2 }] }), /rows\[1\] has no column 'a'/);
});

test('plotlySpec is a JSON-clean copy without undefined-valued keys', () => {
  const fig = lineOverEpochs({ name: 'many', series: [{ name: 's', values: Array.from({ length: 50 }, (_, i) => i) }] });
  const line = fig.data[0] as ScatterTrace;
  assert.ok('marker' in line && line.marker === undefined, 'builder leaves marker undefined for long series');
  const spec = plotlySpec(fig);
  assert.ok(!('marker' in spec.data[0]), 'plotly would throw on a present-but-undefined marker');
  assert.notEqual(spec.data, fig.data);
});
