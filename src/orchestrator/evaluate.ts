/**
 * Inference and evaluation from the dataset. Inference rolls the model out step by step: at each
 * step the expert is the argmax (or a sample) of P(expert | chain continues), and from step 2 on
 * the chain stops when P(stop) >= 1/2 (argmax mode) or with probability P(stop) (sample mode).
 *
 * Grading from data (`gradeChainFromData`): a one-expert chain by that expert's solo grade, a
 * longer chain by its last pair "j after i" when that pair was generated (each turn sees only the
 * last response, Appendix E), else by the last expert's solo grade (an estimate). Chains are run
 * and graded for real, at any length, by `evaluateOnConsortium` (chain-eval.ts).
 *
 * Baselines on the same items: the best single expert chosen on the train split (of the same
 * task), the no-content router (the same model with every o_i replaced by expert i's mean encoding
 * over the train split), the uniform random router (its exact expected solo accuracy) and the
 * ceiling (an item counts when any solo answer or generated pair was right).
 */
import { tf } from './backend';
import { loadOrchestratorModel, type CheckpointRef } from './checkpoint';
import { disposeBatch, itemsOfSplit, toBatch, type RoutingDataset, type RoutingItem, type Split } from './dataset';
import { disposeModel, encode, route, type OrchestratorModel, type ScoreParts } from './model';
import { Rng } from './rng';

export interface InferOptions {
  /** 'argmax' (default) or 'sample' */
  mode?: 'argmax' | 'sample';
  /** longest chain allowed (default N) */
  maxSteps?: number;
  /** seed for sample mode */
  seed?: number;
  /** experts that may be chosen (length N) */
  available?: boolean[];
  /** items per forward pass (default 64) */
  batchSize?: number;
  /** force choices, one row per item (an expert index, or -1 = the model decides); a forced row is run in full */
  forcedChain?: number[][];
  /** replace C(x): one [N, N] matrix for every item, or [items, N, N] (rows sum to 1, diagonal 0) */
  collabOverride?: number[][] | number[][][];
  /** drop the relational or the intrinsic part of the score (the ablations) */
  scoreParts?: ScoreParts;
}

/** The rows of a per-item override that belong to items [start, start + B). */
function overrideChunk(o: number[][] | number[][][] | undefined, start: number, B: number, nItems: number, N: number): tf.Tensor | undefined {
  if (!o) return undefined;
  if (Array.isArray(o[0]?.[0])) {
    if (o.length !== nItems) throw new Error(`inferChains: collabOverride has ${o.length} matrices, expected one per item (${nItems}) or a single [N, N]`);
    return tf.tensor3d((o as number[][][]).slice(start, start + B), [B, N, N]);
  }
  return tf.tensor2d(o as number[][], [N, N]);
}

/** One item's routing decision. */
export interface InferredChain {
  itemId: string;
  /** expert indices in call order */
  chain: number[];
  /** s(x) for this item */
  s: number[];
}

/** Runs inference on items; returns each item's chain. */
export function inferChains(model: OrchestratorModel, items: RoutingItem[], opts: InferOptions = {}): InferredChain[] {
  const N = model.config.nExperts;
  const maxSteps = opts.maxSteps ?? N;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new Error(`inferChains: maxSteps must be an integer >= 1 (got ${maxSteps})`);
  const sample = opts.mode === 'sample';
  const rng = new Rng(opts.seed ?? 0);
  const bs = opts.batchSize ?? 64;
  if (opts.forcedChain && opts.forcedChain.length !== items.length) throw new Error(`inferChains: forcedChain has ${opts.forcedChain.length} rows, expected one per item (${items.length})`);
  const out: InferredChain[] = [];
  for (let start = 0; start < items.length; start += bs) {
    const chunk = items.slice(start, start + bs);
    const batch = toBatch(chunk, model.config.inputDim);
    const B = chunk.length;
    const steps = Math.min(maxSteps, (opts.available ?? []).filter(Boolean).length || N);
    // Gumbel-max on the logits draws an exact sample of each step's expert distribution.
    const noise = sample ? tf.tensor3d(rng.fill(B * steps * N, (r) => r.gumbel()), [B, steps, N]) : undefined;
    const forcedChain = opts.forcedChain?.slice(start, start + B);
    const collabOverride = overrideChunk(opts.collabOverride, start, B, items.length, N);
    let picked: { chosen: number[][]; stopProb: number[][]; s: number[][] };
    try {
      picked = tf.tidy(() => {
        const { h, ctx } = encode(model, batch, { available: opts.available });
        const r = route(model, h, ctx, { steps, gumbel: noise, available: opts.available, forcedChain, collabOverride, scoreParts: opts.scoreParts });
        return { chosen: r.chosen.arraySync() as number[][], stopProb: r.stopProb.arraySync() as number[][], s: r.s.arraySync() as number[][] };
      });
    } finally {
      noise?.dispose();
      collabOverride?.dispose();
      disposeBatch(batch);
    }
    const { chosen, stopProb, s } = picked;
    chunk.forEach((it, b) => {
      const forcedLen = forcedChain?.[b].length ?? 0;
      const chain: number[] = [chosen[b][0]];
      for (let t = 1; t < chosen[b].length; t++) {
        // the same rule as route's stepMask in argmax mode
        const stop = t >= forcedLen && (sample ? rng.uniform() < stopProb[b][t] : stopProb[b][t] >= 0.5);
        if (stop) break;
        chain.push(chosen[b][t]);
      }
      out.push({ itemId: it.id, chain, s: s[b] });
    });
  }
  return out;
}

/** Accuracy of inferred chains and of the baselines on a set of items. */
export interface ChainScores {
  nItems: number;
  /** fraction of items whose chain's final answer was graded correct (pass@1), graded from data */
  accuracy: number;
  /** mean chain length (expert calls per item) */
  avgCalls: number;
  /**
   * the single expert with the highest solo accuracy on the train split (`chosenOn: 'train'`), or on
   * these items when no train items were given (`chosenOn: 'evaluated'`, a hindsight baseline), and
   * its accuracy on these items
   */
  bestSingle: { expertId: string; accuracy: number; chosenOn: 'train' | 'evaluated' };
  /** expected accuracy of picking one expert uniformly at random */
  uniformRouter: number;
  /** fraction of items that some solo answer or generated pair solved (the best chain in hindsight among those in the data) */
  anyCorrect: number;
  /** each expert's own accuracy on these items, in expertIds order */
  perExpertAccuracy: number[];
}

/** What evaluation reports. */
export interface EvaluationResult extends ChainScores {
  /** the same trained model with every o_i replaced by expert i's mean train encoding (graded from data) */
  noContent: { accuracy: number; avgCalls: number };
  split: Split | 'all';
  /** the same scores per task (e.g. gsm8k, mmlu, humaneval), each with its no-content router */
  perTask: Record<string, ChainScores & { noContent: { accuracy: number; avgCalls: number } }>;
  /** mean over items and rows of the entropy of C's rows (nats) */
  collabEntropy: number;
  /**
   * Section 4.4's ordering entropy: the entropy of the marginal first-expert distribution, i.e.
   * of s(x) averaged over the items (nats)
   */
  orderingEntropy: number;
  /** the mean over items of the entropy of s(x) (nats): per-item decisiveness, not Section 4.4's measure */
  meanItemOrderingEntropy: number;
  /** C(x) averaged over the items, [N][N] */
  meanC: number[][];
  /** s(x) averaged over the items, [N] */
  meanS: number[];
  /** how often each expert is the first of a chain */
  firstExpertCounts: number[];
  chains: InferredChain[];
}

/**
 * The grade of a chain from the data: solo grade for one expert; for a longer chain the grade of
 * its last pair "j after i" where generated, else the last expert's solo grade (an estimate).
 */
export function gradeChainFromData(item: RoutingItem, chain: number[]): number {
  const last = chain[chain.length - 1];
  if (chain.length === 1) return item.correct[last];
  const pair = item.pairCorrect?.[chain[chain.length - 2]][last];
  return pair === 0 || pair === 1 ? pair : item.correct[last];
}

/** The experts by their solo accuracy on `items`, best first (the lower index first on ties). */
export function expertsBySoloAccuracy(items: readonly RoutingItem[], N: number): number[] {
  const acc = Array.from({ length: N }, (_, e) => items.reduce((a, it) => a + it.correct[e], 0));
  return Array.from({ length: N }, (_, e) => e).sort((a, b) => acc[b] - acc[a] || a - b);
}

/** The index of the expert with the highest solo accuracy on `items` (the first on ties). */
export function bestSingleExpert(items: RoutingItem[], N: number): number {
  return expertsBySoloAccuracy(items, N)[0];
}

/**
 * Scores chains (one per item, same order) against the items' grades (`gradeChainFromData`). The
 * best single expert is chosen on `trainItems` when given (and scored on `items`).
 */
export function scoreChains(items: RoutingItem[], chains: number[][], expertIds: string[], trainItems?: RoutingItem[]): ChainScores {
  const n = items.length;
  const N = expertIds.length;
  const solved = items.reduce((a, it, i) => a + gradeChainFromData(it, chains[i]), 0);
  const calls = chains.reduce((a, c) => a + c.length, 0);
  const perExpertAccuracy = expertIds.map((_, e) => items.reduce((a, it) => a + it.correct[e], 0) / n);
  const onTrain = trainItems !== undefined && trainItems.length > 0;
  const best = bestSingleExpert(onTrain ? trainItems : items, N);
  const anyPair = (it: RoutingItem) => (it.pairCorrect ?? []).some((row) => row.some((p) => p === 1));
  return {
    nItems: n,
    accuracy: solved / n,
    avgCalls: calls / n,
    bestSingle: { expertId: expertIds[best], accuracy: perExpertAccuracy[best], chosenOn: onTrain ? 'train' : 'evaluated' },
    uniformRouter: items.reduce((a, it) => a + it.correct.reduce((x, y) => x + y, 0) / N, 0) / n,
    anyCorrect: items.filter((it) => it.correct.some((c) => c === 1) || anyPair(it)).length / n,
    perExpertAccuracy,
  };
}

/**
 * The no-content router's inputs: each item with every o_i replaced by expert i's mean encoding
 * over `trainItems` of the same task (all of `trainItems` when the task has none there). The
 * prompt encoding stays, so the router still sees the task, but no expert's answer.
 */
export function withMeanOutputs(items: RoutingItem[], trainItems: RoutingItem[]): RoutingItem[] {
  const means = new Map<string, Float32Array[]>();
  const meanOf = (pool: RoutingItem[]): Float32Array[] => {
    const N = pool[0].outputs.length;
    const dim = pool[0].outputs[0].length;
    return Array.from({ length: N }, (_, e) => {
      const m = new Float32Array(dim);
      for (const it of pool) for (let k = 0; k < dim; k++) m[k] += it.outputs[e][k] / pool.length;
      return m;
    });
  };
  if (trainItems.length === 0) throw new Error('withMeanOutputs: no training items to average');
  return items.map((it) => {
    if (!means.has(it.task)) {
      const pool = trainItems.filter((t) => t.task === it.task);
      means.set(it.task, meanOf(pool.length > 0 ? pool : trainItems));
    }
    return { ...it, outputs: means.get(it.task)! };
  });
}

function entropy(p: number[]): number {
  let h = 0;
  for (const x of p) if (x > 0) h -= x * Math.log(x);
  return h;
}

/** Evaluates an in-memory model on one split of a dataset. */
export function evaluateModel(model: OrchestratorModel, dataset: RoutingDataset, split: Split | 'all', opts: InferOptions = {}): EvaluationResult {
  const items = itemsOfSplit(dataset, split);
  if (items.length === 0) throw new Error(`evaluate: split '${split}' has no items`);
  const N = model.config.nExperts;
  if (dataset.expertIds.length !== N) throw new Error(`evaluate: the dataset has ${dataset.expertIds.length} experts, the model ${N}`);
  const chains = inferChains(model, items, opts);
  const paths = chains.map((c) => c.chain);
  const first = new Array<number>(N).fill(0);
  paths.forEach((c) => (first[c[0]] += 1));
  // Baselines are chosen on the train split (the evaluated one when the dataset has no other).
  const trainItems = split === 'train' || split === 'all' ? items : itemsOfSplit(dataset, 'train');
  const noContentPaths = inferChains(model, withMeanOutputs(items, trainItems), opts).map((c) => c.chain);
  const noContentOf = (idx: number[]) => ({
    accuracy: idx.reduce((a, i) => a + gradeChainFromData(items[i], noContentPaths[i]), 0) / idx.length,
    avgCalls: idx.reduce((a, i) => a + noContentPaths[i].length, 0) / idx.length,
  });
  const perTask: EvaluationResult['perTask'] = {};
  for (const task of [...new Set(items.map((it) => it.task))]) {
    const idx = items.map((it, i) => (it.task === task ? i : -1)).filter((i) => i >= 0);
    const taskTrain = trainItems.filter((it) => it.task === task);
    perTask[task] = { ...scoreChains(idx.map((i) => items[i]), idx.map((i) => paths[i]), dataset.expertIds, taskTrain), noContent: noContentOf(idx) };
  }

  // Average C and s over the items with a deterministic forward pass.
  const meanC = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  const meanS = new Array<number>(N).fill(0);
  let collabEntropy = 0;
  let meanItemOrderingEntropy = 0;
  const bs = opts.batchSize ?? 64;
  for (let start = 0; start < items.length; start += bs) {
    const chunk = items.slice(start, start + bs);
    const batch = toBatch(chunk, model.config.inputDim);
    let read: { C: number[][][]; s: number[][] };
    try {
      read = tf.tidy(() => {
        const { h, ctx } = encode(model, batch, { available: opts.available });
        const r = route(model, h, ctx, { steps: 1, available: opts.available, scoreParts: opts.scoreParts });
        return { C: r.C.arraySync() as number[][][], s: r.s.arraySync() as number[][] };
      });
    } finally {
      disposeBatch(batch);
    }
    const { C, s } = read;
    C.forEach((mat, b) => {
      mat.forEach((row, i) => {
        collabEntropy += entropy(row) / N;
        row.forEach((x, j) => (meanC[i][j] += x / items.length));
      });
      s[b].forEach((x, i) => (meanS[i] += x / items.length));
      meanItemOrderingEntropy += entropy(s[b]);
    });
  }
  return {
    split,
    ...scoreChains(items, paths, dataset.expertIds, trainItems),
    noContent: noContentOf(items.map((_, i) => i)),
    perTask,
    collabEntropy: collabEntropy / items.length,
    orderingEntropy: entropy(meanS),
    meanItemOrderingEntropy: meanItemOrderingEntropy / items.length,
    meanC,
    meanS,
    firstExpertCounts: first,
    chains,
  };
}

/**
 * Evaluates a checkpoint on a split. `checkpoint` is a checkpoint directory, a run directory
 * (its latest checkpoint is used) or `{ runDir, epoch }`.
 */
export function evaluateOrchestrator(checkpoint: CheckpointRef, dataset: RoutingDataset, split: Split | 'all', opts: InferOptions = {}): EvaluationResult {
  const { model, checkpoint: ckpt, dir } = loadOrchestratorModel(checkpoint);
  try {
    if (ckpt.expertIds.join('\u0000') !== dataset.expertIds.join('\u0000')) {
      throw new Error(`evaluate: checkpoint ${dir} was trained on experts [${ckpt.expertIds.join(', ')}], the dataset has [${dataset.expertIds.join(', ')}]`);
    }
    return evaluateModel(model, dataset, split, opts);
  } finally {
    disposeModel(model);
  }
}
