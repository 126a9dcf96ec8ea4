/**
 * Checkpoints: a reload reproduces the forward pass bit for bit; training resumed from a
 * checkpoint ends in exactly the state of an uninterrupted run; a process killed at arbitrary
 * moments never leaves a checkpoint that fails to load; bad files give errors that name them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { checkpointDir, latestCheckpoint, listCheckpoints, loadCheckpoint, loadOrchestratorModel, saveCheckpoint } from '../../src/orchestrator/checkpoint';
import { createAdamState, disposeAdamState, readAdamState } from '../../src/orchestrator/adam';
import { resolveTrainConfig } from '../../src/orchestrator/config';
import { disposeBatch, loadRoutingDataset, saveRoutingDataset, splitRoutingDataset, toBatch } from '../../src/orchestrator/dataset';
import { createModel, disposeCache, disposeModel, forward, readParameters } from '../../src/orchestrator/model';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { trainOrchestrator } from '../../src/orchestrator/train';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'orch-ckpt-'));
const dataset = splitRoutingDataset(syntheticRoutingDataset({ seed: 11, nItems: 24, nExperts: 5, dim: 32 }), { seed: 1 });
const settings = { dataset, model: { hidden: 16, heads: 2 }, train: { seed: 4, epochs: 3 }, progressBar: false } as const;

function bytes(dir: string, file: string): Buffer {
  return fs.readFileSync(path.join(dir, file));
}

test('reload is bit-for-bit, and resume equals an uninterrupted run', async () => {
  await ensureBackend();
  const tensorsBefore = tf.memory().numTensors;
  const runA = tmp();
  const runB = tmp();
  try {
    const full = await trainOrchestrator({ ...settings, runDir: runA });
    const part = await trainOrchestrator({ ...settings, runDir: runB, stopAfterEpoch: 1 });
    assert.deepEqual(listCheckpoints(runB), [0, 1]);

    // Reload epoch 1 and compare every forward output with the in-memory model, bit for bit.
    const { model: reloaded, checkpoint: ck } = loadOrchestratorModel({ runDir: runB, epoch: 1 });
    assert.equal(ck.epoch, 1);
    const batch = toBatch(dataset.items.slice(0, 4), dataset.dim);
    const opts = { steps: 3, tau: 0.8 };
    const a = forward(part.model, batch, opts);
    const b = forward(reloaded, batch, opts);
    for (const key of ['h', 'ctx', 'C', 's', 'stepProbs', 'finalDist', 'logProbSelected'] as const) {
      assert.deepEqual(Array.from(b[key].dataSync()), Array.from(a[key].dataSync()), `${key} differs after reload`);
    }
    disposeCache(a);
    disposeCache(b);
    disposeBatch(batch);
    disposeModel(reloaded);
    disposeModel(part.model);

    // Resume B and compare its final checkpoint with A's, byte for byte.
    const resumed = await trainOrchestrator({ ...settings, runDir: runB });
    assert.equal(resumed.resumedFrom, 1);
    assert.deepEqual(resumed.epochs.map((e) => e.epoch), [2, 3]);
    const dirA = checkpointDir(runA, 3);
    const dirB = checkpointDir(runB, 3);
    assert.ok(bytes(dirA, 'weights.bin').equals(bytes(dirB, 'weights.bin')), 'weights differ between resumed and uninterrupted runs');
    assert.ok(bytes(dirA, 'adam.bin').equals(bytes(dirB, 'adam.bin')), 'Adam moments differ');
    const [ma, mb] = [loadCheckpoint(dirA), loadCheckpoint(dirB)];
    assert.deepEqual(mb.schedule, ma.schedule);
    assert.deepEqual(mb.rngState, ma.rngState);
    const stepsA = full.epochs.slice(2).flatMap((e) => e.steps.map((s) => s.total));
    const stepsB = resumed.epochs.flatMap((e) => e.steps.map((s) => s.total));
    assert.deepEqual(stepsB, stepsA, 'per-step losses after the resume point differ');
    // And training did change the weights.
    assert.ok(!bytes(checkpointDir(runA, 0), 'weights.bin').equals(bytes(dirA, 'weights.bin')));

    // Resuming with different settings is refused, naming the field.
    await assert.rejects(trainOrchestrator({ ...settings, runDir: runB, train: { ...settings.train, seed: 5 } }), /train\.seed/);
    // So is resuming on other data (same experts): it would change the schedule mid-run.
    const other = splitRoutingDataset(syntheticRoutingDataset({ seed: 12, nItems: 30, nExperts: 5, dim: 32 }), { seed: 1 });
    await assert.rejects(trainOrchestrator({ ...settings, dataset: other, runDir: runB }), /trained on other data \(24 items, 18 for training, fingerprint \w+; given: 30 items/);
    disposeModel(full.model);
    disposeModel(resumed.model);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'training, checkpointing or evaluation leaked tensors');
  } finally {
    fs.rmSync(runA, { recursive: true, force: true });
    fs.rmSync(runB, { recursive: true, force: true });
  }
});

const EPOCHS = 12;

test('a process killed while training leaves only complete checkpoints, and training resumes', async () => {
  const run = tmp();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'train-child.ts'), run, String(EPOCHS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Kill it at the 4th checkpoint notice plus a short, varying delay.
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      child.stdout.on('data', (d: Buffer) => {
        seen += (d.toString().match(/epoch \d+/g) ?? []).length;
        if (seen >= 4 && !child.killed) setTimeout(() => child.kill('SIGKILL'), Date.now() % 40);
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    assert.ok(!stderr.includes('Error'), stderr);
    const epochs = listCheckpoints(run);
    assert.ok(epochs.length >= 4 && epochs.length <= EPOCHS, `${epochs.length} checkpoints`);
    for (const e of epochs) loadCheckpoint(checkpointDir(run, e)); // every visible checkpoint loads
    const latest = latestCheckpoint(run)!;
    const resumed = await trainOrchestrator({
      dataset: syntheticRoutingDataset({ seed: 5, nItems: 8, nExperts: 4, dim: 256 }),
      runDir: run,
      model: { hidden: 64 },
      train: { seed: 2, epochs: EPOCHS },
      progressBar: false,
    });
    assert.equal(resumed.resumedFrom, loadCheckpoint(latest).epoch);
    assert.equal(listCheckpoints(run).at(-1), EPOCHS);
    const leftovers = fs.readdirSync(path.join(run, 'checkpoints')).filter((n) => !/^epoch-\d+$/.test(n));
    assert.deepEqual(leftovers, [], 'half-written checkpoint folders of the killed run were left behind');
    disposeModel(resumed.model);
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});

test('bad files are rejected with the file, line and field', () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'data.jsonl');
    saveRoutingDataset(dataset, file);
    const back = loadRoutingDataset(file);
    assert.deepEqual(back.expertIds, dataset.expertIds);
    assert.deepEqual(Array.from(back.items[3].outputs[2]), Array.from(dataset.items[3].outputs[2]));
    assert.equal(back.items[3].split, dataset.items[3].split);

    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const bad = JSON.parse(lines[3]);
    bad.correct[1] = 2;
    lines[3] = JSON.stringify(bad);
    fs.writeFileSync(file, lines.join('\n'));
    assert.throws(() => loadRoutingDataset(file), (e: Error) => e.message.startsWith(`${file}:4: field 'correct.1'`));
    bad.correct[1] = 1;
    bad.outputs[0] = bad.outputs[0].slice(1);
    lines[3] = JSON.stringify(bad);
    fs.writeFileSync(file, lines.join('\n'));
    assert.throws(() => loadRoutingDataset(file), /data\.jsonl:4: outputs\[0\] has length 31, expected 32/);

    // A checkpoint whose weight file was cut short names the file and tensor.
    const ckDir = path.join(dir, 'checkpoints', 'epoch-0');
    fs.mkdirSync(ckDir, { recursive: true });
    const cfg = { inputDim: 4, nExperts: 2, hidden: 4, backbone: false, heads: 1, dropout: 0, lengthPenalty: 0.25, selectionReadsH: false, scoreParts: 'full' as const };
    const model = createModel(cfg, 1);
    const adam = createAdamState(model.params);
    // Half-written folders of a writer that died are removed by the next save; a live writer's stay.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = path.join(dir, 'checkpoints', `.epoch-3.tmp-${dead}-1`);
    const live = path.join(dir, 'checkpoints', `.epoch-3.tmp-${process.ppid}-1`);
    for (const d of [stale, live]) fs.mkdirSync(d, { recursive: true });
    const saved = saveCheckpoint(dir, { epoch: 0, modelConfig: cfg, trainConfig: resolveTrainConfig({}), schedule: { step: 0, tau: 1, k: 2, confidence: 0.5 }, rngState: [1, 2, 3, 4], expertIds: ['a', 'b'], params: readParameters(model), adam: readAdamState(adam), metrics: {} });
    assert.ok(!fs.existsSync(stale), 'a dead writer\'s temporary folder was left');
    assert.ok(fs.existsSync(live), 'a live writer\'s temporary folder was removed');
    const manifestFile = path.join(saved, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, modelConfig: { ...manifest.modelConfig, hidden: 'four' } }));
    assert.throws(() => loadCheckpoint(saved), /manifest\.json: field 'modelConfig\.hidden': Expected number/);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    fs.truncateSync(path.join(saved, 'weights.bin'), 20);
    assert.throws(() => loadCheckpoint(saved), /manifest\.json: tensor '.*' runs past the end of weights\.bin/);
    disposeAdamState(adam);
    disposeModel(model);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resume: false starts over: no checkpoint of the earlier, longer run is left behind', async () => {
  await ensureBackend();
  const run = tmp();
  try {
    const small = { dataset: syntheticRoutingDataset({ seed: 2, nItems: 6, nExperts: 3, dim: 8 }), model: { hidden: 8, heads: 2 }, progressBar: false } as const;
    disposeModel((await trainOrchestrator({ ...small, runDir: run, train: { seed: 1, epochs: 3 } })).model);
    assert.deepEqual(listCheckpoints(run), [0, 1, 2, 3]);
    disposeModel((await trainOrchestrator({ ...small, runDir: run, resume: false, train: { seed: 2, epochs: 1 } })).model);
    assert.deepEqual(listCheckpoints(run), [0, 1]);
    assert.equal(loadCheckpoint(latestCheckpoint(run)!).trainConfig.seed, 2, 'the newest checkpoint belongs to the new run');
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});

test('a checkpoint written before selectionReadsH / distillation existed keeps its meaning (r . h_i on, encoder-space distillation)', async () => {
  await ensureBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orch-ck-old-'));
  try {
    for (const readsH of [true, false]) {
      const cfg = { inputDim: 4, nExperts: 2, hidden: 4, backbone: false, heads: 1, dropout: 0, lengthPenalty: 0.25, selectionReadsH: readsH, scoreParts: 'full' as const };
      const model = createModel(cfg, 1);
      const adam = createAdamState(model.params);
      const saved = saveCheckpoint(dir, { epoch: 0, modelConfig: cfg, trainConfig: resolveTrainConfig({}), schedule: { step: 0, tau: 1, k: 2, confidence: 0.5 }, rngState: [1, 2, 3, 4], expertIds: ['a', 'b'], params: readParameters(model), adam: readAdamState(adam), metrics: {} });
      disposeModel(model);
      disposeAdamState(adam);
      const file = path.join(saved, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(file, 'utf8'));
      delete m.modelConfig.selectionReadsH;
      delete m.trainConfig.distillation;
      delete m.trainConfig.minRolloutSteps;
      fs.writeFileSync(file, JSON.stringify(m));
      const ck = loadCheckpoint(saved);
      assert.equal(ck.modelConfig.selectionReadsH, readsH, 'read from whether the weights hold select.r');
      assert.equal(ck.trainConfig.distillation, 'encoder-mse');
      assert.equal(ck.trainConfig.minRolloutSteps, 1);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a checkpoint changed after it was written is refused on load, naming the file and the tensor', async () => {
  await ensureBackend();
  const run = tmp();
  try {
    const small = { dataset: syntheticRoutingDataset({ seed: 2, nItems: 6, nExperts: 3, dim: 8 }), model: { hidden: 8, heads: 2 }, train: { seed: 1, epochs: 3 }, progressBar: false, runDir: run } as const;
    disposeModel((await trainOrchestrator(small)).model);
    const dir = checkpointDir(run, 3);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const pristine = { weights: bytes(dir, 'weights.bin'), adam: bytes(dir, 'adam.bin'), manifest: bytes(dir, 'manifest.json') };
    const restore = () => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), pristine.weights);
      fs.writeFileSync(path.join(dir, 'adam.bin'), pristine.adam);
      fs.writeFileSync(path.join(dir, 'manifest.json'), pristine.manifest);
    };
    type Entry = { name: string; offset: number; length: number };
    const patch = (file: string, entry: Entry, index: number, value: Buffer) => {
      const buf = Buffer.from(bytes(dir, file));
      value.copy(buf, entry.offset + 4 * index);
      fs.writeFileSync(path.join(dir, file), buf);
    };
    const nan = Buffer.from([0x00, 0x00, 0xc0, 0x7f]); // float32 NaN, little-endian

    // 4 bytes changed inside a weight tensor: resuming refuses it instead of training on other weights.
    const w: Entry = manifest.weights.tensors[Math.floor(manifest.weights.tensors.length / 2)];
    patch('weights.bin', w, Math.floor(w.length / 2), Buffer.from([1, 2, 3, 4]));
    const changed = new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/weights\\.bin: tensor '${w.name}' .*does not match its checksum`);
    await assert.rejects(trainOrchestrator(small), changed);
    assert.throws(() => loadCheckpoint(dir), changed);
    restore();

    // NaN bytes in Adam's moments: named as a damaged file, not reported later as divergence.
    const m: Entry = manifest.adam.tensors[0];
    patch('adam.bin', m, 0, nan);
    assert.throws(() => loadCheckpoint(dir), new RegExp(`adam\\.bin: tensor '${m.name.replace('.', '\\.')}' .*does not match its checksum`));
    // A model that only runs (probes, evaluation) does not read the moments: the weights load, checked.
    const weightsOnly = loadCheckpoint(dir, { optimizer: false });
    assert.equal('adam' in weightsOnly, false);
    const probed = loadOrchestratorModel(dir);
    disposeModel(probed.model);
    restore();
    assert.deepEqual(weightsOnly.params, loadCheckpoint(dir).params);
    assert.deepEqual(probed.checkpoint.params, weightsOnly.params);
    // ...but the weights themselves are still checked
    patch('weights.bin', w, 0, nan);
    assert.throws(() => loadCheckpoint(dir, { optimizer: false }), changed);
    restore();

    // Bytes appended to a file.
    fs.appendFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(8));
    assert.throws(() => loadCheckpoint(dir), /weights\.bin: \d+ bytes after the last tensor/);
    restore();

    // A checkpoint of the first format (no checksums) still loads, but a NaN in it is named.
    const v1 = { ...manifest, version: 1, weights: { file: 'weights.bin', tensors: manifest.weights.tensors.map(({ sha256: _s, ...e }: Entry & { sha256: string }) => e) }, adam: { file: 'adam.bin', tensors: manifest.adam.tensors.map(({ sha256: _s, ...e }: Entry & { sha256: string }) => e) } };
    delete v1.weights.bytes;
    delete v1.adam.bytes;
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(v1));
    assert.equal(loadCheckpoint(dir).epoch, 3);
    patch('weights.bin', w, 1, nan);
    assert.throws(() => loadCheckpoint(dir), new RegExp(`weights\\.bin: tensor '${w.name.replace('.', '\\.')}' holds NaN at index 1`));
    restore();
    assert.equal(loadCheckpoint(dir).epoch, 3, 'the untouched checkpoint loads');
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
