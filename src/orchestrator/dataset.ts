/**
 * What the orchestrator trains on: for each task item, the prompt encoding e_x, every expert's
 * response encoding o_i, an optional oracle encoding o*, and each expert's graded correctness.
 *
 * and, where pairs were generated, the graded correctness of each ordered pair "j after i".
 *
 * On disk a dataset is JSON Lines: line 1 is a header
 *   {"kind":"inform-routing-dataset","version":2,"expertIds":[...],"dim":768,"meta":{...}}
 * and every further line is one item
 *   {"id":"...","task":"gsm8k","split":"train","ex":[...],"outputs":[[...],...],"oracle":[...]|null,"correct":[1,0,...],
 *    "pairCorrect":[[null,1,0,...],...]}            (optional; null = diagonal or not generated)
 * Version 1 files (no pairs) still load: they are read as version 2 datasets without pairs.
 * Every line is validated; an error names the file, the line and the field.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { tf } from './backend';
import { Rng } from './rng';

export type Split = 'train' | 'test';

/** One task item as the orchestrator sees it. */
export interface RoutingItem {
  id: string;
  /** task name, e.g. 'gsm8k' | 'mmlu' | 'humaneval' (free text for synthetic data) */
  task: string;
  /** which split the item belongs to, when assigned */
  split?: Split;
  /** prompt encoding e_x, length dim */
  ex: Float32Array;
  /** one encoding per expert, in `expertIds` order */
  outputs: Float32Array[];
  /** oracle encoding o*, or null when no oracle answer exists */
  oracle: Float32Array | null;
  /** graded correctness of each expert's response (0 or 1), in `expertIds` order */
  correct: number[];
  /**
   * pairCorrect[i][j]: graded correctness (0/1) of expert j's answer after expert i's ("j after
   * i"); null on the diagonal and where the pair was not generated. Absent: no pairs at all.
   */
  pairCorrect?: (number | null)[][];
}

/** A routing dataset: the consortium's expert ids and its items. */
export interface RoutingDataset {
  expertIds: string[];
  /** encoder dimension */
  dim: number;
  items: RoutingItem[];
  /** free-form provenance (encoder name, consortium preset, planted truth, ...) */
  meta?: Record<string, unknown>;
}

/** Checks shapes and values; throws an error naming the item and field. */
export function validateRoutingDataset(ds: RoutingDataset, where = 'routing dataset'): void {
  const N = ds.expertIds.length;
  if (N < 2) throw new Error(`${where}: need at least 2 experts, got ${N}`);
  if (new Set(ds.expertIds).size !== N) throw new Error(`${where}: expertIds are not unique`);
  ds.items.forEach((it, n) => {
    const at = `${where}: item ${n} (id '${it.id}')`;
    const vec = (v: Float32Array, field: string) => {
      if (v.length !== ds.dim) throw new Error(`${at}: ${field} has length ${v.length}, expected ${ds.dim}`);
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new Error(`${at}: ${field}[${i}] is not finite`);
    };
    vec(it.ex, 'ex');
    if (it.outputs.length !== N) throw new Error(`${at}: outputs has ${it.outputs.length} rows, expected ${N} (one per expert)`);
    it.outputs.forEach((o, i) => vec(o, `outputs[${i}]`));
    if (it.oracle) vec(it.oracle, 'oracle');
    if (it.correct.length !== N) throw new Error(`${at}: correct has ${it.correct.length} entries, expected ${N}`);
    it.correct.forEach((c, i) => {
      if (c !== 0 && c !== 1) throw new Error(`${at}: correct[${i}] is ${c}, expected 0 or 1`);
    });
    if (it.pairCorrect) {
      if (it.pairCorrect.length !== N) throw new Error(`${at}: pairCorrect has ${it.pairCorrect.length} rows, expected ${N}`);
      it.pairCorrect.forEach((row, i) => {
        if (row.length !== N) throw new Error(`${at}: pairCorrect[${i}] has ${row.length} entries, expected ${N}`);
        row.forEach((c, j) => {
          if (i === j && c !== null) throw new Error(`${at}: pairCorrect[${i}][${j}] is ${c}: an expert does not follow itself (expected null)`);
          if (c !== null && c !== 0 && c !== 1) throw new Error(`${at}: pairCorrect[${i}][${j}] is ${c}, expected 0, 1 or null`);
        });
      });
    }
  });
}

/** Items of one split; 'all' returns every item. Items without a split count as 'train'. */
export function itemsOfSplit(ds: RoutingDataset, split: Split | 'all'): RoutingItem[] {
  if (split === 'all') return ds.items;
  return ds.items.filter((it) => (it.split ?? 'train') === split);
}

/**
 * A short digest of what training depends on: encoder dimension, experts, and every item's id,
 * split and graded correctness, in order. Two datasets with the same fingerprint give the same
 * epochs and schedule; a checkpoint records it so a resume on other data is refused.
 */
export function routingDatasetFingerprint(ds: RoutingDataset): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify([ds.dim, ds.expertIds]));
  // (pairs enter only when present, so datasets without pairs keep their earlier fingerprint)
  for (const it of ds.items) h.update(JSON.stringify(it.pairCorrect ? [it.id, it.split ?? 'train', it.correct, it.pairCorrect] : [it.id, it.split ?? 'train', it.correct]));
  return h.digest('hex').slice(0, 16);
}

/** Assigns a seeded, reproducible train/test split (a copy; the input is not modified). */
export function splitRoutingDataset(ds: RoutingDataset, opts: { testFraction?: number; seed?: number } = {}): RoutingDataset {
  const frac = opts.testFraction ?? 0.25;
  if (!(frac > 0 && frac < 1)) throw new Error(`splitRoutingDataset: testFraction must be in (0, 1), got ${frac}`);
  const order = new Rng(opts.seed ?? 0).shuffle(ds.items.map((_, i) => i));
  const nTest = Math.max(1, Math.round(ds.items.length * frac));
  const isTest = new Set(order.slice(0, nTest));
  return { ...ds, items: ds.items.map((it, i) => ({ ...it, split: isTest.has(i) ? 'test' : 'train' })) };
}

/** A batch as tensors; free with `disposeBatch`. */
export interface RoutingBatch {
  ex: tf.Tensor2D;
  outputs: tf.Tensor3D;
  oracle: tf.Tensor2D;
  hasOracle: tf.Tensor1D;
  correct: tf.Tensor2D;
  /**
   * pair[b, i, j]: correctness of "j after i" where generated, else expert j's solo correctness
   * (the estimate that assumes i's answer does not change j's); [B, N, N]
   */
  pairCorrect: tf.Tensor3D;
  /** 1 where pair[b, i, j] was generated, else 0, [B, N, N] */
  pairMask: tf.Tensor3D;
}

/** The encoder's inputs of items as host arrays: prompts ex [B, dim] and expert outputs [B, N, dim]. */
export function packEncoderInputs(items: readonly RoutingItem[], dim: number): { ex: Float32Array; outputs: Float32Array } {
  const B = items.length;
  const N = items[0].outputs.length;
  const ex = new Float32Array(B * dim);
  const outputs = new Float32Array(B * N * dim);
  items.forEach((it, b) => {
    ex.set(it.ex, b * dim);
    it.outputs.forEach((o, i) => outputs.set(o, (b * N + i) * dim));
  });
  return { ex, outputs };
}

/** Packs items into tensors (missing oracles become zero rows with hasOracle = 0). */
export function toBatch(items: RoutingItem[], dim: number): RoutingBatch {
  const B = items.length;
  const N = items[0].outputs.length;
  const { ex, outputs } = packEncoderInputs(items, dim);
  const oracle = new Float32Array(B * dim);
  const hasOracle = new Float32Array(B);
  const correct = new Float32Array(B * N);
  const pairCorrect = new Float32Array(B * N * N);
  const pairMask = new Float32Array(B * N * N);
  items.forEach((it, b) => {
    if (it.oracle) {
      oracle.set(it.oracle, b * dim);
      hasOracle[b] = 1;
    }
    it.correct.forEach((c, i) => (correct[b * N + i] = c));
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const p = it.pairCorrect?.[i][j];
        const at = (b * N + i) * N + j;
        if (p === 0 || p === 1) [pairCorrect[at], pairMask[at]] = [p, 1];
        else pairCorrect[at] = it.correct[j];
      }
    }
  });
  return {
    ex: tf.tensor2d(ex, [B, dim]),
    outputs: tf.tensor3d(outputs, [B, N, dim]),
    oracle: tf.tensor2d(oracle, [B, dim]),
    hasOracle: tf.tensor1d(hasOracle),
    correct: tf.tensor2d(correct, [B, N]),
    pairCorrect: tf.tensor3d(pairCorrect, [B, N, N]),
    pairMask: tf.tensor3d(pairMask, [B, N, N]),
  };
}

/** Frees a batch's tensors. */
export function disposeBatch(b: RoutingBatch): void {
  for (const t of Object.values(b)) t.dispose();
}

// ---------------------------------------------------------------------------------------------
// JSON Lines file format
// ---------------------------------------------------------------------------------------------

const headerSchema = z.object({
  kind: z.literal('inform-routing-dataset'),
  version: z.union([z.literal(1), z.literal(2)]),
  expertIds: z.array(z.string().min(1)).min(2),
  dim: z.number().int().positive(),
  meta: z.record(z.unknown()).optional(),
});

const vector = z.array(z.number());
const itemSchema = z.object({
  id: z.string().min(1),
  task: z.string(),
  split: z.enum(['train', 'test']).optional(),
  ex: vector,
  outputs: z.array(vector),
  oracle: vector.nullable(),
  correct: z.array(z.union([z.literal(0), z.literal(1)])),
  pairCorrect: z.array(z.array(z.union([z.literal(0), z.literal(1), z.null()]))).optional(),
});

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const isGrade = (x: unknown): x is 0 | 1 => x === 0 || x === 1;

/** True only for lines that itemSchema accepts as they are (a stricter, allocation-free check). */
function isPlainValidItem(v: unknown): v is z.infer<typeof itemSchema> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    o.id.length > 0 &&
    typeof o.task === 'string' &&
    (o.split === undefined || o.split === 'train' || o.split === 'test') &&
    isNumberArray(o.ex) &&
    Array.isArray(o.outputs) &&
    o.outputs.every(isNumberArray) &&
    (o.oracle === null || isNumberArray(o.oracle)) &&
    Array.isArray(o.correct) &&
    o.correct.every(isGrade) &&
    (o.pairCorrect === undefined || (Array.isArray(o.pairCorrect) && o.pairCorrect.every((row) => Array.isArray(row) && row.every((x) => x === null || isGrade(x)))))
  );
}

/** The file format version `saveRoutingDataset` writes (1: no pairs; 2: optional pairCorrect). */
export const ROUTING_DATASET_VERSION = 2;

/** Writes a dataset as JSON Lines (atomically: temp file, then rename). */
export function saveRoutingDataset(ds: RoutingDataset, file: string): void {
  validateRoutingDataset(ds);
  const lines = [JSON.stringify({ kind: 'inform-routing-dataset', version: ROUTING_DATASET_VERSION, expertIds: ds.expertIds, dim: ds.dim, meta: ds.meta ?? {} })];
  for (const it of ds.items) {
    lines.push(
      JSON.stringify({
        id: it.id,
        task: it.task,
        ...(it.split ? { split: it.split } : {}),
        ex: Array.from(it.ex),
        outputs: it.outputs.map((o) => Array.from(o)),
        oracle: it.oracle ? Array.from(it.oracle) : null,
        correct: it.correct,
        ...(it.pairCorrect ? { pairCorrect: it.pairCorrect } : {}),
      }),
    );
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, lines.join('\n') + '\n');
  fs.renameSync(tmp, file);
}

/** Reads and validates a JSON Lines dataset; errors name the file, the line and the field. */
export function loadRoutingDataset(file: string): RoutingDataset {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const parse = (n: number): unknown => {
    try {
      return JSON.parse(lines[n]);
    } catch (e) {
      throw new Error(`${file}:${n + 1}: not valid JSON (${(e as Error).message})`);
    }
  };
  const fail = (n: number, err: z.ZodError): never => {
    const issue = err.issues[0];
    throw new Error(`${file}:${n + 1}: field '${issue.path.join('.') || '(line)'}': ${issue.message}`);
  };
  const h = headerSchema.safeParse(parse(0));
  if (!h.success) fail(0, h.error);
  const header = h.data!;
  const items: RoutingItem[] = [];
  for (let n = 1; n < lines.length; n++) {
    if (lines[n].trim() === '') continue;
    const raw = parse(n);
    // zod builds an issue object per literal it tries, seconds on a 7 MB file; a line that passes
    // the plain check below also passes the schema, so the schema runs only to name a fault.
    let it: z.infer<typeof itemSchema>;
    if (isPlainValidItem(raw)) it = raw;
    else {
      const r = itemSchema.safeParse(raw);
      if (!r.success) fail(n, r.error);
      it = r.data!;
    }
    const item: RoutingItem = {
      id: it.id,
      task: it.task,
      ...(it.split ? { split: it.split } : {}),
      ex: Float32Array.from(it.ex),
      outputs: it.outputs.map((o) => Float32Array.from(o)),
      oracle: it.oracle ? Float32Array.from(it.oracle) : null,
      correct: it.correct,
      ...(it.pairCorrect ? { pairCorrect: it.pairCorrect } : {}),
    };
    if (header.version === 1 && it.pairCorrect) throw new Error(`${file}:${n + 1}: field 'pairCorrect': a version 1 dataset has no pairs (pairCorrect needs version 2 in the header)`);
    try {
      validateRoutingDataset({ expertIds: header.expertIds, dim: header.dim, items: [item] }, file);
    } catch (e) {
      throw new Error(`${file}:${n + 1}: ${(e as Error).message.replace(/^.*?item 0 \(id '[^']*'\): /, '')}`);
    }
    items.push(item);
  }
  return { expertIds: header.expertIds, dim: header.dim, items, meta: header.meta };
}
