import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dfd from 'danfojs-node';
import type { SourceRow } from '../../src/plots/index';
import { exportTable, tableData, tableHtml, tableRows, tableText } from '../../src/notebook/tables';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-tables-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const df = new dfd.DataFrame({
  expert: ['E1 <llama>', 'E2 & co', 'E3, "r1"'],
  accuracy: [0.8125, 0.5, 0.123456789],
  chains: [12, 7, 0],
});

test('a danfojs DataFrame becomes columns, index and cells', () => {
  const d = tableData(df);
  assert.deepEqual(d.columns, ['expert', 'accuracy', 'chains']);
  assert.deepEqual(d.index, [0, 1, 2]);
  assert.equal(d.rows[1][0], 'E2 & co');
  assert.ok(Math.abs((d.rows[2][1] as number) - 0.123456789) < 1e-6, 'danfojs stores float32');
  assert.deepEqual(tableRows(df)[0], { expert: 'E1 <llama>', accuracy: 0.8125, chains: 12 });
});

test('the HTML escapes every cell, formats and right-aligns numbers, and states the shape', () => {
  const html = tableHtml(df, { caption: 'Accuracy <per expert>' });
  assert.ok(html.includes('<td style="text-align:left;padding:2px 8px">E1 &lt;llama&gt;</td>'));
  assert.ok(html.includes('E2 &amp; co'));
  assert.ok(!html.includes('<llama>'), 'no raw markup from cell values');
  assert.ok(html.includes('<caption style="text-align:left;font-weight:bold">Accuracy &lt;per expert&gt;</caption>'));
  assert.ok(html.includes('<td style="text-align:right;padding:2px 8px">0.1235</td>'), 'numbers to 4 significant digits, right-aligned');
  assert.ok(html.includes('<th style="text-align:right;padding:2px 8px">accuracy</th>'));
  assert.ok(html.includes('3 rows × 3 columns'));
  assert.equal((html.match(/<tr>/g) ?? []).length, 4, 'header + 3 rows');
});

test('long tables show head and tail around an ellipsis row', () => {
  const rows = Array.from({ length: 100 }, (_, i) => ({ i, sq: i * i }));
  const html = tableHtml(rows, { maxRows: 6 });
  assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 6 + 1);
  assert.ok(html.includes('>2</td>') && html.includes('>99</td>') && !html.includes('>50</td>'));
  assert.ok(html.includes('100 rows × 2 columns'));
  const text = tableText(rows, { maxRows: 4 });
  assert.deepEqual(text.split('\n'), ['i   sq', '0   0', '1   1', '…   …', '98  9604', '99  9801', '[100 rows x 2 columns]']);
});

test('exportTable writes CSV that Python reads back as the same table, and JSON rows', () => {
  const out = exportTable(df, { dir, name: 'per-expert' });
  const r = spawnSync('/usr/bin/python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(open(sys.argv[1])))))', out.csv], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as string[][];
  assert.deepEqual(parsed[0], ['expert', 'accuracy', 'chains']);
  const expected = tableRows(df);
  assert.deepEqual(
    parsed.slice(1).map(([e, a, c]) => ({ expert: e, accuracy: Number(a), chains: Number(c) })),
    expected,
  );
  assert.deepEqual(JSON.parse(fs.readFileSync(out.json, 'utf8')), expected);
  assert.throws(() => exportTable(df, { dir, name: 'a/b' }), /not a safe file stem/);
});

test('missing values become empty cells in row arrays', () => {
  const rows: SourceRow[] = [{ a: 1, b: 'x' }, { a: 2 }];
  assert.deepEqual(tableData(rows).rows, [[1, 'x'], [2, '']]);
});
