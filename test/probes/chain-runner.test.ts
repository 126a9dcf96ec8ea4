/**
 * Masking and ablation accuracies from chains that were actually run (issue 10): a tiny simulated
 * run (`inform generate` + `inform train`), then probe passes whose chain runner goes through the
 * consortium (each backend call counted) and the run's transcript store. The first pass generates
 * the chains the pairs did not cover; a forced second pass with a fresh runner and a reopened store
 * makes zero backend calls; the accuracies equal grading the stored final responses of the chains;
 * without a runner the pass is the labelled data fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChain } from '../../src/experts/chain';
import { loadConsortium } from '../../src/experts/consortium';
import { loadManifestItems, readRunManifest } from '../../src/experts/run-manifest';
import { withStore } from '../../src/experts/store/stored-expert';
import { TranscriptStore } from '../../src/experts/store/transcript-store';
import type { Expert } from '../../src/experts/types';
import { ensureBackend } from '../../src/orchestrator/backend';
import { itemsOfSplit, loadRoutingDataset } from '../../src/orchestrator/dataset';
import { consortiumChainRunner } from '../../src/probes/chain-runner';
import { runProbes, type RunProbesResult } from '../../src/probes/run-probes';
import { gradeResponse } from '../../src/tasks/grade-response';

const ROOT = path.join(__dirname, '..', '..');
const inform = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'inform.cjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });

/** The consortium's experts with every backend call counted. */
function counted(experts: readonly Expert[]): { experts: Expert[]; calls: { n: number } } {
  const calls = { n: 0 };
  return {
    calls,
    experts: experts.map((e) => ({
      ...e,
      generate: (prompt, opts) => {
        calls.n++;
        return e.generate(prompt, opts);
      },
    })),
  };
}

test('probes run masked and ablated chains for real; a second pass generates nothing; accuracy = graded stored finals', async () => {
  await ensureBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-chains-'));
  const consortium = loadConsortium('planted-hub');
  try {
    const run = path.join(dir, 'run');
    const gen = inform(['generate', '--consortium', 'planted-hub', '--task', 'gsm8k', '--limit', '24', '--pairs', 'sample:4', '--run', run]);
    assert.equal(gen.status, 0, gen.stderr);
    const train = inform(['train', '--run', run, '--epochs', '1', '--hidden', '16']);
    assert.equal(train.status, 0, train.stderr);
    const dataset = loadRoutingDataset(path.join(run, 'dataset.jsonl'));
    const items = await loadManifestItems(run, readRunManifest(run)!);
    const probes = ['structure', 'masking', 'ablations'] as const;

    const pass = async (force: boolean) => {
      const store = TranscriptStore.open(run);
      const c = counted(consortium.experts);
      try {
        const chainRunner = consortiumChainRunner({ expertIds: dataset.expertIds, experts: c.experts, store, items });
        const r = await runProbes({ runDir: run, dataset, epochs: [1], probes, force, maskExperts: ['E1'], context: { fingerprint: 'test', chainRunner } });
        return { r, calls: c.calls.n };
      } finally {
        store.close();
      }
    };

    const first = await pass(false);
    assert.equal(first.r.accuracy.source, 'run');
    const s1 = first.r.accuracy.stats;
    console.log(`first pass: ${s1.chainsGraded} distinct chains graded, ${s1.storeCalls} store calls, ${s1.newGenerations} new generations, ${first.calls} backend calls`);
    assert.ok(s1.chainsGraded > 0);
    // the static sequence E1 -> E2 -> E3 is longer than any generated pair: those steps must be generated
    assert.ok(s1.newGenerations > 0, 'three-step chains were not generated');
    assert.equal(first.calls, s1.newGenerations, 'every new generation is one backend call');
    assert.ok(s1.storeCalls >= s1.chainsGraded);
    const e1 = first.r.epochs[0];
    assert.ok(e1.masking!.every((m) => m.accuracySource === 'run'));
    assert.ok(e1.ablations!.every((a) => a.accuracySource === 'run'));
    assert.match(fs.readFileSync(path.join(run, 'probes', 'epoch-1', 'ablations.csv'), 'utf8').split('\n')[0], /accuracySource/);

    // A forced second pass: fresh runner (no memo), reopened store: zero backend calls, same accuracies.
    const second = await pass(true);
    assert.equal(second.calls, 0);
    assert.equal(second.r.accuracy.stats.newGenerations, 0);
    assert.equal(second.r.accuracy.stats.chainsGraded, s1.chainsGraded);
    const acc = (r: RunProbesResult) => r.epochs[0].ablations!.map((a) => [a.ablation, a.task, a.accuracy]).concat(r.epochs[0].masking!.map((m) => [m.target, m.task, m.maskedAccuracy]));
    assert.deepEqual(acc(second.r), acc(first.r));
    // An unforced pass reuses the tables: nothing graded at all.
    const third = await pass(false);
    assert.deepEqual(third.r.epochs[0].reused, [...probes]);
    assert.equal(third.r.accuracy.stats.chainsGraded, 0);
    assert.equal(third.calls, 0);

    // The accuracy equals grading the stored final responses of the chains (read back: no backend call).
    const test = itemsOfSplit(dataset, 'test');
    const byId = new Map(items.map((it) => [it.id, it]));
    const store = TranscriptStore.open(run);
    const c = counted(consortium.experts);
    const stored = c.experts.map((e) => withStore(e, store));
    const gradedFinal = async (chains: number[][]) => {
      let right = 0;
      for (let n = 0; n < test.length; n++) {
        const result = await runChain(stored, chains[n].map((k) => dataset.expertIds[k]), byId.get(test[n].id)!);
        if (await gradeResponse(byId.get(test[n].id)!, result.finalText)) right++;
      }
      return right / test.length;
    };
    try {
      const ab = (name: string) => e1.ablations!.find((a) => a.ablation === name && a.task === 'all')!;
      const full = await gradedFinal(e1.structure!.read.chains);
      const staticSeq = await gradedFinal(test.map(() => [0, 1, 2]));
      assert.equal(c.calls.n, 0, 'the chains graded by the probes were all stored');
      assert.equal(ab('full').accuracy, full);
      assert.equal(ab('static-sequence').accuracy, staticSeq);
      assert.equal(e1.masking!.find((m) => m.task === 'all' && m.target === 'top-intrinsic')!.baselineAccuracy, full);
      console.log(`full ${full}, static-sequence ${staticSeq} (graded stored finals)`);
    } finally {
      store.close();
    }

    // Without a runner: the labelled data fallback, and the run-graded tables are not reused for it.
    const data = await runProbes({ runDir: run, dataset, epochs: [1], probes, maskExperts: ['E1'] });
    assert.equal(data.accuracy.source, 'data');
    assert.deepEqual(data.epochs[0].computed, ['masking', 'ablations']);
    assert.ok(data.epochs[0].ablations!.every((a) => a.accuracySource === 'data'));
  } finally {
    await consortium.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
