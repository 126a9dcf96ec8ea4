/**
 * Inference and evaluation. Inference rolls the model out step by step: at each step the expert
 * is the argmax (or a sample) of P(expert | chain continues), and from step 2 on the chain stops
 * when P(stop) >= 1/2 (argmax mode) or with probability P(stop) (sample mode). The answer is the
 * final expert's, so an item counts as solved when the last expert of its chain was graded correct.
 *
 * Baselines on the same items: the best single expert (picked in hindsight on the evaluated split,
 * which makes it a strong baseline) and a uniform random router (its exact expected accuracy,
 * the mean over items of the fraction of correct experts).
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

/** Accuracy of inferred chains and of the two baselines on a set of items. */
export interface ChainScores {
  nItems: number;
  /** fraction of items whose chain's final expert was graded correct (pass@1) */
  accuracy: number;
  /** mean chain length (expert calls per item) */
  avgCalls: number;
  /** the single expert with the highest accuracy on these items */
  bestSingle: { expertId: string; accuracy: number };
  /** expected accuracy of picking one expert uniformly at random */
  uniformRouter: number;
  /** fraction of items that at least one expert solved (no router can beat this) */
  anyCorrect: number;
  /** each expert's own accuracy on these items, in expertIds order */
  perExpertAccuracy: number[];
}

/** What evaluation reports. */
export interface EvaluationResult extends ChainScores {
  split: Split | 'all';
  /** the same scores per task (e.g. gsm8k, mmlu, humaneval) */
  perTask: Record<string, ChainScores>;
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

/** Scores chains (one per item, same order) against the items' graded correctness. */
export function scoreChains(items: RoutingItem[], chains: number[][], expertIds: string[]): ChainScores {
  const n = items.length;
  const N = expertIds.length;
  const solved = items.reduce((a, it, i) => a + it.correct[chains[i][chains[i].length - 1]], 0);
  const calls = chains.reduce((a, c) => a + c.length, 0);
  const perExpertAccuracy = expertIds.map((_, e) => items.reduce((a, it) => a + it.correct[e], 0) / n);
  const best = perExpertAccuracy.reduce((bi, acc, e) => (acc > perExpertAccuracy[bi] ? e : bi), 0);
  return {
    nItems: n,
    accuracy: solved / n,
    avgCalls: calls / n,
    bestSingle: { expertId: expertIds[best], accuracy: perExpertAccuracy[best] },
    uniformRouter: items.reduce((a, it) => a + it.correct.reduce((x, y) => x + y, 0) / N, 0) / n,
    anyCorrect: items.filter((it) => it.correct.some((c) => c === 1)).length / n,
    perExpertAccuracy,
  };
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
  const perTask: Record<string, ChainScores> = {};
  for (const task of [...new Set(items.map((it) => it.task))]) {
    const idx = items.map((it, i) => (it.task === task ? i : -1)).filter((i) => i >= 0);
    perTask[task] = scoreChains(idx.map((i) => items[i]), idx.map((i) => paths[i]), dataset.expertIds);
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
    ...scoreChains(items, paths, dataset.expertIds),
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
