/**
 * End to end on the simulated consortium with planted structure (data/consortia/
 * simulated-planted-hub.yaml: E6 is the math specialist, E8 the knowledge specialist, E1 a
 * middling hub): generate and grade every expert's answer, encode with the hashing encoder,
 * train the orchestrator for Table 4's 5 epochs (d = 32 here to keep the test fast), and check
 * that held-out accuracy beats the best single expert and a uniform router, and that C sharpens
 * (its mean row entropy at the end is below the untrained model's). The numbers are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashingEncoder } from '../../src/encoders';
import { collectResponses, generateTranscripts, loadConsortium } from '../../src/experts';
import { buildRoutingDataset } from '../../src/orchestrator/from-consortium';
import { itemsOfSplit, splitRoutingDataset } from '../../src/orchestrator/dataset';
import { trainOrchestrator } from '../../src/orchestrator/train';
import { evaluateOrchestrator } from '../../src/orchestrator/evaluate';
import { listCheckpoints } from '../../src/orchestrator/checkpoint';
import { consortiumItems } from './consortium-items';

test('training on the simulated planted-hub consortium beats the best single expert and a uniform router; C sharpens', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orch-consortium-'));
  try {
    const consortium = loadConsortium('planted-hub');
    const items = consortiumItems(200);
    await generateTranscripts({ consortium, items, run: path.join(dir, 'transcripts') });
    const rows = collectResponses(path.join(dir, 'transcripts'), consortium, items);
    const dataset = splitRoutingDataset(await buildRoutingDataset({ rows, encoder: hashingEncoder(), meta: { consortium: 'planted-hub' } }), { testFraction: 0.25, seed: 0 });
    assert.equal(dataset.dim, 768);

    const runDir = path.join(dir, 'run');
    const result = await trainOrchestrator({ dataset, runDir, model: { hidden: 32 }, train: { seed: 1 }, progressBar: false });
    const [first, ...rest] = result.epochs;
    const last = rest[rest.length - 1];
    assert.equal(first.epoch, 0);
    assert.equal(last.epoch, 5);
    assert.deepEqual(listCheckpoints(runDir), [0, 1, 2, 3, 4, 5]);

    console.log('epoch | held-out acc | avg calls | C row entropy | s entropy | k | train loss');
    for (const e of result.epochs) {
      console.log(`${e.epoch} | ${e.eval.accuracy.toFixed(3)} | ${e.eval.avgCalls.toFixed(2)} | ${e.eval.collabEntropy.toFixed(3)} | ${e.eval.orderingEntropy.toFixed(3)} | ${e.schedule.k} | ${e.trainLoss ? e.trainLoss.total.toFixed(3) : '-'}`);
    }
    const ev = evaluateOrchestrator(runDir, dataset, 'test');
    console.log(
      `held-out (${ev.nItems} items): orchestrator ${ev.accuracy.toFixed(3)} (${ev.avgCalls.toFixed(2)} calls/item), best single expert ${ev.bestSingle.expertId} ${ev.bestSingle.accuracy.toFixed(3)}, uniform router ${ev.uniformRouter.toFixed(3)}, any expert right ${ev.anyCorrect.toFixed(3)}`,
    );
    for (const [task, sc] of Object.entries(ev.perTask)) {
      console.log(`  ${task} (${sc.nItems} items): orchestrator ${sc.accuracy.toFixed(3)}, best single ${sc.bestSingle.expertId} ${sc.bestSingle.accuracy.toFixed(3)}, uniform ${sc.uniformRouter.toFixed(3)}`);
    }
    assert.equal(ev.accuracy, last.eval.accuracy, 'the checkpoint evaluates like the in-memory model');
    assert.ok(ev.accuracy > ev.bestSingle.accuracy, `orchestrator ${ev.accuracy} <= best single ${ev.bestSingle.accuracy}`);
    assert.ok(ev.accuracy > ev.uniformRouter, `orchestrator ${ev.accuracy} <= uniform ${ev.uniformRouter}`);
    assert.ok(last.eval.collabEntropy < first.eval.collabEntropy, `C did not sharpen: ${first.eval.collabEntropy} -> ${last.eval.collabEntropy}`);

    // Which expert ends the chains, per task: the planted specialists should (E6 math, E8 knowledge).
    const testItems = itemsOfSplit(dataset, 'test');
    for (const task of ['gsm8k', 'mmlu']) {
      const counts = new Map<string, number>();
      ev.chains.forEach((c, n) => {
        if (testItems[n].task !== task) return;
        const id = dataset.expertIds[c.chain[c.chain.length - 1]];
        counts.set(id, (counts.get(id) ?? 0) + 1);
      });
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1]);
      console.log(`${task}: final expert counts ${JSON.stringify(Object.fromEntries(top))}`);
      assert.equal(top[0][0], task === 'gsm8k' ? 'E6' : 'E8', `the planted ${task} specialist is not the usual final expert`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
