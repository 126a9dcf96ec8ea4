/**
 * The planted-truth probes (issue 10) on a model that reads the answers: trains the 'content'
 * recipe (src/orchestrator/recipes.ts, one seed, no restarts) on hub-critical (or null) GSM8K,
 * writing a checkpoint per epoch, then probes every epoch on the VALIDATION items (test items are
 * not loaded) and prints what test/probes/planted.test.ts prints: the hub's and the critical
 * expert's ranks, masking the critical expert against the hub paired over epochs (Wilcoxon,
 * paired t), and the divergence verdict against the planted truth, also with integrated importance
 * and with causal importance (every expert masked in turn) against usage. Also prints where the model
 * routes the planted sub-types, so a reader can tell whether this seed learned the structure.
 * Reads the generations cached by scripts/select-settings.ts / honest-results.ts (generate first).
 *
 *   node --import tsx scripts/probe-content.ts [--preset hub-critical] [--seed 2] [--limit 2000] [--out runs/probe-content]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashingEncoder } from '../src/encoders/index';
import { loadConsortium } from '../src/experts/index';
import { collectResponses } from '../src/experts/generate';
import { presetTruth } from '../src/experts/simulated/presets';
import { chainsBySubtype } from './chain-summary';
import { TranscriptStore } from '../src/experts/store/transcript-store';
import { ensureBackend } from '../src/orchestrator/backend';
import { evaluateModel } from '../src/orchestrator/evaluate';
import { buildRoutingDataset } from '../src/orchestrator/from-consortium';
import { disposeModel } from '../src/orchestrator/model';
import { recipeDataset, recipeTrainOptions, trainingRecipe } from '../src/orchestrator/recipes';
import { trainOrchestrator } from '../src/orchestrator/train';
import { causalEpochs, causalVerdict } from '../src/probes/causal';
import { argmax, divergenceRecovery, divergenceVerdict, structureRecovery, taskTruthOf } from '../src/probes/recovery';
import { runProbes } from '../src/probes/run-probes';
import { loadTaskItems } from '../src/tasks/index';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const preset = arg('preset', 'hub-critical') as 'hub-critical' | 'null';
const seed = Number(arg('seed', '2'));
const limit = Number(arg('limit', '2000'));
const out = path.join(arg('out', path.join('runs', 'probe-content')), `${preset}-s${seed}`);

(async () => {
  await ensureBackend();
  const consortium = loadConsortium(preset);
  const loaded = loadTaskItems({ tasks: ['gsm8k'], limitPerTask: limit, splits: ['train', 'validation'] });
  const store = TranscriptStore.open(path.join('runs', 'honest-results', preset, 'gsm8k'), { readOnly: true });
  const rows = collectResponses(store, consortium, loaded.items);
  const ds = await buildRoutingDataset({ rows, encoder: hashingEncoder(), meta: { preset, task: 'gsm8k' } });
  // validation plays the held-out role; the test split is not loaded
  const base = { ...ds, items: ds.items.map((it) => ({ ...it, split: loaded.splitOf[it.id] === 'train' ? ('train' as const) : ('test' as const) })) };
  const recipe = trainingRecipe('content');
  const dataset = recipeDataset(recipe, base);
  fs.rmSync(out, { recursive: true, force: true });
  const r = await trainOrchestrator({ dataset, runDir: out, ...recipeTrainOptions(recipe, { model: { hidden: 32, heads: 2 }, train: { seed, batchSize: 4 } }), progressBar: false });
  const ev = evaluateModel(r.model, dataset, 'test', recipe.infer);
  console.log(`${preset} seed ${seed}: validation accuracy ${ev.accuracy.toFixed(3)}, no-content ${ev.noContent.accuracy.toFixed(3)} (${loaded.dataSource}; ${dataset.items.filter((it) => it.split === 'test').length} validation items)`);
  const val = dataset.items.filter((it) => it.split === 'test');
  for (const g of chainsBySubtype(preset, val, ev.chains.map((c) => c.chain), dataset.expertIds, 3)) console.log(`  ${g.subtype}: ${g.chains}`);
  disposeModel(r.model);
  store.close();

  const truth = taskTruthOf(presetTruth(preset), 'gsm8k');
  // the causal verdict picks its two experts on the train items (this pass), then tests them on the
  // validation items (the pass below, whose tables stay on disk)
  const onTrain = await runProbes({ runDir: out, dataset, split: 'train', probes: ['structure', 'causal'], maxSteps: recipe.infer.maxSteps });
  const mask = truth.critical ? [truth.critical, truth.hub] : [truth.hub];
  const probes = await runProbes({ runDir: out, dataset, probes: ['structure', 'masking', 'integrated', 'causal'], maskExperts: mask, maxSteps: recipe.infer.maxSteps });
  const ids = probes.expertIds;
  const trained = probes.epochs.filter((e) => e.epoch >= 1);
  for (const e of trained) {
    const s = e.structure!.summaries.find((x) => x.task === 'gsm8k')!;
    const integrated = e.integrated!.summaries.find((x) => x.task === 'gsm8k')!.integrated;
    const causal = e.causal!.find((x) => x.task === 'gsm8k')!;
    const rec = structureRecovery(s, truth, ids, integrated, causal.klRouting);
    const top = (v: readonly number[]) => ids[argmax(v)];
    console.log(
      `epoch ${e.epoch}: hub ${truth.hub} rank by relational ${rec.hubRankByRelational}, by usage ${rec.hubRankByUsage}; ` +
        (truth.critical ? `critical ${truth.critical} rank by intrinsic ${rec.criticalRankByIntrinsic}, by integrated ${rec.criticalRankByIntegrated}, by causal ${rec.criticalRankByCausal}, by relational ${rec.criticalRankByRelational}` : 'no critical expert planted') +
        `; top causal ${top(causal.klRouting)} (routing KL ${Math.max(...causal.klRouting).toExponential(2)}), top usage ${top(s.usage)}`,
    );
  }
  for (const p of probes.paired.filter((x) => x.task === 'gsm8k')) {
    const f = (v: number | null) => (v === null ? 'n/a' : v.toPrecision(3));
    console.log(`masking ${p.measure}: ${p.xName} ${p.meanX.toPrecision(3)} vs ${p.yName} ${p.meanY.toPrecision(3)} (epochs ${p.epochs.join(',')}): Wilcoxon p ${f(p.wilcoxonP)}, paired t p ${f(p.tTestP)}`);
  }
  const table11 = probes.paired.find((p) => p.task === 'gsm8k' && p.measure === 'klRouting' && p.xName === 'top-intrinsic') ?? null;
  const verdict = divergenceVerdict(trained.map((e) => e.structure!.summaries.find((x) => x.task === 'gsm8k')!), table11, ids);
  const scored = divergenceRecovery(verdict, truth);
  console.log(`verdict: ${verdict.reported ? 'divergence' : 'no divergence'} (${verdict.reason}); planted divergence ${truth.divergence}; recovery correct: ${scored.correct}`);

  // The verdict with causal importance (every expert masked in turn) in the gradient's place and
  // usage in relational importance's; its masking pair is the modal top of each on the train items.
  const heldOut = causalEpochs(probes.epochs, 'gsm8k');
  const byCausal = causalVerdict('gsm8k', heldOut, ids, causalEpochs(onTrain.epochs, 'gsm8k'));
  const sameItems = causalVerdict('gsm8k', heldOut, ids);
  if (byCausal.paired) {
    const p = byCausal.paired;
    const f = (v: number | null) => (v === null ? 'n/a' : v.toPrecision(3));
    console.log(`causal masking klRouting: ${p.xName} ${p.meanX.toPrecision(3)} vs ${p.yName} ${p.meanY.toPrecision(3)}: Wilcoxon p ${f(p.wilcoxonP)}, paired t p ${f(p.tTestP)}`);
  }
  const scoredC = divergenceRecovery(byCausal.verdict, truth);
  console.log(`verdict by causal importance against usage (experts picked on the train items, tested on validation): ${byCausal.verdict.reported ? 'divergence' : 'no divergence'} (${byCausal.verdict.reason}); recovery correct: ${scoredC.correct}; critical identified: ${scoredC.identifiedCritical}, hub identified: ${scoredC.identifiedHub}`);
  console.log(`  (picked and tested on the validation items alike: ${sameItems.verdict.reported ? 'divergence' : 'no divergence'}, ${sameItems.verdict.reason})`);

  // The same verdict with integrated importance in the gradient's place. Its masking test needs
  // the top-integrated and top-relational experts masked, which the data (not the truth) names:
  // a second pass masks the modal top of each (the first pass's tables are reused).
  const byIntegrated = trained.map((e) => ({ ...e.structure!.summaries.find((x) => x.task === 'gsm8k')!, intrinsic: e.integrated!.summaries.find((x) => x.task === 'gsm8k')!.integrated }));
  const first = divergenceVerdict(byIntegrated, null, ids);
  let pair = null;
  if (first.topIntrinsic !== first.topRelational) {
    const again = await runProbes({ runDir: out, dataset, probes: ['structure', 'masking', 'integrated'], maskExperts: [first.topIntrinsic, first.topRelational], maxSteps: recipe.infer.maxSteps });
    pair = again.paired.find((p) => p.task === 'gsm8k' && p.measure === 'klRouting' && p.xName === first.topIntrinsic && p.yName === first.topRelational) ?? null;
  }
  const verdictI = divergenceVerdict(byIntegrated, pair, ids);
  const scoredI = divergenceRecovery(verdictI, truth);
  console.log(`verdict by integrated importance: ${verdictI.reported ? 'divergence' : 'no divergence'} (${verdictI.reason}); recovery correct: ${scoredI.correct}`);
  await consortium.dispose();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
