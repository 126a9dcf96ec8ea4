/**
 * Integrated intrinsic importance: intrinsic importance (intrinsic.ts) integrated along the path
 * from the no-content representation to the actual one (integrated gradients, Sundararajan et
 * al. 2017), per expert:
 *
 *   IG_i(x, t) = (h_i - h̄_i) · ∫_0^1 ∂ log P(chosen_t | x, chain so far) / ∂h_i at h̄ + α(h - h̄) dα
 *
 * where h̄ is the representation of the same item with every expert's answer replaced by that
 * expert's mean answer encoding over the probed items of its task (what the no-content router
 * reads, evaluate.ts `withMeanOutputs`), and the path moves all experts at once. The integral is
 * the midpoint rule over `steps` points. Per item, |IG_i| is averaged over the chain's steps.
 *
 * Why beside the gradient: the gradient is local. A router that is confident because of expert
 * i's answer has log P(chosen) flat in h_i near that answer (the softmax saturates), so the
 * gradient norm ranks i low while replacing i's answer would change the route. The integrated
 * form credits the whole change from the content-free answer: completeness gives
 * sum_i IG_i(x, t) = log P_h(chosen_t) - log P_h̄(chosen_t) (up to the quadrature error).
 * docs/decisions.md ("Integrated intrinsic importance") says why this baseline.
 */
import { tf } from '../orchestrator/backend';
import type { RoutingItem } from '../orchestrator/dataset';
import { withMeanOutputs } from '../orchestrator/evaluate';
import type { OrchestratorModel } from '../orchestrator/model';
import { averagePerItem, batchesByChainLength, checkChains, forcedStepGradient, meanOverItems, stepRows } from './intrinsic';
import { gatherRows, representationsOf, routeOptionsTensor, type ProbeRouteOptions, type RoutingRead } from './routing-read';
import { groupsByTask } from './structure';

/** Integrated intrinsic importance per item and averaged. */
export interface IntegratedImportance {
  /** per item: |IG_i| averaged over the item's chain steps, [B][N] */
  perItem: number[][];
  /** per item: signed IG_i averaged over the chain steps (sums over i to the mean change in log P), [B][N] */
  signedPerItem: number[][];
  /** |IG_i| averaged over items, [N] */
  mean: number[];
  /** quadrature points */
  steps: number;
}

export interface IntegratedOptions extends ProbeRouteOptions {
  /** midpoint-rule points along the path (default 16) */
  steps?: number;
}

/**
 * Integrated intrinsic importance of every expert for each item's chain (`chains[b]`, from
 * `readRouting` under the same options). The baseline averages answers over `items` per task,
 * so probe a whole split, not single items.
 */
export function integratedImportance(model: OrchestratorModel, items: readonly RoutingItem[], chains: readonly (readonly number[])[], opts: IntegratedOptions = {}): IntegratedImportance {
  const N = model.config.nExperts;
  const m = opts.steps ?? 16;
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`integratedImportance: steps must be an integer >= 1, got ${m}`);
  checkChains('integratedImportance', items, chains);
  const baseline = withMeanOutputs([...items], [...items]);
  // the baseline's encoding is its own (never the shared one of the actual answers)
  const own: ProbeRouteOptions = { ...opts, encoded: undefined };
  const perItem: number[][] = new Array(items.length);
  const signedPerItem: number[][] = new Array(items.length);
  const override = routeOptionsTensor(opts);
  try {
    for (const which of batchesByChainLength(chains, opts.batchSize ?? 256)) {
      const rows = stepRows(which.map((i) => chains[i]));
      const signed = tf.tidy(() => {
        const actual = representationsOf(model, items, which, opts);
        const h = gatherRows(actual.h, rows.item) as tf.Tensor3D;
        const ctx = gatherRows(actual.ctx, rows.item) as tf.Tensor2D;
        const hBar = gatherRows(representationsOf(model, baseline, which, own).h, rows.item) as tf.Tensor3D;
        const delta = tf.sub(h, hBar);
        let sum: tf.Tensor = tf.zerosLike(h);
        for (let k = 0; k < m; k++) {
          const at = tf.add(hBar, tf.mul(delta, (k + 0.5) / m)) as tf.Tensor3D;
          sum = tf.add(sum, forcedStepGradient(model, at, ctx, rows, opts, override));
        }
        return tf.sum(tf.mul(delta, tf.div(sum, m)), -1).arraySync() as number[][]; // [R, N]
      });
      const bySigned = averagePerItem(signed, rows, which.length, N);
      const byAbs = averagePerItem(signed.map((v) => v.map(Math.abs)), rows, which.length, N);
      which.forEach((i, b) => ((signedPerItem[i] = bySigned[b]), (perItem[i] = byAbs[b])));
    }
  } finally {
    override?.dispose();
  }
  return { perItem, signedPerItem, mean: meanOverItems(perItem, N), steps: m };
}

/** Integrated intrinsic importance of one group of items (a task, or 'all'). */
export interface IntegratedSummary {
  task: string;
  nItems: number;
  /** |IG_i| averaged over the inference steps and the items, [N] */
  integrated: number[];
}

/**
 * The integrated probe of one checkpoint: integrated importance along the chains of a structure
 * read (`read`, of the same items and options), summarised per task and over all items.
 */
export function integratedProbe(model: OrchestratorModel, items: readonly RoutingItem[], read: RoutingRead, opts: IntegratedOptions = {}): { steps: number; summaries: IntegratedSummary[] } {
  const ig = integratedImportance(model, items, read.chains, opts);
  const summaries = groupsByTask(read.tasks).map((g) => ({ task: g.task, nItems: g.idx.length, integrated: meanOverItems(g.idx.map((i) => ig.perItem[i]), model.config.nExperts) }));
  return { steps: ig.steps, summaries };
}
