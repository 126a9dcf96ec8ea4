// Run after scripts/honest-results.ts has filled runs/honest-results/hub-critical/gsm8k:
//   node --import tsx scripts/measure-reads-h.ts
// What r.h_i changes: Spearman between per-expert gradient importance mean_x |d sum_t log P(chosen_t) / d h_i|
// and how often expert i is in the inferred chains, on held-out items, flag off vs on.
import { hashingEncoder } from '../src/encoders/index';
import { loadConsortium } from '../src/experts/index';
import { collectResponses } from '../src/experts/generate';
import { TranscriptStore } from '../src/experts/store/transcript-store';
import { tf } from '../src/orchestrator/backend';
import { toBatch } from '../src/orchestrator/dataset';
import { buildRoutingDataset } from '../src/orchestrator/from-consortium';
import { encode, inferChains, selectionLogProbFromH } from '../src/orchestrator/index';
import { trainOrchestrator } from '../src/orchestrator/train';
import { spearman } from '../src/stats/index';
import { loadTaskItems } from '../src/tasks/index';
(async () => {
  const loaded = loadTaskItems({ tasks: ['gsm8k'], limitPerTask: 100 });
  const c = loadConsortium('hub-critical');
  const store = TranscriptStore.open('runs/honest-results/hub-critical/gsm8k', { readOnly: true });
  const rows = collectResponses(store, c, loaded.items);
  store.close();
  const ds = await buildRoutingDataset({ rows, encoder: hashingEncoder() });
  const dataset = { ...ds, items: ds.items.map((it) => ({ ...it, split: loaded.splitOf[it.id] === 'test' ? ('test' as const) : ('train' as const) })) };
  const test = dataset.items.filter((it) => it.split === 'test');
  for (const readsH of [false, true]) {
    for (const seed of [0, 1, 2]) {
      const r = await trainOrchestrator({ dataset, model: { hidden: 32, heads: 2, selectionReadsH: readsH }, train: { epochs: 5, batchSize: 2, seed }, progressBar: false });
      const chains = inferChains(r.model, test).map((x) => x.chain);
      const freq = Array.from({ length: 10 }, (_, e) => chains.filter((ch) => ch.includes(e)).length / chains.length);
      const imp = tf.tidy(() => {
        const b = toBatch(test, dataset.dim);
        const { h, ctx } = encode(r.model, b);
        const g = tf.grad((hh: tf.Tensor) => tf.sum(selectionLogProbFromH(r.model, hh as tf.Tensor3D, ctx, { steps: 10, forcedChain: chains })))(h);
        return Array.from(tf.mean(tf.norm(g, 'euclidean', -1), 0).dataSync());
      });
      const rho = spearman(imp, freq);
      console.log(`selectionReadsH ${readsH} seed ${seed}: Spearman(gradient importance, chain frequency) = ${JSON.stringify(rho)}; importance ${imp.map((x) => x.toExponential(1)).join(' ')}; freq ${freq.map((x) => x.toFixed(2)).join(' ')}`);
    }
  }
})();
