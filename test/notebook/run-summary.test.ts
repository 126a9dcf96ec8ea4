import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheDirs, cacheState, cacheStateOf, formatFiguresWritten, formatRunSummary, snapshotFiles, writtenSince } from '../../src/notebook/run-summary';
import { committedFigureData, compareFigureData, currentFigureData, figureGroups, formatFigureCheck } from '../../src/notebook/figures-check';
import type { NotebookResult } from '../../src/notebook/runner';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-run-summary-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function write(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

test('caches are cold without reusable files under runs/ and warm with them; the runner\'s own outputs do not count', () => {
  const runs = path.join(work, 'runs');
  assert.equal(cacheState(runs).state, 'cold', 'no runs/ at all');
  write(path.join(runs, 'notebooks', '00-smoke.ipynb'), '{}');
  write(path.join(runs, 'jupyter', 'kernels', 'tslab', 'kernel.json'), '{}');
  write(path.join(runs, 'browser-test', 'notebook-figures.png'), 'png');
  assert.deepEqual(cacheState(runs), { state: 'cold', files: 0, bytes: 0, dir: runs });
  write(path.join(runs, 'planted-hub', 'transcripts.jsonl'), 'x'.repeat(10));
  write(path.join(runs, 'planted-hub', 'checkpoints', 'epoch-1', 'weights.bin'), 'y'.repeat(5));
  assert.deepEqual(cacheState(runs), { state: 'warm', files: 2, bytes: 15, dir: runs });
});

test('cold/warm also looks at INFORM_PAPER_RUNS outside runs/ and at the compile cache', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-dirs-'));
  try {
    const paper = path.join(root, 'elsewhere');
    const caches = [path.join(root, '.cache', 'tslab'), path.join(root, '.cache', 'figures')];
    assert.deepEqual(cacheDirs(root, {}), [path.join(root, 'runs'), ...caches]);
    assert.deepEqual(cacheDirs(root, { INFORM_PAPER_RUNS: 'runs/paper' }), [path.join(root, 'runs'), ...caches], 'inside runs/: counted once');
    const dirs = cacheDirs(root, { INFORM_PAPER_RUNS: paper, INFORM_TSLAB_CACHE_DIR: 'tc', INFORM_FIGURE_CACHE_DIR: 'fc' });
    assert.deepEqual(dirs, [path.join(root, 'runs'), paper, path.join(root, 'tc'), path.join(root, 'fc')]);
    assert.equal(cacheStateOf(dirs).state, 'cold');
    write(path.join(root, 'tc', 'abc.json'), '{}');
    assert.deepEqual(cacheStateOf(dirs), { state: 'warm', files: 1, bytes: 2, dir: dirs.join(', ') });
    write(path.join(paper, 'null-gsm8k', 'transcripts.jsonl'), 'x');
    assert.equal(cacheStateOf(dirs).files, 2);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the files a notebook wrote are those new or changed since the snapshot', async () => {
  const dir = path.join(work, 'figures');
  write(path.join(dir, 'a', 'kept.csv'), 'same');
  write(path.join(dir, 'a', 'rewritten.csv'), 'old');
  const before = snapshotFiles(dir);
  await new Promise((r) => setTimeout(r, 20));
  write(path.join(dir, 'a', 'rewritten.csv'), 'new content');
  write(path.join(dir, 'b', 'fresh.svg'), '<svg/>');
  assert.deepEqual(writtenSince(before, snapshotFiles(dir)), [path.join(dir, 'a', 'rewritten.csv'), path.join(dir, 'b', 'fresh.svg')]);
  assert.deepEqual([...figureGroups(writtenSince(before, snapshotFiles(dir)), dir)].sort(), ['a', 'b']);
});

const result = (name: string, over: Partial<NotebookResult>): NotebookResult => ({
  path: path.resolve(`notebooks/${name}.ipynb`),
  outPath: '',
  ok: true,
  cells: [],
  cellCount: 3,
  codeCellCount: 2,
  kernelStartSeconds: 1,
  seconds: 12.34,
  figuresWritten: [],
  ...over,
});

test('the summary table lists every notebook with seconds, figures written and status, then total and cache state', () => {
  const files = ['notebooks/00-smoke.ipynb', 'notebooks/01-collaboration-evolution.ipynb', 'notebooks/02-prompt-perturbations.ipynb'];
  const results = [
    result('00-smoke', { figuresWritten: ['a', 'b', 'c'] }),
    result('01-collaboration-evolution', { ok: false, seconds: 100, failedCell: { index: 3, codeNumber: 2, kind: 'error', ename: 'E', evalue: 'v', traceback: [] } }),
  ];
  const text = formatRunSummary(files, results, 112.4, { state: 'cold', files: 0, bytes: 0, dir: 'runs' });
  assert.equal(
    text,
    [
      'notebook                    seconds  figures written  status',
      '--------------------------  -------  ---------------  -----------------------------',
      '00-smoke                       12.3                3  ok',
      '01-collaboration-evolution    100.0                0  FAILED (error in code cell 2)',
      '02-prompt-perturbations           -                -  not run',
      '',
      'total 112.4 s for 3 notebook(s), 1 ok',
      'caches: cold (no transcripts, checkpoints, probe tables or compiled code under runs before the run)',
    ].join('\n'),
  );
  assert.match(formatRunSummary(files.slice(0, 1), results.slice(0, 1), 5, { state: 'warm', files: 7, bytes: 3 * 1024 * 1024, dir: 'runs' }), /caches: warm \(7 files, 3\.0 MiB under runs/);
});

test('compareFigureData finds changed, missing and uncommitted data files in the folders that were re-run only', () => {
  const b = (s: string) => Buffer.from(s);
  const committed = new Map([
    ['smoke/curve.csv', b('step,loss\n1,0.69\n2,0.5\n')],
    ['smoke/curve.json', b('{}\n')],
    ['smoke/gone.csv', b('x\n')],
    ['05-masking/table-8.csv', b('a\n')],
  ]);
  const rerun = new Map([
    ['smoke/curve.csv', b('step,loss\n1,0.69\n2,0.51\n')],
    ['smoke/curve.json', b('{}\n')],
    ['smoke/new.json', b('[]')],
    ['smoke/curve.svg', b('<svg/>')],
  ]);
  const diffs = compareFigureData(committed, rerun, new Set(['smoke']));
  assert.deepEqual(diffs, [
    { file: 'smoke/curve.csv', kind: 'changed', firstDifference: { line: 3, committed: '2,0.5', rerun: '2,0.51' } },
    { file: 'smoke/gone.csv', kind: 'missing' },
    { file: 'smoke/new.json', kind: 'not committed' },
  ]);
  assert.deepEqual(compareFigureData(committed, new Map(committed), new Set(['smoke', '05-masking'])), []);
  assert.match(formatFigureCheck(diffs, new Set(['smoke']), 3), /^check: 3 CSV\/JSON file\(s\) in figures\/smoke\/ differ[^\n]*\n {2}changed: figures\/smoke\/curve\.csv\n {4}line 3, committed: 2,0\.5\n {4}line 3, re-run: {4}2,0\.51/);
  assert.equal(formatFigureCheck([], new Set(['smoke']), 2), 'check: 2 CSV/JSON file(s) in figures/smoke/ are byte-identical to the committed ones');
});

test('committedFigureData reads the committed CSV/JSON from git HEAD, not the working tree', () => {
  const repo = path.join(work, 'repo');
  write(path.join(repo, 'figures', 'smoke', 'curve.csv'), 'step,loss\n1,0.69\n');
  write(path.join(repo, 'figures', 'smoke', 'curve.png'), 'PNG');
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'figures');
  write(path.join(repo, 'figures', 'smoke', 'curve.csv'), 'step,loss\n1,0.7\n');
  const committed = committedFigureData(repo);
  assert.deepEqual([...committed.keys()], ['smoke/curve.csv']);
  assert.equal(committed.get('smoke/curve.csv')?.toString(), 'step,loss\n1,0.69\n');
  const diffs = compareFigureData(committed, currentFigureData(path.join(repo, 'figures')), new Set(['smoke']));
  assert.deepEqual(diffs.map((d) => d.kind), ['changed']);
  assert.throws(() => committedFigureData(path.join(work, 'not-a-repo-' + Date.now())), /not a git checkout/);
});

test('the files each notebook wrote are listed one figure per line, formats grouped', () => {
  const f = (name: string) => path.join('/repo', 'figures', 'smoke', name);
  const r = result('00-smoke', { figuresWritten: [f('curve.csv'), f('curve.json'), f('curve.pdf'), f('table-8.tex')] });
  assert.equal(formatFiguresWritten([r, result('01-x', {})], '/repo'), '00-smoke wrote 4 file(s):\n  figures/smoke/curve.{csv,json,pdf}\n  figures/smoke/table-8.tex');
});
