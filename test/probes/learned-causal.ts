/**
 * Train-then-probe on test/orchestrator/hidden-bit.ts's hub-critical data, shared by
 * planted-learned.test.ts and scripts/causal-sweep.ts (the sweep over seeds the test's comments
 * quote): the content recipe into a run folder laid out as `inform train --run` writes it
 * (dataset.jsonl, recipe.json, checkpoints/epoch-<n>/), then the structure and causal probes on
 * the held-out and the train items, and the causal verdict picked on train, tested on held-out.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { saveRoutingDataset, type RoutingDataset } from '../../src/orchestrator/dataset';
import { evaluateModel, type EvaluationResult } from '../../src/orchestrator/evaluate';
import { disposeModel } from '../../src/orchestrator/model';
import { recipeDataset, recipeTrainOptions, trainingRecipe, writeRunRecipe } from '../../src/orchestrator/recipes';
import { trainOrchestrator } from '../../src/orchestrator/train';
import { causalEpochs, causalVerdict, type AccuracyTest, type CausalEpoch } from '../../src/probes/causal';
import type { PairedComparison } from '../../src/probes/masking';
import { rankOf, type DivergenceVerdict } from '../../src/probes/recovery';
import { runProbes } from '../../src/probes/run-probes';
import { HUB_CRITICAL_BIT } from '../orchestrator/hidden-bit';

const { task, critical, hub } = HUB_CRITICAL_BIT;
/** epochs trained (one checkpoint each): the verdict's paired test reads one value per epoch */
export const EPOCHS = 8;

export interface Probed {
  ev: EvaluationResult;
  ids: string[];
  /** held-out readings per trained epoch */
  heldOut: CausalEpoch[];
  verdict: DivergenceVerdict;
  paired: PairedComparison | null;
  /** the verdict's accuracy test, null when another condition failed first */
  accuracyTest: AccuracyTest | null;
}

/**
 * Trains the content recipe into a run folder under `dir` with a checkpoint per epoch, then runs
 * the structure and causal probes on the held-out and the train items and the causal verdict.
 */
export async function trainAndProbe(dir: string, name: string, raw: RoutingDataset, seed: number, epochs = EPOCHS): Promise<Probed> {
  const recipe = trainingRecipe('content');
  const dataset = recipeDataset(recipe, raw);
  const runDir = path.join(dir, name);
  // what `inform train --run` leaves beside the checkpoints: the data as trained on (centred) and the recipe
  saveRoutingDataset(dataset, path.join(runDir, 'dataset.jsonl'));
  writeRunRecipe(runDir, recipe);
  // one seed, no restarts: the data is made to be learned by any seed (see hubCriticalBitDataset)
  const settings = recipeTrainOptions(recipe, { model: { hidden: 16, heads: 2 }, train: { seed, batchSize: 4, epochs } });
  const r = await trainOrchestrator({ dataset, runDir, ...settings, infer: recipe.infer, progressBar: false });
  let ev: EvaluationResult;
  try {
    ev = evaluateModel(r.model, dataset, 'test', recipe.infer);
  } finally {
    disposeModel(r.model);
  }
  // the probes read the chains inference takes: the recipe's horizon
  const probe = { runDir, probes: ['structure', 'causal'] as const, maxSteps: recipe.infer.maxSteps };
  const held = await runProbes(probe);
  const onTrain = await runProbes({ ...probe, split: 'train' });
  const heldOut = causalEpochs(held.epochs, task);
  assert.equal(heldOut.length, epochs, 'one reading per trained epoch');
  const { verdict, paired, accuracyTest } = causalVerdict(task, heldOut, held.expertIds, causalEpochs(onTrain.epochs, task));
  return { ev, ids: held.expertIds, heldOut, verdict, paired, accuracyTest };
}

export function report(name: string, p: Probed): void {
  const { ev, ids, heldOut, verdict, paired } = p;
  console.log(`${name}: held-out accuracy ${ev.accuracy.toFixed(3)}, no-content ${ev.noContent.accuracy.toFixed(3)}, best single ${ev.bestSingle.accuracy.toFixed(3)}`);
  for (const e of heldOut) {
    console.log(
      `${name} epoch ${e.epoch}: ${critical} rank by causal ${rankOf(critical, e.causal, ids)}, by usage ${rankOf(critical, e.usage, ids)}; ` +
        `${hub} rank by causal ${rankOf(hub, e.causal, ids)}, by usage ${rankOf(hub, e.usage, ids)}; ` +
        `causal ${e.causal.map((x) => x.toExponential(1)).join(' ')}; usage ${e.usage.join(' ')}`,
    );
  }
  const mean = (k: number) => heldOut.reduce((a, e) => a + e.causal[k], 0) / heldOut.length;
  console.log(`${name} causal importance (routing KL when masked), mean over epochs: ${ids.map((id, k) => `${id} ${mean(k).toExponential(2)}`).join(', ')}`);
  const f = (v: number | null | undefined) => (v == null ? 'n/a' : v.toPrecision(3));
  if (paired) console.log(`${name} masking ${paired.xName} vs ${paired.yName}: routing KL ${paired.meanX.toPrecision(3)} vs ${paired.meanY.toPrecision(3)} over epochs ${paired.epochs.join(',')}: Wilcoxon p ${f(paired.wilcoxonP)}, paired t p ${f(paired.tTestP)}`);
  console.log(`${name} verdict by causal importance against usage: ${verdict.reported ? 'divergence' : 'no divergence'} (${verdict.reason})`);
}
