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
