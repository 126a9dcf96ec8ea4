/** `inform generate --run D` then `inform train --run D`, as a user would type them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function inform(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('inform train trains on the transcripts `inform generate` stored in the same run, checkpoints each epoch, resumes', { timeout: 180_000 }, () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-train-'));
  try {
    const empty = inform('train', '--run', run);
    assert.equal(empty.code, 2, "no data is a usage error");
    assert.match(empty.err, /no training data/);

    const sel = ['--consortium', 'planted-hub', '--task', 'gsm8k', '--limit', '24'];
    assert.equal(inform('generate', ...sel, '--run', run).code, 0);
    const first = inform('train', '--run', run, ...sel, '--epochs', '2', '--hidden', '16');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out + first.err, /simulated data/);
    assert.match(first.out + first.err, /epoch 2\/2: loss [0-9.]+ \| held-out acc [0-9.]+/);
    assert.match(first.out, /\| no-content router [0-9.]+ \|/, 'each epoch names the no-content baseline');
    assert.match(first.out, /per task, epoch 2 .*\n  [a-z0-9]+ \([0-9]+ held-out items\): orchestrator [0-9.]+ .*best single \(train\) .*no-content router [0-9.]+/);
    for (const e of [0, 1, 2]) assert.ok(fs.existsSync(path.join(run, 'checkpoints', `epoch-${e}`)), `epoch-${e} checkpoint`);

    const again = inform('train', '--run', run, ...sel, '--epochs', '2', '--hidden', '16');
    assert.equal(again.code, 0, again.err);
    assert.match(again.out + again.err, /nothing to do: all 2 epochs are already checkpointed/);

    // Other data in the same run is refused, and the run keeps the data its checkpoints came from.
    const data = fs.readFileSync(path.join(run, 'dataset.jsonl'));
    const other = inform('train', '--run', run, '--data', 'synthetic', '--epochs', '2', '--hidden', '16');
    assert.equal(other.code, 1, other.out + other.err);
    assert.match(other.err, /cannot resume/);
    assert.ok(fs.readFileSync(path.join(run, 'dataset.jsonl')).equals(data), 'dataset.jsonl was replaced by the refused data');
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});

test('inform train --recipe content trains the recipe, records it in the run, resumes under it, and inform probe takes its horizon', { timeout: 180_000 }, () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-recipe-'));
  try {
    const sel = ['--consortium', 'planted-hub', '--task', 'gsm8k', '--limit', '24'];
    assert.equal(inform('generate', ...sel, '--run', run).code, 0);
    const bogus = inform('train', '--run', run, '--recipe', 'bogus');
    assert.equal(bogus.code, 2);
    assert.match(bogus.err, /unknown training recipe 'bogus' \(known: paper, content\)/);

    const first = inform('train', '--run', run, '--recipe', 'content', '--epochs', '2', '--hidden', '16');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /recipe content \(utility loss only/);
    assert.match(first.out, /best-of-8 restarts on a validation carve-out are `node --import tsx scripts\/honest-results\.ts --recipe content`/);
    // held-out chains under the recipe's horizon: at most 2 steps per item
    const calls = [...first.out.matchAll(/held-out acc [0-9.]+ \(([0-9.]+) calls\)/g)].map((m) => Number(m[1]));
    assert.equal(calls.length, 3, first.out);
    for (const c of calls) assert.ok(c >= 1 && c <= 2, `calls per item ${c} under a 2-step horizon`);
    const manifest = JSON.parse(fs.readFileSync(path.join(run, 'checkpoints', 'epoch-2', 'manifest.json'), 'utf8'));
    assert.equal(manifest.trainConfig.learningRate, 3e-3);
    assert.equal(manifest.trainConfig.utility, 'exact-two-step');
    assert.deepEqual(manifest.trainConfig.weights, { utility: 0.5, distillation: 0, symmetry: 0, sparsity: 0, oracle: 0, diversity: 0, selection: 0, length: 0 });
    assert.equal(manifest.trainConfig.epochs, 2, '--epochs overrides the recipe');
    assert.equal(manifest.modelConfig.selectionReadsH, true);
    assert.equal(manifest.modelConfig.hidden, 16, '--hidden overrides the recipe');
    const header = JSON.parse(fs.readFileSync(path.join(run, 'dataset.jsonl'), 'utf8').split('\n')[0]);
    assert.deepEqual(header.meta.centre, { mode: 'item', unit: true }, 'dataset.jsonl holds the data as trained on (centred per item)');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(run, 'recipe.json'), 'utf8')), { recipe: 'content' });

    // re-run without --recipe: the run's recipe, and the saved (already centred) data is accepted
    const again = inform('train', '--run', run, '--epochs', '2', '--hidden', '16');
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /recipe content/);
    assert.match(again.out + again.err, /nothing to do: all 2 epochs are already checkpointed/);
    // another recipe in the same run is refused before anything is touched
    const other = inform('train', '--run', run, '--recipe', 'paper', '--epochs', '2', '--hidden', '16');
    assert.equal(other.code, 2, other.out + other.err);
    assert.match(other.err, /was trained with recipe content .*recipe\.json.*start over here with --fresh/);

    const probe = inform('probe', '--run', run, '--probes', 'structure', '--epochs', '2');
    assert.equal(probe.code, 0, probe.err);
    assert.match(probe.out, /chains of at most 2 steps/);
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
