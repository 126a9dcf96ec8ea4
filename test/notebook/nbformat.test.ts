import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readNotebook, splitLines, validateNotebook, writeNotebook, type Notebook } from '../../src/notebook/nbformat';

const valid = (): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'tslab', display_name: 'TS' }, language_info: { name: 'typescript' } },
  cells: [
    { cell_type: 'markdown', id: 'm1', metadata: {}, source: '# title' },
    {
      cell_type: 'code',
      id: 'c1',
      metadata: {},
      source: ['x\n', 'y'],
      execution_count: 1,
      outputs: [
        { output_type: 'stream', name: 'stdout', text: ['a\n'] },
        { output_type: 'display_data', data: { 'text/html': ['<b>'], 'application/json': { a: 1 } }, metadata: {} },
        { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '1' }, metadata: {} },
        { output_type: 'error', ename: 'E', evalue: 'v', traceback: [] },
      ],
    },
  ],
});

test('a well-formed nbformat 4.5 notebook has no problems', () => {
  assert.deepEqual(validateNotebook(valid()), []);
});

test('each structural problem is reported with its field path', () => {
  const nb = valid() as unknown as { cells: Record<string, unknown>[]; nbformat: unknown };
  nb.nbformat = 3;
  nb.cells[1].id = 'm1';
  (nb.cells[1].outputs as Record<string, unknown>[])[0].name = 'stdlog';
  (nb.cells[1].outputs as Record<string, unknown>[])[3] = { output_type: 'error', ename: 'E' };
  nb.cells[0].outputs = [];
  const problems = validateNotebook(nb);
  assert.ok(problems.includes('nbformat: must be 4, got 3'), problems.join('\n'));
  assert.ok(problems.includes('cells[1].id: duplicate id "m1"'), problems.join('\n'));
  assert.ok(problems.includes('cells[1].outputs[0].name: must be "stdout" or "stderr"'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('cells[1].outputs[3].evalue')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('cells[0]: a markdown cell must not have outputs')), problems.join('\n'));
});

test('readNotebook names the file and field; upgrades 4.4 by adding cell ids; write/read round-trips', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nbformat-test-'));
  try {
    const bad = path.join(dir, 'bad.ipynb');
    fs.writeFileSync(bad, '{"nbformat": 4,');
    assert.throws(() => readNotebook(bad), (e: Error) => e.message.startsWith(`${bad}: not valid JSON`));
    const noCells = path.join(dir, 'nocells.ipynb');
    fs.writeFileSync(noCells, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {} }));
    assert.throws(() => readNotebook(noCells), /nocells\.ipynb: not a valid nbformat 4 notebook:\n {2}cells: must be a list/);
    assert.throws(() => readNotebook(path.join(dir, 'missing.ipynb')), /missing\.ipynb: cannot read notebook \(ENOENT\)/);

    const old = valid() as unknown as { nbformat_minor: number; cells: Record<string, unknown>[] };
    old.nbformat_minor = 4;
    for (const c of old.cells) delete c.id;
    const oldPath = path.join(dir, 'old.ipynb');
    fs.writeFileSync(oldPath, JSON.stringify(old));
    const up = readNotebook(oldPath);
    assert.equal(up.nbformat_minor, 5);
    assert.ok(up.cells.every((c) => /^[0-9a-f]{16}$/.test(c.id)));

    const out = path.join(dir, 'sub', 'out.ipynb');
    writeNotebook(out, valid());
    assert.deepEqual(readNotebook(out), valid());
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ['out.ipynb'], 'no temporary file left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('splitLines keeps newlines and a final partial line', () => {
  assert.deepEqual(splitLines('a\nb\n'), ['a\n', 'b\n']);
  assert.deepEqual(splitLines('a\n\nb'), ['a\n', '\n', 'b']);
  assert.deepEqual(splitLines(''), []);
});
