/** A routing dataset where only one expert's answer tells which successor is right (tests of content routing). */
import assert from 'node:assert/strict';
import type { RoutingDataset, RoutingItem } from '../../src/orchestrator/dataset';
import { evaluateModel } from '../../src/orchestrator/evaluate';
import { disposeModel, type OrchestratorModel } from '../../src/orchestrator/model';
import { recipeDataset, recipeTrainOptions, trainingRecipe, type TrainingRecipe } from '../../src/orchestrator/recipes';
import { Rng } from '../../src/orchestrator/rng';
import { trainOrchestrator } from '../../src/orchestrator/train';

/**
 * Four experts, dim 24. Every item has a hidden bit b. Expert 0's answer carries +v or -v with b
 * (plus noise); nobody else's does and the prompt does not. "1 after 0" is right when b = 1,
 * "2 after 0" when b = 0; every other chain is right with probability 0.25. So reading expert 0's
 * answer is worth ~1.0, and the best chain without it ~0.5.
 */
export function hiddenBitDataset(nItems: number, seed: number): RoutingDataset {
  const rng = new Rng(seed);
  const dim = 24;
  const N = 4;
  const unitVec = () => {
    const v = rng.fill(dim, (r) => r.normal());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const v = unitVec();
  const style = Array.from({ length: N }, unitVec);
  const items: RoutingItem[] = [];
  for (let n = 0; n < nItems; n++) {
    const b = rng.uniform() < 0.5 ? 1 : 0;
    const noisy = (base: Float32Array, extra?: Float32Array) => base.map((x, k) => x + (extra ? (b ? 1 : -1) * 0.6 * extra[k] : 0) + 0.3 * rng.normal() / Math.sqrt(dim));
    const outputs = style.map((s, i) => noisy(s, i === 0 ? v : undefined));
    const coin = () => (rng.uniform() < 0.25 ? 1 : 0);
    const pairCorrect = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? null : i === 0 && j === 1 ? b : i === 0 && j === 2 ? 1 - b : coin())));
    items.push({ id: `bit-${n}`, task: 'bits', split: n < nItems * 0.75 ? 'train' : 'test', ex: unitVec(), outputs, oracle: null, correct: style.map(coin), pairCorrect });
  }
  return { expertIds: ['E1', 'E2', 'E3', 'E4'], dim, items };
}

/** The content recipe trained on 400 hidden-bit items (300 train), d = 16, seed 0 (~4 s): a model that routes by E1's answer. */
export async function trainHiddenBitModel(): Promise<{ model: OrchestratorModel; dataset: RoutingDataset; recipe: TrainingRecipe }> {
  const recipe = trainingRecipe('content');
  const dataset = recipeDataset(recipe, hiddenBitDataset(400, 3));
  const r = await trainOrchestrator({ dataset, ...recipeTrainOptions(recipe, { model: { hidden: 16, heads: 2 }, train: { seed: 0, batchSize: 4 } }), progressBar: false });
  return { model: r.model, dataset, recipe };
}

/**
 * trainHiddenBitModel, checked to read E1's answer (held-out accuracy at least 0.25 above the
 * no-content router's), with its held-out items: the model the importance probes' tests read.
 */
export async function hiddenBitReader(): Promise<{ model: OrchestratorModel; dataset: RoutingDataset; recipe: TrainingRecipe; items: RoutingItem[] }> {
  const r = await trainHiddenBitModel();
  const ev = evaluateModel(r.model, r.dataset, 'test', r.recipe.infer);
  if (!(ev.accuracy - ev.noContent.accuracy >= 0.25)) disposeModel(r.model);
  assert.ok(ev.accuracy - ev.noContent.accuracy >= 0.25, `the model should read E1's answer: ${ev.accuracy} vs no-content ${ev.noContent.accuracy}`);
  return { ...r, items: r.dataset.items.filter((it) => it.split === 'test') };
}
