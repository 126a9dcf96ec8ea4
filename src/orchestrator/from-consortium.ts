/**
 * Turns the consortium's per-item table (`collectResponses` in src/experts) into a routing
 * dataset by encoding the prompt, every expert's response and the oracle text with an Encoder.
 * Only types are imported from the other areas, so this file adds no load-time dependency.
 */
import type { Encoder } from '../encoders/types';
import type { ResponseRow } from '../experts/generate';
import type { RoutingDataset, RoutingItem } from './dataset';
import { validateRoutingDataset } from './dataset';

export interface BuildRoutingDatasetOptions {
  /** one row per task item, every row with the same experts in the same order */
  rows: readonly ResponseRow[];
  /** text -> vector (e.g. the hashing encoder, or a cached BERT encoder) */
  encoder: Encoder;
  /** texts per encoder call (default 64) */
  batchSize?: number;
  /** provenance stored in the dataset's meta (consortium name, planted truth, ...) */
  meta?: Record<string, unknown>;
  onProgress?: (done: number, total: number) => void;
}

/** Encodes every row; throws naming the item and expert when a response was never graded. */
export async function buildRoutingDataset(opts: BuildRoutingDatasetOptions): Promise<RoutingDataset> {
  const { rows, encoder } = opts;
  if (rows.length === 0) throw new Error('buildRoutingDataset: no rows');
  const expertIds = rows[0].responses.map((r) => r.expertId);
  rows.forEach((row, n) => {
    const ids = row.responses.map((r) => r.expertId);
    if (ids.join('\u0000') !== expertIds.join('\u0000')) throw new Error(`buildRoutingDataset: row ${n} (item ${row.item.id}) has experts [${ids.join(', ')}], row 0 has [${expertIds.join(', ')}]`);
    row.responses.forEach((r) => {
      if (r.correct === null) throw new Error(`buildRoutingDataset: item ${row.item.id}, expert ${r.expertId}: response was never graded (generate the transcripts with grading on)`);
    });
  });

  // One flat list of texts per row: prompt, N responses, oracle.
  const perRow = expertIds.length + 2;
  const texts = rows.flatMap((row) => [row.prompt, ...row.responses.map((r) => r.text), row.oracleText]);
  const vectors: Float32Array[] = [];
  const bs = opts.batchSize ?? 64;
  for (let i = 0; i < texts.length; i += bs) {
    const chunk = await encoder.encode(texts.slice(i, i + bs));
    if (chunk.length !== Math.min(bs, texts.length - i)) throw new Error(`buildRoutingDataset: encoder ${encoder.name} returned ${chunk.length} vectors for ${Math.min(bs, texts.length - i)} texts`);
    vectors.push(...chunk);
    opts.onProgress?.(Math.min(i + bs, texts.length), texts.length);
  }
  const items: RoutingItem[] = rows.map((row, n) => {
    const v = vectors.slice(n * perRow, (n + 1) * perRow);
    return {
      id: row.item.id,
      task: row.item.task,
      ex: v[0],
      outputs: v.slice(1, 1 + expertIds.length),
      oracle: v[perRow - 1],
      correct: row.responses.map((r) => (r.correct ? 1 : 0)),
      // "j after i" where generated and graded (null elsewhere); absent when no pair exists at all
      ...(row.pairs && row.pairs.some((r) => r.some((p) => p !== null)) ? { pairCorrect: row.pairs.map((r) => r.map((p) => (p === null || p.correct === null ? null : p.correct ? 1 : 0))) } : {}),
    };
  });
  const ds: RoutingDataset = { expertIds, dim: encoder.dim, items, meta: { encoder: encoder.name, ...(opts.meta ?? {}) } };
  validateRoutingDataset(ds, `routing dataset from ${encoder.name}`);
  return ds;
}
