/**
 * One deterministic pass of a model over items that reads what the probes need: C(x) and s(x)
 * per item, and the chain greedy inference takes (argmax expert per step, stop once
 * P(stop) >= 1/2, as `inferChains` does), under any route option (masking, a static C, a
 * forced first expert or sequence, relational-/intrinsic-only scores).
 */
import { tf } from '../orchestrator/backend';
import { disposeBatch, toBatch, type RoutingItem } from '../orchestrator/dataset';
import { encode, route, type OrchestratorModel, type ScoreParts } from '../orchestrator/model';

/** Route options a probe may set (the subset of `RouteOptions` that changes the policy). */
export interface ProbeRouteOptions {
  /** experts that may be chosen (length N); false = masked */
  available?: boolean[];
  /** a static collaboration matrix [N][N] used instead of C(x) */
  collabOverride?: number[][];
  /** the same forced prefix for every item (expert indices; e.g. [0, 1, 2] for a static 1->2->3 sequence) */
  forcedPrefix?: number[];
  /** keep only the relational or the intrinsic part of the score */
  scoreParts?: ScoreParts;
  /** longest chain (default N) */
  maxSteps?: number;
  /** items per forward pass (default 64) */
  batchSize?: number;
}

/** What one pass reads, one entry per item in input order. */
export interface RoutingRead {
  itemIds: string[];
  tasks: string[];
  /** C(x) per item, [B][N][N] */
  C: number[][][];
  /** s(x) per item, [B][N] */
  s: number[][];
  /** the inferred chain per item (expert indices in call order) */
  chains: number[][];
}

/** The static C as a tensor (caller disposes), or undefined. */
export function routeOptionsTensor(opts: ProbeRouteOptions): tf.Tensor | undefined {
  return opts.collabOverride ? tf.tensor2d(opts.collabOverride) : undefined;
}

/** Number of steps to roll out: the chain-length bound, at most the number of available experts. */
export function rolloutSteps(N: number, opts: ProbeRouteOptions): number {
  const nAvail = opts.available ? opts.available.filter(Boolean).length : N;
  const maxSteps = opts.maxSteps ?? N;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new Error(`probe: maxSteps must be an integer >= 1 (got ${maxSteps})`);
  return Math.min(maxSteps, nAvail);
}

/** Reads C, s and the greedy chain of every item under the given route options. */
export function readRouting(model: OrchestratorModel, items: readonly RoutingItem[], opts: ProbeRouteOptions = {}): RoutingRead {
  const N = model.config.nExperts;
  if (items.length === 0) throw new Error('probe: no items to read');
  const steps = rolloutSteps(N, opts);
  const bs = opts.batchSize ?? 64;
  const out: RoutingRead = { itemIds: [], tasks: [], C: [], s: [], chains: [] };
  const override = routeOptionsTensor(opts);
  try {
    for (let start = 0; start < items.length; start += bs) {
      const chunk = items.slice(start, start + bs);
      const batch = toBatch([...chunk], model.config.inputDim);
      let read: { C: number[][][]; s: number[][]; chosen: number[][]; stopProb: number[][] };
      try {
        read = tf.tidy(() => {
          const { h, ctx } = encode(model, { ex: batch.ex, outputs: batch.outputs }, { available: opts.available });
          const r = route(model, h, ctx, {
            steps,
            available: opts.available,
            collabOverride: override,
            scoreParts: opts.scoreParts,
            forcedChain: opts.forcedPrefix ? chunk.map(() => opts.forcedPrefix!.slice(0, steps)) : undefined,
          });
          return { C: r.C.arraySync() as number[][][], s: r.s.arraySync() as number[][], chosen: r.chosen.arraySync() as number[][], stopProb: r.stopProb.arraySync() as number[][] };
        });
      } finally {
        disposeBatch(batch);
      }
      chunk.forEach((it, b) => {
        const chain = [read.chosen[b][0]];
        const forcedLen = opts.forcedPrefix?.length ?? 0;
        for (let t = 1; t < read.chosen[b].length; t++) {
          // a forced sequence runs in full; after it (or without one) the model's stop decides
          if (t >= forcedLen && read.stopProb[b][t] >= 0.5) break;
          chain.push(read.chosen[b][t]);
        }
        out.itemIds.push(it.id);
        out.tasks.push(it.task);
        out.C.push(read.C[b]);
        out.s.push(read.s[b]);
        out.chains.push(chain);
      });
    }
  } finally {
    override?.dispose();
  }
  return out;
}
