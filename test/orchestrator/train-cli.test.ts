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
    for (const e of [0, 1, 2]) assert.ok(fs.existsSync(path.join(run, 'checkpoints', `epoch-${e}`)), `epoch-${e} checkpoint`);

    const again = inform('train', '--run', run, ...sel, '--epochs', '2', '--hidden', '16');
    assert.equal(again.code, 0, again.err);
    assert.match(again.out + again.err, /nothing to do: all 2 epochs are already checkpointed/);
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
