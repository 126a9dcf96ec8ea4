import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConsortium } from '../../src/experts/consortium';
import { agreementRows, ensureSolversRun, ggufConsortiumYaml, gsm8kSolutionsMissing } from '../../src/notebook/paper-findings-09';
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
