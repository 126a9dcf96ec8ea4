import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replayExpert, ReplayMissError } from '../../src/experts/backends/replay';
import { standalonePrompt } from '../../src/experts/chain';
import { loadConsortium } from '../../src/experts/consortium';
import { collectResponses, generateTranscripts, MissingTranscriptError, type GenerateProgress } from '../../src/experts/generate';
import { TranscriptStore } from '../../src/experts/store/transcript-store';
import { keyPartsFor, storeKeyOf, transcriptKey } from '../../src/experts/store/key';
import { withStore } from '../../src/experts/store/stored-expert';
import { baseExpertSpec, decodingParamsOf } from '../../src/experts/spec';
import type { Expert } from '../../src/experts/types';
import { goldSolutionText, gradeResponse } from '../../src/tasks';
import { ALL_ITEMS, GSM8K_ITEMS } from './sample-items';
import { madeTempDir } from '../temp-dirs'; // removed when the file's tests end



/** Wraps experts so the test can count real backend calls. */
function counted(experts: Expert[]): { experts: Expert[]; calls: () => number } {
  let n = 0;
  return {
    experts: experts.map((e) => ({ ...e, generate: (p, o) => (n++, e.generate(p, o)) })),
    calls: () => n,
  };
}

test('generation fills the store once; a re-run makes zero backend calls and zero gradings', { timeout: 120_000 }, async () => {
  const run = madeTempDir(path.join(os.tmpdir(), 'generate-'));
  const c = loadConsortium('planted-hub');
  const first = counted(c.experts);
  const progress: GenerateProgress[] = [];
  const s1 = await generateTranscripts({ consortium: first.experts, items: ALL_ITEMS, run, onProgress: (p) => progress.push(p) });
  const total = ALL_ITEMS.length * 10;
  assert.equal(first.calls(), total);
  assert.deepEqual([s1.total, s1.generated, s1.reused, s1.graded], [total, total, 0, total]);
  assert.equal(progress.length, total);
  assert.equal(progress[total - 1].done, total);
  assert.equal(progress[total - 1].etaMs, 0);

  const second = counted(c.experts);
  let graderCalls = 0;
  const s2 = await generateTranscripts({
    consortium: second.experts,
    items: ALL_ITEMS,
    run,
    grader: async (i, t) => (graderCalls++, gradeResponse(i, t)),
    graderId: 'graders-v1',
  });
  assert.equal(second.calls(), 0, 'no backend call on a re-run');
  assert.equal(graderCalls, 0, 'no re-grading on a re-run');
  assert.deepEqual([s2.generated, s2.reused, s2.graded], [0, total, 0]);
  assert.deepEqual(s2.perExpert.map((e) => e.correct), s1.perExpert.map((e) => e.correct));

  // the per-item table, read from the store only
  // (the preset's oracle expert was not generated here: ask for the gold text explicitly)
  const rows = collectResponses(run, c, ALL_ITEMS, { oracle: 'gold' });
  assert.equal(rows.length, ALL_ITEMS.length);
  for (const row of rows) {
    assert.equal(row.responses.length, 10);
    assert.equal(row.goldText, goldSolutionText(row.item));
    assert.equal(row.oracleText, row.goldText, "oracle: 'gold' gives the gold text");
    assert.equal(row.oracleSource, 'gold');
    for (const r of row.responses) {
      const expert = c.experts.find((e) => e.id === r.expertId)!;
      const fresh = await expert.generate(standalonePrompt(row.item), { item: row.item });
      assert.equal(r.text, fresh.text);
      assert.equal(r.correct, await gradeResponse(row.item, r.text));
    }
  }
  const correctCount = rows.reduce((n, r) => n + r.responses.filter((x) => x.correct).length, 0);
  assert.equal(correctCount, s1.perExpert.reduce((n, e) => n + e.correct, 0));

  // a different consortium has nothing stored: a clear error naming expert, item and key
  assert.throws(() => collectResponses(run, loadConsortium('homogeneous'), ALL_ITEMS.slice(0, 1)), (e: unknown) => e instanceof MissingTranscriptError && /no transcript of expert E1 for item sim-gsm8k-1 \(key [0-9a-f]{32}\)/.test(e.message));
});

test('replay answers from the store only; a miss names the key', async () => {
  const run = madeTempDir(path.join(os.tmpdir(), 'replay-'));
  const c = loadConsortium('heterogeneous');
  await generateTranscripts({ consortium: c.experts.slice(0, 2), items: GSM8K_ITEMS.slice(0, 2), run, grade: false });
  const store = TranscriptStore.open(run, { readOnly: true });
  const source = c.experts[1];
  const replay = replayExpert(store, { id: 'R', model: source.model, recordedBackend: 'simulated', params: source.params });
  const item = GSM8K_ITEMS[1];
  assert.equal((await replay.generate(standalonePrompt(item), { item })).text, (await source.generate(standalonePrompt(item), { item })).text);
  await assert.rejects(replay.generate(standalonePrompt(GSM8K_ITEMS[2])), (e: unknown) => e instanceof ReplayMissError && /no transcript with key [0-9a-f]{32}/.test(e.message));

  // the same through a consortium config with a relative run path
  const cfg = path.join(run, 'replay.yaml');
  fs.writeFileSync(cfg, `name: r\nexperts:\n  - { id: R2, backend: replay, run: ., recordedBackend: simulated, model: ${JSON.stringify(source.model)}, temperature: ${source.params.temperature} }\n`);
  const rc = loadConsortium(cfg);
  assert.equal((await rc.experts[0].generate(standalonePrompt(item))).text, (await source.generate(standalonePrompt(item), { item })).text);
  const rows = collectResponses(run, rc, [item]);
  assert.equal(rows[0].responses[0].correct, null, 'generated without grading');
});

test('a grader that throws while generations are still running rejects generateTranscripts (no unhandled rejection)', async () => {
  const run = madeTempDir(path.join(os.tmpdir(), 'grade-fail-'));
  // real I/O between generations, so the failed grading settles while the pool is still working
  const slow = loadConsortium('planted-hub').experts.map((e): Expert => ({ ...e, generate: async (p, o) => (await new Promise((r) => setTimeout(r, 2)), e.generate(p, o)) }));
  let calls = 0;
  const grader = async () => {
    if (calls++ === 3) throw new Error('sandbox unavailable');
    return true;
  };
  await assert.rejects(generateTranscripts({ consortium: slow, items: ALL_ITEMS, run, grader }), /sandbox unavailable/);
  assert.ok(calls < ALL_ITEMS.length * slow.length, `the run stopped after the failure (${calls} gradings)`);
  assert.equal(fs.existsSync(path.join(run, 'transcripts.jsonl.lock')), false, 'store closed');
});

test('replay of a real backend without a seed uses that backend default seed for the id, so the records are found', async () => {
  const run = madeTempDir(path.join(os.tmpdir(), 'replay-seed-'));
  // what a llama-cpp expert E4 with no `seed` in its config records (its seed defaults from its id)
  const recorded = { backend: 'llama-cpp' as const, model: 'LLaMA 3.1 8B', params: decodingParamsOf(baseExpertSpec.parse({ id: 'E4', model: 'LLaMA 3.1 8B', temperature: 0.5 })) };
  const item = GSM8K_ITEMS[0];
  const prompt = standalonePrompt(item);
  const store = TranscriptStore.open(run);
  const parts = keyPartsFor(recorded, prompt);
  store.put(transcriptKey(parts), { ...parts, expertId: 'E4', text: 'recorded answer', usage: { promptTokens: 1, completionTokens: 2 } });
  store.close();
  const cfg = path.join(run, 'replay.yaml');
  fs.writeFileSync(cfg, 'name: r\nexperts:\n  - { id: E4, backend: replay, run: ., recordedBackend: llama-cpp, model: LLaMA 3.1 8B, temperature: 0.5 }\n');
  const rc = loadConsortium(cfg);
  assert.equal((await rc.experts[0].generate(prompt)).text, 'recorded answer');
});

test("an expert's variant is part of its key; replay finds such records through recordedVariant", async () => {
  const run = madeTempDir(path.join(os.tmpdir(), 'variant-'));
  const params = { temperature: 0.2, topP: 0.7, maxTokens: 64, seed: 1 };
  let calls = 0;
  const make = (variant?: string): Expert => ({
    id: 'V', backend: 'openai', model: 'M', params, ...(variant ? { variant } : {}),
    generate: async () => (calls++, { text: `text ${variant ?? 'default'}`, usage: { promptTokens: 1, completionTokens: 1 } }),
  });
  const store = TranscriptStore.open(run);
  const item = GSM8K_ITEMS[0];
  const prompt = standalonePrompt(item);
  assert.equal((await withStore(make(), store).generate(prompt)).text, 'text default');
  assert.equal((await withStore(make('system-prompt:abc'), store).generate(prompt)).text, 'text system-prompt:abc', 'not the record of the default variant');
  assert.equal(calls, 2);
  assert.equal(store.get(storeKeyOf(make('system-prompt:abc'), prompt))?.variant, 'system-prompt:abc');
  store.close();
  const ro = TranscriptStore.open(run, { readOnly: true });
  const replay = replayExpert(ro, { id: 'R', model: 'M', recordedBackend: 'openai', recordedVariant: 'system-prompt:abc', params });
  assert.equal((await replay.generate(prompt)).text, 'text system-prompt:abc');
});
