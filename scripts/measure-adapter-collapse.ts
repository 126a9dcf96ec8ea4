// Run after scripts/honest-results.ts has filled runs/honest-results/hub-critical/gsm8k:
//   node --import tsx scripts/measure-adapter-collapse.ts
// Adapter collapse check: after training under each distillation form, the adapter outputs'
// mean norm and mean pairwise cosine between experts on held-out items (1 = collapsed to one direction).
import { hashingEncoder } from '../src/encoders/index';
import { loadConsortium } from '../src/experts/index';
import { collectResponses } from '../src/experts/generate';
import { TranscriptStore } from '../src/experts/store/transcript-store';
import { tf } from '../src/orchestrator/backend';
import { toBatch } from '../src/orchestrator/dataset';
import { buildRoutingDataset } from '../src/orchestrator/from-consortium';
import { encode, createModel, resolveModelConfig } from '../src/orchestrator/index';
import { trainOrchestrator } from '../src/orchestrator/train';
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
  const stats = (model: Parameters<typeof encode>[0]) =>
    tf.tidy(() => {
      const b = toBatch(test, dataset.dim);
      const h = encode(model, b).hAdapter; // [B,N,d]
      const norm = tf.mean(tf.norm(h, 'euclidean', -1)).dataSync()[0];
      const u = tf.div(h, tf.norm(h, 'euclidean', -1, true));
      const cos = tf.matMul(u, u, false, true).arraySync() as number[][][];
      let s = 0, n = 0;
      for (const m of cos) for (let i = 0; i < m.length; i++) for (let j = 0; j < m.length; j++) if (i !== j) (s += m[i][j]), n++;
      return { norm, cos: s / n };
    });
  const init = createModel(resolveModelConfig({ inputDim: dataset.dim, nExperts: 10, hidden: 32, heads: 2 }), 0);
  const s0 = stats(init);
  console.log(`untrained: adapter norm ${s0.norm.toFixed(3)}, mean pairwise cos between experts ${s0.cos.toFixed(4)}`);
  for (const distillation of ['adapter-cosine', 'adapter-mse', 'encoder-mse'] as const) {
    for (const seed of [0, 1]) {
      const r = await trainOrchestrator({ dataset, model: { hidden: 32, heads: 2 }, train: { epochs: 5, batchSize: 2, seed, distillation }, progressBar: false });
      const s = stats(r.model);
      const last = r.epochs[r.epochs.length - 1];
      console.log(`${distillation} seed ${seed}: adapter norm ${s.norm.toFixed(3)}, mean pairwise cos ${s.cos.toFixed(4)}, distillation term ${last.trainLoss!.terms.distillation.toFixed(4)}, held-out acc (data) ${last.eval.accuracy.toFixed(3)}, C entropy ${last.eval.collabEntropy.toFixed(3)}`);
    }
  }
})();
