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
  if (items.length !== chains.length) throw new Error(`intrinsicImportance: ${items.length} items but ${chains.length} chains`);
  if (items.length === 0) throw new Error('intrinsicImportance: no items');
  chains.forEach((c, b) => {
    if (c.length === 0) throw new Error(`intrinsicImportance: chain of item ${b} ('${items[b].id}') is empty`);
  });
  if (opts.encoded) {
    // A shared encoding: q, k and the pair logits once per item, then each (item, step) row's
    // backward with respect to h alone (route-pieces.ts; tested against tf.grad through route).
    const P = piecesOf(model, checkShared(opts.encoded, items, items.map((_, i) => i), opts));
    const rowItem: number[] = [];
    const rowStep: number[] = [];
    chains.forEach((c, b) => c.forEach((_, t) => (rowItem.push(b), rowStep.push(t))));
    const norms = selectionGradNorms(P, rowItem, rowItem.map((b) => chains[b]), rowStep, { available: opts.available, collabOverride: opts.collabOverride, scoreParts: opts.scoreParts });
    const perItem = items.map(() => new Array<number>(N).fill(0));
    norms.forEach((v, r) => v.forEach((x, i) => (perItem[rowItem[r]][i] += x)));
    perItem.forEach((v, b) => v.forEach((x, i) => (v[i] = x / chains[b].length)));
    const mean = new Array<number>(N).fill(0);
    for (const v of perItem) v.forEach((x, i) => (mean[i] += x / perItem.length));
    return { perItem, mean };
  }
  // Items per gradient call: large by default, since a call's cost is mostly per row and the
  // calls' fixed overhead is what a larger batch saves (bench/profile-probes.ts).
  const bs = opts.batchSize ?? 256;
  const perItem: number[][] = new Array(items.length);
  // Batches of one chain length: a batch rolls out to its longest chain, so mixing lengths would
  // roll short chains out for nothing. Rows are independent, so grouping changes no value.
  const order = items.map((_, i) => i).sort((a, b) => chains[a].length - chains[b].length || a - b);
  const batches: number[][] = [];
  for (const i of order) {
    const last = batches[batches.length - 1];
    if (last && last.length < bs && chains[last[0]].length === chains[i].length) last.push(i);
    else batches.push([i]);
  }
  const override = routeOptionsTensor(opts);
  try {
    for (const which of batches) {
      const chunk = which.map((i) => items[i]);
      const chunkChains = which.map((i) => chains[i]);
      const rowItem: number[] = [];
      const rowStep: number[] = [];
      chunkChains.forEach((c, b) => c.forEach((_, t) => (rowItem.push(b), rowStep.push(t))));
      const steps = Math.max(...chunkChains.map((c) => c.length));
      const R = rowItem.length;
      const norms = tf.tidy(() => {
          const { h, ctx } = representationsOf(model, items, which, opts);
          const hRows = gatherRows(h, rowItem) as tf.Tensor3D;
          const ctxRows = gatherRows(ctx, rowItem) as tf.Tensor2D;
          // [R, steps], 1 at each row's own step (built directly: tf.oneHot refuses depth 1)
          const mask = tf.tensor2d(rowStep.map((t) => Array.from({ length: steps }, (_, u) => (u === t ? 1 : 0))), [R, steps]);
          const forcedChain = rowItem.map((b) => [...chunkChains[b]]);
          const objective = (hh: tf.Tensor) =>
            tf.sum(tf.mul(route(model, hh as tf.Tensor3D, ctxRows, { steps, forcedChain, available: opts.available, collabOverride: override, scoreParts: opts.scoreParts }).logProbSelected, mask));
          const g = tf.grad(objective)(hRows); // [R, N, d]
          return tf.sqrt(tf.sum(tf.square(g), -1)).arraySync() as number[][];
        });
      const sums = chunk.map(() => new Array<number>(N).fill(0));
      for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) sums[rowItem[r]][i] += norms[r][i];
      sums.forEach((v, b) => (perItem[which[b]] = v.map((x) => x / chunkChains[b].length)));
    }
  } finally {
    override?.dispose();
  }
  const mean = new Array<number>(N).fill(0);
  for (const v of perItem) v.forEach((x, i) => (mean[i] += x / perItem.length));
  return { perItem, mean };
}
