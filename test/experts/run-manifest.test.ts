/** The run manifest: `inform generate` records its selection, `inform train` rebuilds the same items. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeSelection, loadManifestItems, readRunManifest, RunManifestError, writeRunManifest, type RunManifest } from '../../src/experts/run-manifest';
import { loadTaskItems, type TaskName } from '../../src/tasks';

const ROOT = path.resolve(__dirname, '../..');

function inform(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const sample: RunManifest = {
  version: 1,
  writtenBy: 'test',
  updatedAt: '2026-01-01T00:00:00.000Z',
  consortium: { name: 'planted-hub', source: 'planted-hub', simulated: true },
  tasks: ['gsm8k', 'mmlu'],
  splits: ['train'],
  limit: 5,
  data: { source: 'bundled' },
  seeds: {},
  pairs: 'none',
  graded: true,
  items: 10,
};

test('a manifest round-trips; a run without one reads as undefined; its items load', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-manifest-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.equal(readRunManifest(dir), undefined);
  writeRunManifest(dir, sample);
  assert.deepEqual(readRunManifest(dir), sample);
  assert.deepEqual(fs.readdirSync(dir), ['run.json'], 'no temp file left');
  const items = await loadManifestItems(dir, sample);
  assert.deepEqual(items.map((i) => i.task), [...Array(5).fill('gsm8k'), ...Array(5).fill('mmlu')]);
  await assert.rejects(loadManifestItems(dir, { ...sample, items: 11 }), /records 11 items but the selection now loads 10/);
});

test('a loadTaskItems selection (official or bundled, limitPerTask, seed) round-trips and reloads the same items', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-manifest-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const opts = { tasks: ['gsm8k', 'humaneval'] as TaskName[], source: 'bundled' as const, limitPerTask: 6, seed: 3 };
  const sel = loadTaskItems(opts);
  const m: RunManifest = { ...sample, tasks: opts.tasks, splits: ['train', 'validation', 'test'], limit: 6, data: { source: 'task-items', from: 'bundled', seed: 3, dataSource: sel.dataSource }, items: sel.items.length };
  writeRunManifest(dir, m);
  const back = readRunManifest(dir)!;
  assert.deepEqual(back, m);
  assert.deepEqual((await loadManifestItems(dir, back)).map((i) => i.id), sel.items.map((i) => i.id));
  assert.match(describeSelection(back), /bundled/);
});

test('an invalid manifest is an error naming the file and the field', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-manifest-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'run.json');
  const cases: [unknown, RegExp][] = [
    [{ ...sample, limit: 0 }, /field 'limit'/],
    [{ ...sample, tasks: ['gsm9k'] }, /field 'tasks\.0'/],
    [{ ...sample, pairs: 'some' }, /field 'pairs': expected none, all or sample:K/],
    [{ ...sample, extra: 1 }, /unknown field\(s\) extra/],
    [{ ...sample, data: { source: 'directory' } }, /field 'data\.dir'/],
    [{ ...sample, data: { source: 'official' } }, /field 'data\.source'/],
  ];
  for (const [data, re] of cases) {
    fs.writeFileSync(file, JSON.stringify(data));
    assert.throws(() => readRunManifest(dir), (e: unknown) => e instanceof RunManifestError && e.message.startsWith(file) && re.test(e.message));
  }
  fs.writeFileSync(file, '{"version": 1,');
  assert.throws(() => readRunManifest(dir), /run\.json: not valid JSON/);
});

test('`inform generate --limit 20` then `inform train --run D` trains on the same 20 items', { timeout: 180_000 }, (t) => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-manifest-run-'));
  t.after(() => fs.rmSync(run, { recursive: true, force: true }));
  const gen = inform('generate', '--consortium', 'planted-hub', '--task', 'gsm8k', '--limit', '20', '--run', run);
  assert.equal(gen.code, 0, gen.err);
  const m = readRunManifest(run);
  assert.ok(m, 'generate wrote run.json');
  assert.deepEqual([m.consortium.source, m.tasks, m.splits, m.limit, m.data.source, m.items], ['planted-hub', ['gsm8k'], ['train', 'validation', 'test'], 20, 'bundled', 20]);

  // Without the manifest (a run from before manifests), train's defaults pick other items: the
  // error must say which flags to give rather than "run inform generate first".
  const saved = fs.readFileSync(path.join(run, 'run.json'));
  fs.rmSync(path.join(run, 'run.json'));
  const blind = inform('train', '--run', run, '--epochs', '1', '--hidden', '8');
  assert.notEqual(blind.code, 0);
  assert.match(blind.err, /has no run\.json .*give train the --consortium, --task, --split and --limit/);
  fs.writeFileSync(path.join(run, 'run.json'), saved);

  const train = inform('train', '--run', run, '--epochs', '1', '--hidden', '8');
  assert.equal(train.code, 0, train.out + train.err);
  assert.match(train.out, /as `inform generate` made them: simulated-planted-hub \| gsm8k \| train\+validation\+test \| limit 20 per task/);
  assert.match(train.out, /training on 20 items x \d+ experts/);
});
