import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConsortium } from '../../src/experts/consortium';
import { agreementRows, ensureSolversRun, ggufConsortiumYaml, gsm8kSolutionsMissing, trainAndProbe } from '../../src/notebook/paper-findings-09';
import { trainedByThisCode } from '../../src/notebook/paper-runs';
import { ensureBackend } from '../../src/orchestrator/backend';
import { checkpointDir } from '../../src/orchestrator/checkpoint';
import { saveRoutingDataset } from '../../src/orchestrator/dataset';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { labelAgreement } from '../../src/experts/import-gsm8k-solutions';
import { writeTinyLlamaGguf } from '../fixtures/gguf/write-tiny-llama';

test('09 (a) without the solutions file: a message naming the file and where to get it; the run refuses with it', async () => {
  const file = path.join(os.tmpdir(), 'no-such-dir-inform', 'gsm8k', 'example_model_solutions.jsonl');
  const msg = gsm8kSolutionsMissing(file);
  assert.ok(msg && msg.includes(file) && msg.includes('grade-school-math'), msg ?? '');
  await assert.rejects(ensureSolversRun({ epochs: 1, hidden: 8, seed: 0 }, file), /is absent, so part \(a\) is skipped/);
});

test('09 agreementRows: one row per solver with the confusion counts', () => {
  const rows = agreementRows({ agreement: [labelAgreement('G6F', [{ label: true, graded: true }, { label: false, graded: true }])] });
  assert.equal(rows[0].solver, '6b_finetuning');
  assert.equal(rows[0]['grader correct, label wrong'], 1);
  assert.equal(rows[0].agreement, 0.5);
});

test('09 (b) ggufConsortiumYaml loads as a two-expert llama-cpp consortium on the tiny GGUF', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-nb09-'));
  try {
    const model = writeTinyLlamaGguf(path.join(dir, 'tiny.gguf'), { seed: 7 });
    const cfg = path.join(dir, 'tiny.yaml');
    fs.writeFileSync(cfg, ggufConsortiumYaml(model));
    const c = loadConsortium(cfg);
    try {
      assert.deepEqual(c.experts.map((e) => [e.id, e.backend]), [['L1', 'llama-cpp'], ['L2', 'llama-cpp']]);
      assert.equal(c.simulated, false);
    } finally {
      await c.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('09 trainAndProbe trains again when the stored checkpoints came from other orchestrator code (as ensurePaperRun does)', async () => {
  await ensureBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-nb09-code-'));
  try {
    const ds = syntheticRoutingDataset({ seed: 3, nItems: 12, nExperts: 3, dim: 16, nDomains: 2 });
    saveRoutingDataset({ ...ds, items: ds.items.map((it, k) => ({ ...it, split: k < 8 ? ('train' as const) : ('test' as const) })) }, path.join(dir, 'dataset.jsonl'));
    const run = () => trainAndProbe({ dir, consortiumName: 'synthetic', simulated: true, rows: [], split: {}, dataSource: 'synthetic', spec: { epochs: 1, hidden: 8, seed: 0 }, maskExperts: ['expert-1'], say: () => {} });
    const lastWeights = () => path.join(checkpointDir(dir, 1), 'weights.bin');
    await run();
    assert.ok(trainedByThisCode(dir), 'a fresh training run is marked as this code');
    const first = fs.statSync(lastWeights()).mtimeMs;
    await run(); // same code: reused
    assert.equal(fs.statSync(lastWeights()).mtimeMs, first);
    fs.writeFileSync(path.join(dir, 'train-code.txt'), 'other code');
    assert.ok(!trainedByThisCode(dir));
    await new Promise((r) => setTimeout(r, 20));
    await run(); // other code: trained again
    assert.ok(fs.statSync(lastWeights()).mtimeMs > first, 'checkpoints from other orchestrator code were reused');
    assert.ok(trainedByThisCode(dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
