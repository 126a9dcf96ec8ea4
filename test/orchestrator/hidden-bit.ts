/** A routing dataset where only one expert's answer tells which successor is right (tests of content routing). */
import assert from 'node:assert/strict';
import type { RoutingDataset, RoutingItem } from '../../src/orchestrator/dataset';
import { evaluateModel } from '../../src/orchestrator/evaluate';
import { disposeModel, type OrchestratorModel } from '../../src/orchestrator/model';
import { recipeDataset, recipeTrainOptions, trainingRecipe, type TrainingRecipe } from '../../src/orchestrator/recipes';
import { Rng } from '../../src/orchestrator/rng';
import { trainOrchestrator } from '../../src/orchestrator/train';

/** A random unit vector of `dim` (a style, a direction), drawn from `rng`. */
function randomUnit(rng: Rng, dim: number): Float32Array {
  const v = rng.fill(dim, (r) => r.normal());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

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
  const unitVec = () => randomUnit(rng, dim);
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

/** Which expert plays which part in `hubCriticalBitDataset` (expert ids), and its task name. */
export const HUB_CRITICAL_BIT = { critical: 'E1', successors: ['E2', 'E3'], hub: 'E4', hubCopy: 'E5', task: 'hub-bits' } as const;

/**
 * The hub-critical design of the simulated preset (docs/experts.md, data/consortia/simulated-hub-critical.yaml)
 * in hiddenBitDataset's style, small enough for a test to train a router that learns it: six
 * experts, dim 24.
 *   - 30% of the items are of a sub-type the prompt shows (a unit flag direction added to e_x).
 *     On them E1's answer carries a hidden bit b (+v or -v, |v| = 1, the size of its style): the
 *     successor the bit names (E2 when b = 1, E3 when b = 0) is right after E1 and, with 0.8,
 *     after any other expert; the other one is wrong, and so (0.9) is everything else. E1 is the
 *     critical expert: the best start there, used on those items only, and the only source of
 *     the bit, so no expert can stand in for it.
 *     Why "after any other expert" too: causal importance (masking's conditional routing KL) reads
 *     the rows of C of the experts still available, never the masked expert's own row. Were the
 *     bit planted in E1's row alone, a router that decodes it there would show no effect of
 *     masking E1, and the attention side effects of masking a successor (or an idle expert) won
 *     (the first design of this data: E1 the top causal expert for 2 of 5 seeds). With every row
 *     trained on the bit (the exact two-step utility weighs every start by at least eps/N,
 *     docs/orchestrator.md), and the bit as large as a style (at 0.6 the verdict missed E1 on 2
 *     of 15 data/training seeds), E1 tops it on 15 of 15.
 *   - On the routine 70% the hub E4 alone is right (0.95); E5 is its near-copy (style within 0.1
 *     of E4's, right alone 0.85: "only a little weaker", as E2 of the preset) so the hub is
 *     replaceable (masked, its token's part in the attention falls to the copy: routing KL ~0.01,
 *     as for an idle expert; without the copy 0.35-0.66 on two seeds); everything else, chains
 *     after the hub included, is right with 0.1, so the learned policy stops after the hub and
 *     the hub is the most used expert (~0.7 of the chains against E1's <= 0.3). The chain ends
 *     at the hub: a fixed partner after it would tie its usage.
 * `null: true` is the negative control on the same shapes: exchangeable experts (each its own
 * random answer style, as the planted ones; every expert and every pair right with probability
 * 0.5), no flag, no bit, no copy.
 * Item ids say the kind: 'sub-<n>', 'routine-<n>', 'null-<n>'.
 */
export function hubCriticalBitDataset(nItems: number, seed: number, opts: { null?: boolean } = {}): RoutingDataset {
  const rng = new Rng(seed);
  const dim = 24;
  const N = 6;
  const [critical, succ1, succ2, hub, copy] = [0, 1, 2, 3, 4];
  const unitVec = () => randomUnit(rng, dim);
  const v = unitVec();
  const flag = unitVec();
  const style = Array.from({ length: N }, unitVec);
  // the planted hub's copy writes within 0.1 of the hub; the null's experts keep their own random
  // styles, a fixed asymmetry a router can key on without gaining from it (docs/probes.md)
  if (!opts.null) style[copy] = style[hub].map((x, k) => x + 0.1 * style[copy][k]);
  const coin = (p: number) => (rng.uniform() < p ? 1 : 0);
  const items: RoutingItem[] = [];
  for (let n = 0; n < nItems; n++) {
    const sub = !opts.null && rng.uniform() < 0.3;
    const b = coin(0.5);
    const noisy = (base: Float32Array, bit: boolean) => base.map((x, k) => x + (bit ? (b ? 1 : -1) * v[k] : 0) + 0.3 * rng.normal() / Math.sqrt(dim));
    const outputs = style.map((s, i) => noisy(s, sub && i === critical));
    const ex = unitVec().map((x, k) => x + (sub ? flag[k] : 0));
    let correct: number[];
    let pairCorrect: (number | null)[][];
    if (opts.null) {
      correct = style.map(() => coin(0.5));
      pairCorrect = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? null : coin(0.5))));
    } else {
      correct = style.map((_, i) => (!sub && i === hub ? coin(0.95) : !sub && i === copy ? coin(0.85) : coin(0.1)));
      // on a sub-type item the successor the bit names is right after E1 and, a little less
      // often, after anyone else: every expert's routing depends on E1's answer
      const bitSucc = b ? succ1 : succ2;
      const other = b ? succ2 : succ1;
      pairCorrect = Array.from({ length: N }, (_, i) =>
        Array.from({ length: N }, (_, j) => (i === j ? null : sub && j === bitSucc ? (i === critical ? 1 : coin(0.8)) : sub && j === other ? 0 : coin(0.1))),
      );
    }
    // the id names the kind of item, so a reader can split the probes' readings by it
    items.push({ id: `${opts.null ? 'null' : sub ? 'sub' : 'routine'}-${n}`, task: HUB_CRITICAL_BIT.task, split: n < nItems * 0.75 ? 'train' : 'test', ex, outputs, oracle: null, correct, pairCorrect });
  }
  return { expertIds: ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'], dim, items, meta: { source: opts.null ? 'hub-critical-bit null' : 'hub-critical-bit' } };
}
