/**
 * Settings selection for the honest-results run (issue 9), on a VALIDATION split only: the
 * loader's 'validation' items play the held-out role, the router trains on 'train' alone, and the
 * test items are not loaded into the dataset at all. Per setting and seed it prints the
 * orchestrator's accuracy on validation (chains graded from the generated data), the no-content
 * router's, the best single expert's (chosen on train), the orchestrator's most frequent chains
 * and C's row entropy. Generations come from (and go to) <out>/<preset>/<task>/, as in
 * scripts/honest-results.ts.
 *
 *   node --import tsx scripts/select-settings.ts --preset hub-critical --task gsm8k --limit 500 \
 *        --settings "centre=none,lr=1e-3;centre=item,lr=1e-2" [--seeds 0,1,2] [--epochs 5] [--hidden 32] [--batch 4] [--pairs all]
 *
 * A setting `recipe=content` starts from that training recipe (src/orchestrator/recipes.ts: its
 * model, loss, centring and inference settings; one seed per run, no restarts); the other keys of
 * the setting override it, `w_<term>=x` one loss weight (e.g. `w_selection=-0.1`), `maxSteps=K`
 * the inference horizon. Where the preset plants sub-types, the chains per sub-type are printed.
 */
import * as path from 'node:path';
import { hashingEncoder } from '../src/encoders/index';
import { loadConsortium } from '../src/experts/index';
import { collectResponses, generateTranscripts, parsePairSelection } from '../src/experts/generate';
import { TranscriptStore } from '../src/experts/store/transcript-store';
import { ensureBackend } from '../src/orchestrator/backend';
import { centreDataset, parseCentreMode } from '../src/orchestrator/centre';
import { lossWeightPreset } from '../src/orchestrator/config';
import { recipeTrainOptions, trainingRecipe } from '../src/orchestrator/recipes';
import type { UtilityMode } from '../src/orchestrator/losses';
import { evaluateModel } from '../src/orchestrator/evaluate';
import { chainsBySubtype, summariseChains } from './chain-summary';
import { buildRoutingDataset } from '../src/orchestrator/from-consortium';
import { disposeModel } from '../src/orchestrator/model';
import { trainOrchestrator } from '../src/orchestrator/train';
import { loadTaskItems } from '../src/tasks/index';
import type { TaskName } from '../src/tasks/types';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const preset = arg('preset', 'hub-critical');
const task = arg('task', 'gsm8k') as TaskName;
const limit = Number(arg('limit', '500'));
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const out = arg('out', path.join('runs', 'honest-results'));
const settings = arg('settings', 'centre=none,lr=1e-3;centre=item,lr=1e-2').split(';').map((s) => Object.fromEntries(s.split(',').map((kv) => kv.split('=') as [string, string])));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const ms = (xs: number[]) => `${mean(xs).toFixed(3)} ± ${sd(xs).toFixed(3)}`;

(async () => {
  await ensureBackend();
  const consortium = loadConsortium(preset);
  const loaded = loadTaskItems({ tasks: [task], limitPerTask: limit, splits: ['train', 'validation'] });
  const store = TranscriptStore.open(path.join(out, preset, task));
  await generateTranscripts({ consortium, items: loaded.items, run: store, pairs: parsePairSelection(arg('pairs', 'all')) });
  const rows = collectResponses(store, consortium, loaded.items);
  const ds = await buildRoutingDataset({ rows, encoder: hashingEncoder(), meta: { preset, task } });
  const base = { ...ds, items: ds.items.map((it) => ({ ...it, split: loaded.splitOf[it.id] === 'train' ? ('train' as const) : ('test' as const) })) };
  const nVal = base.items.filter((it) => it.split === 'test').length;
  console.log(`${preset}/${task}: ${base.items.length - nVal} train, ${nVal} validation items (${loaded.dataSource}); test items not loaded`);
  for (const s of settings) {
    const recipe = trainingRecipe(s.recipe ?? 'paper');
    const dataset = centreDataset(base, { mode: parseCentreMode(s.centre ?? recipe.centre), unit: s.unit !== 'false' });
    const infer = s.maxSteps ? { maxSteps: Number(s.maxSteps) } : recipe.infer;
    const acc: number[] = [], nc: number[] = [], best: number[] = [], ent: number[] = [];
    const t0 = Date.now();
    for (const seed of seeds) {
      const r = await trainOrchestrator({
        dataset,
        ...recipeTrainOptions(recipe, {
          model: { hidden: Number(s.hidden ?? arg('hidden', '32')), heads: 2, ...(s.readsH ? { selectionReadsH: s.readsH === 'true' } : {}) },
          train: {
            seed,
            batchSize: Number(s.batch ?? arg('batch', '4')),
            ...(s.epochs || !s.recipe ? { epochs: Number(s.epochs ?? arg('epochs', '5')) } : {}),
            ...(s.lr || !s.recipe ? { learningRate: Number(s.lr ?? '1e-3') } : {}),
            ...(s.minRollout ? { minRolloutSteps: Number(s.minRollout) } : {}),
            ...(s.utility ? { utility: s.utility as UtilityMode } : {}),
            ...(s.explore ? { utilityExploration: Number(s.explore) } : {}),
            ...(s.weights ? { weights: lossWeightPreset(s.weights) } : {}),
            ...(Object.keys(s).some((k) => k.startsWith('w_')) ? { weights: { ...(recipe.train.weights ?? lossWeightPreset(s.weights ?? 'table4')), ...Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith('w_')).map(([k, v]) => [k.slice(2), Number(v)])) } } : {}),
            ...(s.utilityOnly === 'true' ? { weights: { symmetry: 0, sparsity: 0, oracle: 0, diversity: 0, selection: 0, length: 0, distillation: 0 } } : {}),
          },
        }),
        progressBar: false,
      });
      try {
        const ev = evaluateModel(r.model, dataset, 'test', infer);
        acc.push(ev.accuracy), nc.push(ev.noContent.accuracy), best.push(ev.bestSingle.accuracy), ent.push(ev.collabEntropy);
        const top = summariseChains(ev.chains.map((c) => c.chain), dataset.expertIds);
        // where the preset plants sub-types: which chains the validation items of each get
        const val = dataset.items.filter((it) => it.split === 'test');
        for (const g of chainsBySubtype(preset, val, ev.chains.map((c) => c.chain), dataset.expertIds, 3)) console.log(`    ${g.subtype}: ${g.chains}`);
        console.log(`  ${JSON.stringify(s)} seed ${seed}: val orch ${ev.accuracy.toFixed(3)} no-content ${ev.noContent.accuracy.toFixed(3)} best single ${ev.bestSingle.expertId} ${ev.bestSingle.accuracy.toFixed(3)}; C row entropy ${ev.collabEntropy.toFixed(3)}; chains ${top}`);
      } finally {
        disposeModel(r.model);
      }
    }
    console.log(`${JSON.stringify(s)}: val orch ${ms(acc)} | no-content ${ms(nc)} | best single ${ms(best)} | orch - no-content ${ms(acc.map((a, k) => a - nc[k]))} | C entropy ${ms(ent)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  store.close();
  await consortium.dispose();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
