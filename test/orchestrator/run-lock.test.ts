/**
 * One trainer per run folder: while a process trains in a run folder, a second training there —
 * resuming, starting over, or `inform train --fresh` — is refused and the first one's checkpoints
 * stay as it wrote them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LockHeldError } from '../../src/experts/store/file-lock';
import { checkpointDir, listCheckpoints } from '../../src/orchestrator/checkpoint';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { TRAIN_LOCK_FILE, trainOrchestrator } from '../../src/orchestrator/train';
import { disposeModel } from '../../src/orchestrator/model';

const ROOT = path.resolve(__dirname, '../..');
// the very settings of fixtures/train-child.ts, so that without the lock a second call would resume its run
const childSettings = () => ({
  dataset: syntheticRoutingDataset({ seed: 5, nItems: 8, nExperts: 4, dim: 256 }),
  model: { hidden: 64 },
  train: { seed: 2, epochs: 400 },
  progressBar: false,
});

test('a second training in a run folder that is being trained is refused; the first run is untouched', { timeout: 180_000 }, async () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'run-lock-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'train-child.ts'), run, '400'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (/epoch 1\b/.test(d.toString())) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the training child exited (${code}) before epoch 1: ${stderr}`)));
    });
    const epoch0 = fs.readFileSync(path.join(checkpointDir(run, 0), 'weights.bin'));

    for (const resume of [true, false]) {
      await assert.rejects(
        trainOrchestrator({ ...childSettings(), runDir: run, resume, stopAfterEpoch: 2 }),
        (e: unknown) => e instanceof LockHeldError && e.message.includes(`${path.join(run, TRAIN_LOCK_FILE)}: the run folder is being written by process ${child.pid}`),
      );
    }
    // The CLI's --fresh, too: it must not remove the running training's checkpoints.
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), 'train', '--run', run, '--data', 'synthetic', '--fresh', '--epochs', '1', '--hidden', '8'], { cwd: ROOT, encoding: 'utf8' });
    assert.notEqual(cli.status, 0, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /the run folder is being written by process \d+/);

    assert.equal(child.exitCode, null, `the first training stopped: ${stderr}`);
    assert.ok(fs.readFileSync(path.join(checkpointDir(run, 0), 'weights.bin')).equals(epoch0), "the first run's epoch-0 checkpoint was replaced");
    assert.ok(listCheckpoints(run).includes(1));

    child.kill('SIGKILL');
    await exited;
    // Once that trainer is gone (killed: its lock stays behind), the run folder can be trained again.
    assert.ok(fs.existsSync(path.join(run, TRAIN_LOCK_FILE)), 'a killed trainer leaves its lock');
    const resumed = await trainOrchestrator({ ...childSettings(), runDir: run, stopAfterEpoch: listCheckpoints(run).at(-1)! + 1 });
    assert.equal(resumed.epochs.length, 1);
    disposeModel(resumed.model);
    assert.equal(fs.existsSync(path.join(run, TRAIN_LOCK_FILE)), false, 'the lock is released when training ends');
  } finally {
    child.kill('SIGKILL');
    await exited;
    fs.rmSync(run, { recursive: true, force: true });
  }
});

test('two trainings of one run folder in the same process: the second is refused', async () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'run-lock-'));
  try {
    const small = { dataset: syntheticRoutingDataset({ seed: 2, nItems: 6, nExperts: 3, dim: 8 }), model: { hidden: 8 }, train: { seed: 1, epochs: 2 }, progressBar: false, runDir: run };
    const first = trainOrchestrator(small);
    await assert.rejects(trainOrchestrator({ ...small, resume: false }), /the run folder is already open for writing in this process/);
    disposeModel((await first).model);
    assert.deepEqual(listCheckpoints(run), [0, 1, 2]);
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
