/**
 * One deterministic pass of a model over items that reads what the probes need: C(x) and s(x)
 * per item, and the chain greedy inference takes (argmax expert per step, stop once
 * P(stop) >= 1/2, as `inferChains` does), under any route option (masking, a static C, a
 * forced first expert or sequence, relational-/intrinsic-only scores).
 */
import { hostView, tf } from '../orchestrator/backend';
import { disposeBatch, toBatch, type RoutingItem } from '../orchestrator/dataset';
import { encode, route, type OrchestratorModel, type ScoreParts } from '../orchestrator/model';
import { encodeMaskedFromParts, encodeWithParts, type BackboneParts, type HostEncoding } from './encode-reuse';
import { readFromPieces, routePieces, type RoutePieces } from './route-pieces';

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
  /**
   * the items' representations, encoded once (`encodeItems`) and shared by every read and
   * gradient of the same items under the same mask: encoding is most of a read's cost
   */
  encoded?: EncodedItems;
}

/** h and ctx of a list of items, encoded once under one mask. */
export interface EncodedItems {
  ids: string[];
  /** the mask the items were encoded under (null: every expert) */
  available: boolean[] | null;
  /** [n, N, d] */
  h: tf.Tensor3D;
  /** [n, d] */
  ctx: tf.Tensor2D;
  /** the routing step's option-independent part of every item, computed on first use (route-pieces.ts) */
  pieces?: RoutePieces;
  /** the backbone's mask-independent part (unmasked encodings of a backbone model): masked re-encodes start from it */
  backbone?: BackboneParts;
  /** h and ctx's values on the host, where the encoding made them there (no copy back out of the tensors) */
  host?: HostEncoding;
}

/** The pieces of a shared encoding for this model, computed once and kept on it. */
export function piecesOf(model: OrchestratorModel, e: EncodedItems): RoutePieces {
  if (!e.pieces || e.pieces.model !== model) e.pieces = routePieces(model, e.h, e.ctx, e.host);
  return e.pieces;
}

/** Encodes items in batches (no dropout). Free the tensors with `disposeEncoded`. */
export function encodeItems(model: OrchestratorModel, items: readonly RoutingItem[], opts: { available?: boolean[]; batchSize?: number } = {}): EncodedItems {
  if (items.length === 0) throw new Error('probe: no items to encode');
  // large batches: fewer, larger matrix products (bench/profile-probes.ts)
  const bs = opts.batchSize ?? 1024;
  if (model.config.backbone && !(opts.available && opts.available.some((a) => !a))) {
    // unmasked: keep the backbone's mask-independent part for masked re-encodes (encode-reuse.ts)
    const { h, ctx, host, parts } = encodeWithParts(model, items, bs);
    return { ids: items.map((it) => it.id), available: null, h, ctx, host, backbone: parts };
  }
  const hs: tf.Tensor3D[] = [];
  const ctxs: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < items.length; start += bs) {
      const batch = toBatch(items.slice(start, start + bs), model.config.inputDim);
      try {
        const e = tf.tidy(() => {
          const { h, ctx } = encode(model, { ex: batch.ex, outputs: batch.outputs }, { available: opts.available });
          return { h, ctx };
        });
        hs.push(e.h);
        ctxs.push(e.ctx);
      } finally {
        disposeBatch(batch);
      }
    }
    const h = tf.concat(hs, 0) as tf.Tensor3D;
    const ctx = tf.concat(ctxs, 0) as tf.Tensor2D;
    return { ids: items.map((it) => it.id), available: opts.available ? [...opts.available] : null, h, ctx };
  } finally {
    for (const t of [...hs, ...ctxs]) t.dispose();
  }
}

/**
 * The items `idx` of an unmasked shared encoding, encoded under `available`: from its backbone
 * parts (only the attention onwards runs; encode-reuse.ts), or, for a model without a backbone
 * (a mask does not change its encoding), its own rows. Free with `disposeEncoded`.
 */
export function encodeItemsMasked(model: OrchestratorModel, base: EncodedItems, items: readonly RoutingItem[], idx: readonly number[], available: boolean[], batchSize?: number): EncodedItems {
  checkShared(base, items, idx, {});
  const ids = idx.map((i) => items[i].id);
  const mask = available.some((a) => !a) ? [...available] : null;
  if (base.backbone && base.backbone.model === model) {
    const { h, ctx, host } = encodeMaskedFromParts(model, base.backbone, idx, available, batchSize);
    return { ids, available: mask, h, ctx, host };
  }
  if (!model.config.backbone) return { ids, available: mask, h: gatherRows(base.h, idx) as tf.Tensor3D, ctx: gatherRows(base.ctx, idx) as tf.Tensor2D };
  return encodeItems(model, idx.map((i) => items[i]), { available, batchSize });
}

export function disposeEncoded(e: EncodedItems | undefined): void {
  e?.h.dispose();
  e?.ctx.dispose();
}

/**
 * Rows `idx` of t along its first axis (repeats allowed), copied on the host: the wasm backend's
 * gather moves one number at a time and cost ~10% of a probe pass (bench/profile-probes.ts);
 * whole rows are contiguous, so they are block copies here. A new tensor (caller frees, or tidy).
 */
export function gatherRows(t: tf.Tensor, idx: readonly number[]): tf.Tensor {
  const n = t.shape[0];
  const row = t.size / Math.max(1, n);
  const src = hostView(t);
  const out = new Float32Array(idx.length * row);
  idx.forEach((i, r) => {
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`gatherRows: index ${i} is not in 0..${n - 1}`);
    out.set(src.subarray(i * row, (i + 1) * row), r * row);
  });
  return tf.tensor(out, [idx.length, ...t.shape.slice(1)]);
}

/** The h and ctx of items `idx` (indices into `items`), from the shared encoding or encoded now; caller frees (inside tf.tidy). */
/** Checks that a shared encoding serves this read (same mask, same items); returns it. */
export function checkShared(e: EncodedItems, items: readonly RoutingItem[], idx: readonly number[], opts: ProbeRouteOptions): EncodedItems {
  const norm = (a: boolean[] | null | undefined) => JSON.stringify(a && a.some((x) => !x) ? a : null); // every expert present = no mask
  if (norm(e.available) !== norm(opts.available)) throw new Error('probe: the shared encoding was made under another mask than this read asks for');
  if (e.ids.length !== items.length || idx.some((i) => e.ids[i] !== items[i].id)) throw new Error('probe: the shared encoding is of other items');
  return e;
}

export function representationsOf(model: OrchestratorModel, items: readonly RoutingItem[], idx: readonly number[], opts: ProbeRouteOptions): { h: tf.Tensor3D; ctx: tf.Tensor2D } {
  const e = opts.encoded;
  if (e) {
    checkShared(e, items, idx, opts);
    return { h: gatherRows(e.h, idx) as tf.Tensor3D, ctx: gatherRows(e.ctx, idx) as tf.Tensor2D };
  }
  const batch = toBatch(idx.map((i) => items[i]), model.config.inputDim);
  try {
    const { h, ctx } = encode(model, { ex: batch.ex, outputs: batch.outputs }, { available: opts.available });
    return { h, ctx };
  } finally {
    disposeBatch(batch);
  }
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

/** One batch at a fixed rollout length: C, s, and each item's chain plus whether it stopped within the rollout. */
function readBatch(model: OrchestratorModel, items: readonly RoutingItem[], idx: readonly number[], steps: number, opts: ProbeRouteOptions, override: tf.Tensor | undefined): { C: number[][][]; s: number[][]; chains: number[][]; open: boolean[] } {
  const forcedChain = opts.forcedPrefix ? idx.map(() => opts.forcedPrefix!.slice(0, steps)) : undefined;
  // A shared encoding: the interaction module's q, k and pair logits were computed once for all
  // its reads (route-pieces.ts, the same arithmetic as route); only the rollout runs here.
  const read = opts.encoded
    ? readFromPieces(piecesOf(model, checkShared(opts.encoded, items, idx, opts)), idx, { steps, available: opts.available, collabOverride: opts.collabOverride, scoreParts: opts.scoreParts, forcedChain })
    : readByRoute(model, items, idx, steps, opts, override, forcedChain);
  return chainsOfRead(read, idx, opts);
}

function readByRoute(model: OrchestratorModel, items: readonly RoutingItem[], idx: readonly number[], steps: number, opts: ProbeRouteOptions, override: tf.Tensor | undefined, forcedChain: number[][] | undefined) {
  // tidy returns tensors only (walking nested arrays of numbers on the way out is not free)
  const t = tf.tidy(() => {
    const { h, ctx } = representationsOf(model, items, idx, opts);
    const r = route(model, h, ctx, {
      steps,
      available: opts.available,
      collabOverride: override,
      scoreParts: opts.scoreParts,
      forcedChain,
    });
    return { C: r.C, s: r.s, chosen: r.chosen, stopProb: r.stopProb };
  });
  try {
    return { C: t.C.arraySync() as number[][][], s: t.s.arraySync() as number[][], chosen: t.chosen.arraySync() as number[][], stopProb: t.stopProb.arraySync() as number[][] };
  } finally {
    tf.dispose([t.C, t.s, t.chosen, t.stopProb]);
  }
}

/** Each item's greedy chain from a read's chosen experts and stop probabilities. */
function chainsOfRead(read: { C: number[][][]; s: number[][]; chosen: number[][]; stopProb: number[][] }, idx: readonly number[], opts: ProbeRouteOptions): { C: number[][][]; s: number[][]; chains: number[][]; open: boolean[] } {
  const chunk = idx;
  const forcedLen = opts.forcedPrefix?.length ?? 0;
  const chains: number[][] = [];
  const open: boolean[] = [];
  chunk.forEach((_, b) => {
    const chain = [read.chosen[b][0]];
    let stopped = false;
    for (let t = 1; t < read.chosen[b].length; t++) {
      // a forced sequence runs in full; after it (or without one) the model's stop decides
      if (t >= forcedLen && read.stopProb[b][t] >= 0.5) {
        stopped = true;
        break;
      }
      chain.push(read.chosen[b][t]);
    }
    chains.push(chain);
    open.push(!stopped); // the chain used every rolled-out step: a longer rollout may extend it
  });
  return { C: read.C, s: read.s, chains, open };
}

/**
 * Reads C, s and the greedy chain of every item under the given route options. The rollout is
 * deterministic, so a short rollout's prefix equals a long one's: items are first rolled out a
 * few steps, and only the chains still going are rolled out again to the full length (most
 * chains stop after one to three experts; a full N-step rollout for all would waste the rest).
 */
export function readRouting(model: OrchestratorModel, items: readonly RoutingItem[], opts: ProbeRouteOptions = {}): RoutingRead {
  const N = model.config.nExperts;
  if (items.length === 0) throw new Error('probe: no items to read');
  const steps = rolloutSteps(N, opts);
  const first = Math.min(steps, Math.max(4, opts.forcedPrefix?.length ?? 0));
  const bs = opts.batchSize ?? 64;
  const out: RoutingRead = { itemIds: items.map((it) => it.id), tasks: items.map((it) => it.task), C: [], s: [], chains: [] };
  const override = routeOptionsTensor(opts);
  try {
    const reopen: number[] = [];
    for (let start = 0; start < items.length; start += bs) {
      const idx = Array.from({ length: Math.min(bs, items.length - start) }, (_, b) => start + b);
      const r = readBatch(model, items, idx, first, opts, override);
      r.C.forEach((c, b) => {
        out.C.push(c);
        out.s.push(r.s[b]);
        out.chains.push(r.chains[b]);
        if (r.open[b] && first < steps) reopen.push(start + b);
      });
    }
    for (let start = 0; start < reopen.length; start += bs) {
      const idx = reopen.slice(start, start + bs);
      const r = readBatch(model, items, idx, steps, opts, override);
      idx.forEach((i, b) => (out.chains[i] = r.chains[b]));
    }
  } finally {
    override?.dispose();
  }
  return out;
}
