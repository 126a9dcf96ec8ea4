/**
 * Centring of the expert encodings: a dataset/input transform applied before training and
 * evaluation (the model itself is unchanged). Why: under the hashing encoder the simulated
 * experts' answers to one item are near-duplicates (cosine ~0.99), so the part of o_i that says
 * something about THIS item and THIS expert (e.g. the critical expert naming the item's sub-type)
 * is a tiny residual on a large shared component, and the router's content gradient vanishes.
 *
 *   'item'    o_i - mean_j o_j over the item's own experts (and o* minus the same mean): removes
 *             what all answers to the item share. Uses only the item's own answers, which the
 *             orchestrator reads anyway at inference, so it is available on test items.
 *   'expert'  o_i - mean of expert i's encodings over the TRAIN items of the same task (o* minus
 *             the mean train oracle encoding): removes the expert's constant style, leaving how its
 *             answer varies across items. The means come from the train split only.
 *   'none'    unchanged.
 * With `unit` (default true) every centred vector is rescaled to unit L2 norm (zero vectors stay
 * zero), so the residual is on the scale the model was tuned for. e_x is never changed.
 */
import type { RoutingDataset, RoutingItem } from './dataset';

export type CentreMode = 'none' | 'item' | 'expert';
export const CENTRE_MODES: readonly CentreMode[] = ['none', 'item', 'expert'];

export interface CentreOptions {
  mode: CentreMode;
  /** rescale each centred vector to unit L2 norm (default true) */
  unit?: boolean;
}

export function parseCentreMode(s: string): CentreMode {
  if ((CENTRE_MODES as readonly string[]).includes(s)) return s as CentreMode;
  throw new Error(`centre mode '${s}' is not one of ${CENTRE_MODES.join(', ')}`);
}

function minus(a: Float32Array, b: Float32Array, unit: boolean): Float32Array {
  const out = new Float32Array(a.length);
  let n2 = 0;
  for (let k = 0; k < a.length; k++) {
    out[k] = a[k] - b[k];
    n2 += out[k] * out[k];
  }
  if (unit && n2 > 1e-24) {
    const s = 1 / Math.sqrt(n2);
    for (let k = 0; k < a.length; k++) out[k] *= s;
  }
  return out;
}

function mean(vs: readonly Float32Array[], dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (const v of vs) for (let k = 0; k < dim; k++) m[k] += v[k] / vs.length;
  return m;
}

/** Per-item centring of one item's outputs (and oracle). */
export function centreItem(it: RoutingItem, unit = true): RoutingItem {
  const m = mean(it.outputs, it.outputs[0].length);
  return { ...it, outputs: it.outputs.map((o) => minus(o, m, unit)), oracle: it.oracle ? minus(it.oracle, m, unit) : null };
}

/**
 * The dataset with centred expert (and oracle) encodings. 'expert' means are taken over the
 * items whose split is 'train' (per task); it throws when a task has no train item.
 */
export function centreDataset(ds: RoutingDataset, opts: CentreOptions): RoutingDataset {
  const unit = opts.unit ?? true;
  if (opts.mode === 'none') return ds;
  const meta = { ...(ds.meta ?? {}), centre: { mode: opts.mode, unit } };
  if (opts.mode === 'item') return { ...ds, meta, items: ds.items.map((it) => centreItem(it, unit)) };
  const byTask = new Map<string, { outputs: Float32Array[]; oracle: Float32Array | null }>();
  for (const task of new Set(ds.items.map((it) => it.task))) {
    const train = ds.items.filter((it) => it.task === task && it.split === 'train');
    if (train.length === 0) throw new Error(`centreDataset: task '${task}' has no train items to take the expert means from`);
    const N = train[0].outputs.length;
    const withOracle = train.filter((it) => it.oracle !== null).map((it) => it.oracle as Float32Array);
    byTask.set(task, {
      outputs: Array.from({ length: N }, (_, e) => mean(train.map((it) => it.outputs[e]), ds.dim)),
      oracle: withOracle.length > 0 ? mean(withOracle, ds.dim) : null,
    });
  }
  return {
    ...ds,
    meta,
    items: ds.items.map((it) => {
      const m = byTask.get(it.task)!;
      return { ...it, outputs: it.outputs.map((o, e) => minus(o, m.outputs[e], unit)), oracle: it.oracle && m.oracle ? minus(it.oracle, m.oracle, unit) : it.oracle };
    }),
  };
}
