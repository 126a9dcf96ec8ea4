/**
 * evaluateOnConsortium runs the chosen chains for real through the store: every step is a store
 * call, steps beyond the generated pairs are new generations (then cached), and the final output
 * is what gets graded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashingEncoder } from '../../src/encoders/index';
import { runChain } from '../../src/experts/chain';
import { loadConsortium } from '../../src/experts/consortium';
import { collectResponses, generateTranscripts } from '../../src/experts/generate';
import { withStore } from '../../src/experts/store/stored-expert';
import { TranscriptStore } from '../../src/experts/store/transcript-store';
import type { Expert } from '../../src/experts/types';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { evaluateOnConsortium } from '../../src/orchestrator/chain-eval';
import { splitRoutingDataset } from '../../src/orchestrator/dataset';
import { buildRoutingDataset } from '../../src/orchestrator/from-consortium';
import { createModel, disposeModel } from '../../src/orchestrator/model';
import { resolveModelConfig } from '../../src/orchestrator/config';
import { answerKey, gradeResponse, loadTaskItems, pluralityChoice } from '../../src/tasks/index';

test('evaluation runs the chains for real: store calls counted, longer chains generated once, final output graded', { timeout: 300_000 }, async () => {
  await ensureBackend();
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'chain-eval-'));
  const c = loadConsortium('hub-critical');
  let backendCalls = 0;
  const members: Expert[] = c.experts.slice(0, 4).map((e) => ({ ...e, generate: (p, o) => (backendCalls++, e.generate(p, o)) }));
  const items = loadTaskItems({ tasks: ['gsm8k'], source: 'bundled', limitPerTask: 12 }).items;
  const store = TranscriptStore.open(run);
  try {
    await generateTranscripts({ consortium: members, items, run: store, pairs: 'all' });
    const rows = collectResponses(store, members, items, { oracle: 'gold' });
    const dataset = splitRoutingDataset(await buildRoutingDataset({ rows, encoder: hashingEncoder() }), { testFraction: 0.5, seed: 1 });
    const testIds = dataset.items.filter((it) => it.split === 'test').map((it) => it.id);
    // an untrained model that never stops early: every chain takes all 4 experts
    const model = createModel(resolveModelConfig({ inputDim: dataset.dim, nExperts: 4, hidden: 8, heads: 2, lengthPenalty: 0 }), 3);
    model.params['stop.b'].assign(tf.scalar(-30));
    const callsBefore = backendCalls;
    const ev = await evaluateOnConsortium({ model, dataset, experts: members, store, items, infer: { maxSteps: 4 } });
    const r = ev.perTask.gsm8k;
    assert.equal(r.nItems, testIds.length);
    assert.ok(r.chains.every((ch) => ch.length === 4), 'chains of 4');
    // every step of every chain went through the store
    assert.equal(r.orchestrator.storeCalls, 4 * testIds.length);
    assert.equal(r.orchestrator.callsPerItem, 4 + 4 - 1);
    // steps 1-2 were stored (solo + pairs), steps 3-4 of each chain are new generations
    assert.equal(r.orchestrator.newGenerations, 2 * testIds.length);
    const newThisRun = r.orchestrator.newGenerations + r.bestSingle.newGenerations + r.noContent.newGenerations + r.uniformChain.newGenerations;
    assert.equal(backendCalls - callsBefore, newThisRun, 'new generations are real backend calls');
    assert.equal(r.bestSingle.newGenerations, 0);
    assert.equal(r.bestSingle.callsPerItem, 1);
    assert.equal(r.uniformChain.meanLength, 4);

    // the graded answer is the chain's final output
    const stored = members.map((e) => withStore(e, store));
    let right = 0;
    for (const [n, id] of testIds.entries()) {
      const item = items.find((it) => it.id === id)!;
      const out = await runChain(stored, r.chains[n].map((e) => members[e].id), item);
      if (await gradeResponse(item, out.finalText)) right++;
    }
    assert.equal(stored.reduce((a, e) => a + e.stats.generated, 0), 0, 'the chains are cached');
    assert.equal(r.orchestrator.accuracy, right / testIds.length);
    assert.ok(r.ceiling >= Math.max(r.orchestrator.accuracy, r.noContent.accuracy, r.uniformChain.accuracy, r.bestSingle.accuracy, r.vote.accuracy));

    // the plurality vote: the 4 solo answers read from the store, the most frequent one kept
    // (ties to the expert with more right train answers), graded as that expert's solo answer
    const train = dataset.items.filter((it) => it.split === 'train');
    const trainRight = [0, 1, 2, 3].map((e) => train.reduce((a, it) => a + it.correct[e], 0));
    const preference = [0, 1, 2, 3].sort((a, b) => trainRight[b] - trainRight[a] || a - b);
    let voteRight = 0;
    let disagreements = 0;
    for (const id of testIds) {
      const item = items.find((it) => it.id === id)!;
      const texts = await Promise.all(stored.map(async (e) => (await runChain(stored, [e.id], item)).finalText));
      const keys = texts.map((t) => answerKey(item, t));
      if (new Set(keys).size > 1) disagreements++;
      if (await gradeResponse(item, texts[pluralityChoice(keys, preference)])) voteRight++;
    }
    assert.ok(disagreements > 0, 'the experts never disagree: the vote would not be tested');
    assert.equal(r.vote.accuracy, voteRight / testIds.length);
    assert.equal(r.vote.callsPerItem, 4);
    assert.equal(r.vote.newGenerations, 0, 'the solo answers were generated before');

    // a second evaluation generates nothing and gives the same table
    const again = await evaluateOnConsortium({ model, dataset, experts: members, store, items, infer: { maxSteps: 4 } });
    assert.equal(again.perTask.gsm8k.orchestrator.newGenerations + again.perTask.gsm8k.noContent.newGenerations + again.perTask.gsm8k.uniformChain.newGenerations, 0);
    assert.deepEqual(again.perTask.gsm8k.orchestrator, r.orchestrator.newGenerations === 0 ? r.orchestrator : { ...r.orchestrator, newGenerations: 0 });
    disposeModel(model);
  } finally {
    store.close();
    fs.rmSync(run, { recursive: true, force: true });
  }
});
