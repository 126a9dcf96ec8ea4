import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { escapeLatex, exportPaperTable, formatTableNumber, toBooktabs, toMarkdown, type PaperTable } from '../../src/plots/index';

const table: PaperTable = {
  columns: [
    { key: 'masked', header: 'masked expert' },
    { key: 'kl_seq', header: 'KL(sequence)' },
    { key: 'delta_acc', header: 'Δ accuracy', latexHeader: '$\\Delta$ accuracy' },
    { key: 'n', header: 'items' },
  ],
  rows: [
    { masked: 'E1 (hub)', kl_seq: 0.41234, delta_acc: -0.0125, n: 120 },
    { masked: 'E6_math & co', kl_seq: 1.5, delta_acc: 0.2, n: 120 },
  ],
};

test('toBooktabs writes a booktabs table with escaped text, typeset minus signs and right-aligned numbers', () => {
  assert.equal(
    toBooktabs(table, { caption: 'Masking one expert (simulated, 5% noise)', label: 'tab:masking', digits: 3 }),
    [
      '\\begin{table}[t]',
      '\\centering',
      '\\caption{Masking one expert (simulated, 5\\% noise)}',
      '\\label{tab:masking}',
      '\\begin{tabular}{lrrr}',
      '\\toprule',
      'masked expert & KL(sequence) & $\\Delta$ accuracy & items \\\\',
      '\\midrule',
      'E1 (hub) & 0.412 & $-$0.013 & 120 \\\\',
      'E6\\_math \\& co & 1.500 & 0.200 & 120 \\\\',
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
      '',
    ].join('\n'),
  );
});

test('toMarkdown writes a GitHub table with alignment and the caption above it', () => {
  assert.equal(
    toMarkdown(table, { caption: 'Masking | one expert', digits: 2 }),
    [
      '**Masking \\| one expert**',
      '',
      '| masked expert | KL(sequence) | Δ accuracy | items |',
      '| :--- | ---: | ---: | ---: |',
      '| E1 (hub) | 0.41 | -0.01 | 120 |',
      '| E6_math & co | 1.50 | 0.20 | 120 |',
      '',
    ].join('\n'),
  );
});

test('per-column digits, plain string columns, NaN and rounding to minus zero', () => {
  const t: PaperTable = { columns: ['stat', { key: 'p', digits: 4 }], rows: [{ stat: 'rho', p: 0.0625 }, { stat: 'tiny', p: -0.00001 }, { stat: 'none', p: NaN }] };
  assert.equal(toMarkdown(t), '| stat | p |\n| :--- | ---: |\n| rho | 0.0625 |\n| tiny | 0.0000 |\n| none | n/a |\n');
  assert.equal(formatTableNumber(3, 2), '3');
  assert.equal(escapeLatex('a_b^c~d\\e{f}$#'), 'a\\_b\\textasciicircum{}c\\textasciitilde{}d\\textbackslash{}e\\{f\\}\\$\\#');
});

test('a row lacking a column, or a column listed twice, is an error naming it', () => {
  assert.throws(() => toBooktabs({ columns: ['a', 'b'], rows: [{ a: 1 }] }), /rows\[0\] has no column 'b'/);
  assert.throws(() => toMarkdown({ columns: ['a', 'a'], rows: [] }), /column 'a' is listed twice/);
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-paper-table-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('exportPaperTable writes CSV, JSON, .tex and .md side by side and returns their paths', () => {
  const files = exportPaperTable(table, { dir, name: 'table-8', caption: 'Masking', label: 'tab:8' });
  assert.deepEqual(Object.keys(files).sort(), ['csv', 'json', 'md', 'tex']);
  assert.equal(fs.readFileSync(files.csv, 'utf8'), 'masked,kl_seq,delta_acc,n\nE1 (hub),0.41234,-0.0125,120\nE6_math & co,1.5,0.2,120\n');
  const json = JSON.parse(fs.readFileSync(files.json, 'utf8')) as { rows: unknown[]; label: string };
  assert.deepEqual(json.rows, table.rows, 'JSON keeps full precision');
  assert.equal(json.label, 'tab:8');
  assert.equal(fs.readFileSync(files.tex, 'utf8'), toBooktabs(table, { caption: 'Masking', label: 'tab:8' }));
  assert.equal(fs.readFileSync(files.md, 'utf8'), toMarkdown(table, { caption: 'Masking' }));
  assert.throws(() => exportPaperTable({ columns: ['x'], rows: [{}] }, { dir, name: 'bad' }), /rows\[0\] has no column 'x'/);
  assert.ok(!fs.existsSync(path.join(dir, 'bad.csv')), 'nothing written for a malformed table');
});
