/**
 * Is the planted sub-type of hub-critical readable, and from what? L2 logistic probes (l2 1e-2)
 * trained on the train items, scored (ROC AUC) on the validation items of GSM8K (--limit 500),
 * predicting 'not routine' from e_x, o_E7 and o_E1, raw and centred (src/orchestrator/centre.ts).
 * Reads the generations cached by scripts/honest-results.ts / select-settings.ts (generate first).
 *
 *   node --import tsx scripts/subtype-probe.ts
 */
import * as path from 'node:path';
import { hashingEncoder } from '../src/encoders/index';
import { loadConsortium } from '../src/experts/index';
import { collectResponses } from '../src/experts/generate';
import { itemSubtype } from '../src/experts/simulated/competence';
import { TranscriptStore } from '../src/experts/store/transcript-store';
import { centreDataset } from '../src/orchestrator/centre';
import type { RoutingItem } from '../src/orchestrator/dataset';
import { buildRoutingDataset } from '../src/orchestrator/from-consortium';
import { fitLogistic, predictLogistic } from '../src/stats/logistic';
import { rocAuc } from '../src/stats/auc';
import { loadTaskItems } from '../src/tasks/index';
(async () => {
  const c = loadConsortium('hub-critical');
  const loaded = loadTaskItems({ tasks: ['gsm8k'], limitPerTask: 500, splits: ['train', 'validation'] });
  const store = TranscriptStore.open(path.join('runs/honest-results/hub-critical/gsm8k'));
  const rows = collectResponses(store, c, loaded.items);
  const ds0 = await buildRoutingDataset({ rows, encoder: hashingEncoder(), meta: {} });
  const base = { ...ds0, items: ds0.items.map((it) => ({ ...it, split: loaded.splitOf[it.id] === 'train' ? ('train' as const) : ('test' as const) })) };
  const subs = { backward: 0.08, casework: 0.08 }; // data/consortia/simulated-hub-critical.yaml defaults.subtypes
  const y = (it: { id: string }) => (itemSubtype(subs, it.id) === 'routine' ? 0 : 1);
  console.log('non-routine share', base.items.filter((it) => y(it)).length / base.items.length);
  for (const mode of ['none', 'item', 'expert'] as const) {
    const ds = centreDataset(base, { mode });
    const tr = ds.items.filter((it) => it.split === 'train'), va = ds.items.filter((it) => it.split === 'test');
    const features: [string, (it: RoutingItem) => number[]][] = [
      ['e_x', (it) => Array.from(it.ex)],
      ['o_E7', (it) => Array.from(it.outputs[6])],
      ['o_E1', (it) => Array.from(it.outputs[0])],
    ];
    for (const [name, f] of features) {
      if (mode !== 'none' && name === 'e_x') continue;
      const m = fitLogistic(tr.map(f), tr.map(y), { l2: 1e-2 });
      const p = predictLogistic(m, va.map(f));
      console.log(`${mode} ${name}: validation AUC for non-routine sub-type ${rocAuc(p, va.map(y)).toFixed(3)}`);
    }
  }
  store.close(); await c.dispose();
})();
