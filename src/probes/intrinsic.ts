/**
 * Intrinsic expert importance (Section 2.2): I(E_i) = || d log P(E_selected | x) / d h_i ||_2,
 * taken at each step of the chain inference takes and averaged over those steps and the inputs.
 *
 * Batched: every (item, step) pair of a batch becomes one row whose objective is that step's
 * log-probability of the chosen expert (the chain is forced, a one-hot step mask picks the step),
 * so ONE tf.grad call per batch gives the gradient of every step with respect to every h_i.
 * Rows are independent, so the gradient of the summed objective with respect to a row's h is
 * exactly that row's own gradient.
 */
import { tf } from '../orchestrator/backend';
import type { RoutingItem } from '../orchestrator/dataset';
import { route, type OrchestratorModel } from '../orchestrator/model';
import { selectionGradNorms } from './route-pieces';
import { checkShared, gatherRows, piecesOf, representationsOf, routeOptionsTensor, type ProbeRouteOptions } from './routing-read';

/** Intrinsic importance per item and averaged. */
export interface IntrinsicImportance {
  /** per item: the per-expert gradient norm averaged over the item's chain steps, [B][N] */
  perItem: number[][];
  /** averaged over items, [N] */
  mean: number[];
}

/**
 * Gradient norms of log P(chosen_t | x, chain so far) with respect to each h_i, averaged over the
 * steps of each item's chain. `chains[b]` is item b's chain (from `readRouting`, same options).
 */
export function intrinsicImportance(model: OrchestratorModel, items: readonly RoutingItem[], chains: readonly (readonly number[])[], opts: ProbeRouteOptions = {}): IntrinsicImportance {
  const N = model.config.nExperts;
  checkChains('intrinsicImportance', items, chains);
  if (opts.encoded) {
    // A shared encoding: q, k and the pair logits once per item, then each (item, step) row's
    // backward with respect to h alone (route-pieces.ts; tested against tf.grad through route).
    const P = piecesOf(model, checkShared(opts.encoded, items, items.map((_, i) => i), opts));
    const rows = stepRows(chains);
    const norms = selectionGradNorms(P, rows.item, rows.chain, rows.step, { available: opts.available, collabOverride: opts.collabOverride, scoreParts: opts.scoreParts });
    const perItem = averagePerItem(norms, rows, items.length, N);
    return { perItem, mean: meanOverItems(perItem, N) };
  }
  // Items per gradient call: large by default, since a call's cost is mostly per row and the
  // calls' fixed overhead is what a larger batch saves (bench/profile-probes.ts).
  const perItem: number[][] = new Array(items.length);
  const override = routeOptionsTensor(opts);
  try {
    for (const which of batchesByChainLength(chains, opts.batchSize ?? 256)) {
      const rows = stepRows(which.map((i) => chains[i]));
      const norms = tf.tidy(() => {
        const { h, ctx } = representationsOf(model, items, which, opts);
        const g = forcedStepGradient(model, gatherRows(h, rows.item) as tf.Tensor3D, gatherRows(ctx, rows.item) as tf.Tensor2D, rows, opts, override); // [R, N, d]
        return tf.sqrt(tf.sum(tf.square(g), -1)).arraySync() as number[][];
      });
      const sums = averagePerItem(norms, rows, which.length, N);
      sums.forEach((v, b) => (perItem[which[b]] = v));
    }
  } finally {
    override?.dispose();
  }
  return { perItem, mean: meanOverItems(perItem, N) };
}

/** Refuses chains that do not pair one non-empty chain with each of at least one item. */
export function checkChains(fn: string, items: readonly RoutingItem[], chains: readonly (readonly number[])[]): void {
  if (items.length !== chains.length) throw new Error(`${fn}: ${items.length} items but ${chains.length} chains`);
  if (items.length === 0) throw new Error(`${fn}: no items`);
  chains.forEach((c, b) => {
    if (c.length === 0) throw new Error(`${fn}: chain of item ${b} ('${items[b].id}') is empty`);
  });
}

/** The (item, step) rows of a batch's chains: row r is step `step[r]` of item `item[r]`'s chain `chain[r]`. */
export interface StepRows {
  item: number[];
  step: number[];
  chain: number[][];
  /** the batch's rollout length (its longest chain) */
  steps: number;
}

export function stepRows(chains: readonly (readonly number[])[]): StepRows {
  const rows: StepRows = { item: [], step: [], chain: [], steps: Math.max(...chains.map((c) => c.length)) };
  chains.forEach((c, b) => c.forEach((_, t) => (rows.item.push(b), rows.step.push(t), rows.chain.push([...c]))));
  return rows;
}

/**
 * Item indices in batches of at most `bs` items of one chain length: a batch rolls out to its
 * longest chain, so mixing lengths would roll short chains out for nothing. Rows are
 * independent, so grouping changes no value.
 */
export function batchesByChainLength(chains: readonly (readonly number[])[], bs: number): number[][] {
  const order = chains.map((_, i) => i).sort((a, b) => chains[a].length - chains[b].length || a - b);
  const batches: number[][] = [];
  for (const i of order) {
    const last = batches[batches.length - 1];
    if (last && last.length < bs && chains[last[0]].length === chains[i].length) last.push(i);
    else batches.push([i]);
  }
  return batches;
}

/**
 * d/dh of the sum over rows of log P(row's chosen expert at its own step | its forced chain),
 * [R, N, d]: row r's slice is that row's own gradient. Call inside tf.tidy.
 */
export function forcedStepGradient(model: OrchestratorModel, hRows: tf.Tensor3D, ctxRows: tf.Tensor2D, rows: StepRows, opts: ProbeRouteOptions, override: tf.Tensor | undefined): tf.Tensor3D {
  // [R, steps], 1 at each row's own step (built directly: tf.oneHot refuses depth 1)
  const mask = tf.tensor2d(rows.step.map((t) => Array.from({ length: rows.steps }, (_, u) => (u === t ? 1 : 0))), [rows.step.length, rows.steps]);
  const objective = (hh: tf.Tensor) =>
    tf.sum(tf.mul(route(model, hh as tf.Tensor3D, ctxRows, { steps: rows.steps, forcedChain: rows.chain, available: opts.available, collabOverride: override, scoreParts: opts.scoreParts }).logProbSelected, mask));
  return tf.grad(objective)(hRows) as tf.Tensor3D;
}

/** Per item of a batch, a per-row, per-expert value averaged over the item's chain steps, [B][N]. */
export function averagePerItem(perRow: readonly (readonly number[])[], rows: StepRows, nItems: number, N: number): number[][] {
  const sums = Array.from({ length: nItems }, () => new Array<number>(N).fill(0));
  const counts = new Array<number>(nItems).fill(0);
  perRow.forEach((v, r) => {
    counts[rows.item[r]]++;
    for (let i = 0; i < N; i++) sums[rows.item[r]][i] += v[i];
  });
  return sums.map((v, b) => v.map((x) => x / counts[b]));
}

/** The per-expert mean over items of a [B][N] table. */
export function meanOverItems(perItem: readonly (readonly number[])[], N: number): number[] {
  const mean = new Array<number>(N).fill(0);
  for (const v of perItem) v.forEach((x, i) => (mean[i] += x / perItem.length));
  return mean;
}
