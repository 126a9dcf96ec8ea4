import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { csvColumns, rowsToCsv, type SourceRow } from '../../src/plots/index';

/** Parses CSV with Python's csv module: an independent reader, not our own code. */
function pythonCsv(text: string): string[][] {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))))'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

test('rowsToCsv quotes only what needs quoting and keeps full number precision', () => {
  const rows = [
    { name: 'plain', value: 0.1 + 0.2 },
    { name: 'a, comma', value: -1e-12 },
    { name: 'say "hi"', value: 3 },
    { name: 'two\nlines', value: 1 / 3 },
    { name: ' padded ', value: 0 },
  ];
  const text = rowsToCsv(rows);
  assert.equal(text.split('\n')[0], 'name,value');
  assert.equal(text.split('\n')[1], 'plain,0.30000000000000004');
  assert.ok(text.includes('"a, comma",-1e-12'));
  assert.ok(text.includes('"say ""hi""",3'));
  const parsed = pythonCsv(text);
  assert.deepEqual(parsed[0], ['name', 'value']);
  assert.deepEqual(
    parsed.slice(1).map(([n, v]) => ({ name: n, value: Number(v) })),
    rows,
    'Python reads back exactly the rows we wrote',
  );
});

test('rows with different keys share one header in first-seen order', () => {
  const rows: SourceRow[] = [{ a: 1 }, { b: 'x', a: 2 }];
  assert.deepEqual(csvColumns(rows), ['a', 'b']);
  assert.equal(rowsToCsv(rows), 'a,b\n1,\n2,x\n');
});
