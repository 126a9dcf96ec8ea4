/**
 * Masked re-encodes that reuse the mask-independent part of an earlier encode.
 *
 * Masking an expert (`encode`'s `available`) changes only the backbone's attention: no token
 * attends to the masked one. The prompt projection, the routing adapter, the first layer norm
 * and the attention's q, k, v are the same with or without the mask, and they are ~7/8 of an
 * encode's multiply-adds (adapter ~2.8 M per item at the paper's size, q/k/v ~2.2 M; what follows
 * the attention, W_o, ~0.7 M). So the unmasked encode keeps them, with its attention weights and
 * mixed values (`encodeWithParts`), and a masked read reruns only W_o, the residual and the final
 * norm after renormalising the unmasked attention without the masked keys (`maskedMix`; the
 * attention itself for an item whose attention leaned on the masked expert).
 *
 * The forward is encode-kernel.ts's, step for step, with its own helpers (addBias, layerNormRows,
 * attention) and the same GEMM (host-matmul.ts's mmHost), but for the final norm's sums (four
 * interleaved float64 sums, afterAttention), so the unmasked values are encode()'s but where such a
 * sum lands within ~1e-16 of a float32 rounding boundary, and the masked ones encode()'s up to
 * float rounding (test/probes/encode-reuse.test.ts: unmasked and masked h, ctx against `encode`,
 * 1e-6).
 */
import { hostView, tf } from '../orchestrator/backend';
import { packEncoderInputs, type RoutingItem } from '../orchestrator/dataset';
import { addBias, attention, biasGeluRows, layerNormRows } from '../orchestrator/encode-kernel';
import { mmHost, productInto, values } from '../orchestrator/host-matmul';
import { MASKED_LOGIT, type OrchestratorModel } from '../orchestrator/model';

/** The mask-independent backbone inputs of n items: tokens T0 = [ctx0; h_adapter] and their q, k, v, each [n, T, d]. */
export interface BackboneParts {
  model: OrchestratorModel;
  n: number;
  T: number;
  d: number;
  T0: Float32Array;
  Q: Float32Array;
  K: Float32Array;
  V: Float32Array;
  /** the unmasked attention weights [n, H, T, T] and mixed values [n, T, d] */
  att: Float64Array;
  Mx: Float32Array;
}

/** The backbone from its parts under an optional key mask: h [B, N, d] and ctx [B, d] as host arrays. */
function backboneTail(model: OrchestratorModel, B: number, T: number, d: number, T0: Float32Array, Q: Float32Array, K: Float32Array, V: Float32Array, keyMask: number[] | undefined): { h: Float32Array; ctx: Float32Array; att: Float64Array; Mx: Float32Array } {
  const att = new Float64Array(B * model.config.heads * T * T);
  const Mx = new Float32Array(B * T * d);
  attention(Q, K, V, B, T, d, model.config.heads, keyMask, att, Mx);
  return { ...afterAttention(model, B, T, d, T0, Mx), att, Mx };
}

/**
 * W_o, the residual and the final norm, from the attention's mixed values Mx [B, T, d]: h [B, N, d]
 * (tokens 1..N) and ctx [B, d] (token 0). One pass per row does the bias, the residual and the
 * norm, each rounded to float32 where encode-kernel.ts stores it (addBias, the residual, then
 * layerNormRows); the norm's x-hat, which only a backward pass reads, is not kept: one pass over
 * each row instead of four loops over fresh split-sized arrays (bias, residual, norm, then copies
 * into h and ctx). The norm's mean and variance are summed in four interleaved float64 sums, where
 * layerNormRows sums in one (a chain of d dependent adds per row, the loop's bound): the float32
 * values agree with encode's but where a float64 sum lands within ~1e-16 of a float32 rounding
 * boundary (test/probes/encode-reuse.test.ts: 1e-6).
 */
function afterAttention(model: OrchestratorModel, B: number, T: number, d: number, T0: Float32Array, Mx: Float32Array, into?: AfterAttentionInto): { h: Float32Array; ctx: Float32Array } {
  const p = model.params;
  const N = T - 1;
  const bo = values(p['backbone.bo']);
  const g = values(p['backbone.lnf.g']);
  const beta = values(p['backbone.lnf.b']);
  // R = Mx W_o, read where the product wrote it (rows of ldc floats): no copy of [B T, d] out
  return productInto([{ a: Mx, aStored: 'MK', b: hostView(p['backbone.Wo']) }], B * T, d, d, (R, ldc) => {
    const h = into?.h ?? new Float32Array(B * N * d);
    const ctx = into?.ctx ?? new Float32Array(B * d);
    const at0 = into?.at ?? 0;
    const row = new Float64Array(d);
    for (let b = 0; b < B; b++) {
      const t0 = (into?.t0Rows ? into.t0Rows[b] : b) * T * d;
      residualNormRow(R, (b * T) * ldc, T0, t0, bo, g, beta, row, ctx, (at0 + b) * d, d);
      for (let t = 1; t < T; t++) residualNormRow(R, (b * T + t) * ldc, T0, t0 + t * d, bo, g, beta, row, h, ((at0 + b) * N + t - 1) * d, d);
    }
    return { h, ctx };
  });
}

/**
 * One row of afterAttention: out[at..at+d) = the norm of f32(f32(R[o..] + bo) + T0[o0..]), its
 * mean and variance in four interleaved float64 sums (the rest of d after them: a quarter of one
 * sum's chain of dependent adds). Its own function, every array a parameter: as a closure over
 * captured variables the loop profiled slower (36 ms a pass against 21-23 ms, though the machine's
 * speed also drifted between those profiles).
 */
function residualNormRow(R: Float32Array, o: number, T0: Float32Array, o0: number, bo: Float32Array, g: Float32Array, beta: Float32Array, row: Float64Array, out: Float32Array, at: number, d: number): void {
  const f = Math.fround;
  const d4 = d & ~3;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  let c = 0;
  for (; c < d4; c += 4) {
    const x0 = f(f(R[o + c] + bo[c]) + T0[o0 + c]);
    const x1 = f(f(R[o + c + 1] + bo[c + 1]) + T0[o0 + c + 1]);
    const x2 = f(f(R[o + c + 2] + bo[c + 2]) + T0[o0 + c + 2]);
    const x3 = f(f(R[o + c + 3] + bo[c + 3]) + T0[o0 + c + 3]);
    row[c] = x0;
    row[c + 1] = x1;
    row[c + 2] = x2;
    row[c + 3] = x3;
    m0 += x0;
    m1 += x1;
    m2 += x2;
    m3 += x3;
  }
  for (; c < d; c++) m0 += row[c] = f(f(R[o + c] + bo[c]) + T0[o0 + c]);
  const mean = (m0 + m1 + (m2 + m3)) / d;
  let v0 = 0;
  let v1 = 0;
  let v2 = 0;
  let v3 = 0;
  for (c = 0; c < d4; c += 4) {
    const y0 = row[c] - mean;
    const y1 = row[c + 1] - mean;
    const y2 = row[c + 2] - mean;
    const y3 = row[c + 3] - mean;
    v0 += y0 * y0;
    v1 += y1 * y1;
    v2 += y2 * y2;
    v3 += y3 * y3;
  }
  for (; c < d; c++) v0 += (row[c] - mean) * (row[c] - mean);
  const inv = 1 / Math.sqrt((v0 + v1 + (v2 + v3)) / d + 1e-5);
  for (c = 0; c < d; c++) out[at + c] = (row[c] - mean) * inv * g[c] + beta[c];
}

/**
 * Where afterAttention reads and writes instead of its defaults: batch row b's residual tokens
 * are item t0Rows[b]'s rows of T0 (default b's), and its h and ctx go to items at + b of the
 * given arrays (default new arrays of the batch).
 */
interface AfterAttentionInto {
  t0Rows?: readonly number[];
  h?: Float32Array;
  ctx?: Float32Array;
  at?: number;
}

/** h [n, N, d] and ctx [n, d] as host arrays: the values of the returned tensors, for readers that want them on the host (route-pieces.ts). */
export interface HostEncoding {
  h: Float32Array;
  ctx: Float32Array;
}

/** One batch's encoding with its backbone parts (host arrays). */
type ChunkEncoding = Omit<BackboneParts, 'model' | 'n' | 'T' | 'd'> & { h: Float32Array; ctx: Float32Array };

/** encode-kernel.ts's forward on a batch of items (no dropout, no mask), keeping the backbone's parts. */
function encodeChunk(model: OrchestratorModel, chunk: readonly RoutingItem[]): ChunkEncoding {
  const p = model.params;
  const B = chunk.length;
  const N = model.config.nExperts;
  const T = N + 1;
  const D = model.config.inputDim;
  const d = p['adapter.W2'].shape[1] as number;
  const { ex: exV, outputs: xin } = packEncoderInputs(chunk, D);
  const Ro = B * N;
  // prompt projection, adapter (GELU, no dropout), tokens, ln1, q/k/v
  const ctx0 = mmHost(exV, B, D, p['prompt.W']);
  const Gm = biasGeluRows(mmHost(xin, Ro, D, p['adapter.W1']), Ro, d, values(p['adapter.b1']));
  const H0 = mmHost(Gm, Ro, d, p['adapter.W2']);
  // the tokens [ctx0 + prompt.b; H0 + adapter.b2], each sum rounded to float32 as addBias stores it
  const BT = B * T;
  const T0 = new Float32Array(BT * d);
  const [pb, b2] = [values(p['prompt.b']), values(p['adapter.b2'])];
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < d; c++) T0[b * T * d + c] = Math.fround(ctx0[b * d + c] + pb[c]);
    for (let i = 0; i < N; i++) {
      const [src, dst] = [(b * N + i) * d, (b * T + 1 + i) * d];
      for (let c = 0; c < d; c++) T0[dst + c] = Math.fround(H0[src + c] + b2[c]);
    }
  }
  const X1 = new Float32Array(BT * d);
  layerNormRows(T0, BT, d, values(p['backbone.ln1.g']), values(p['backbone.ln1.b']), X1, null, null);
  const [Q, K, V] = [p['backbone.Wq'], p['backbone.Wk'], p['backbone.Wv']].map((W) => mmHost(X1, BT, d, W));
  addBias(Q, BT, d, values(p['backbone.bq']));
  addBias(V, BT, d, values(p['backbone.bv']));
  return { T0, Q, K, V, ...backboneTail(model, B, T, d, T0, Q, K, V, undefined) };
}

/**
 * Encodes items (no dropout, no mask) in batches with a backbone model, keeping the backbone's
 * mask-independent parts. h and ctx are tensors (caller frees). A split that fits one batch (the
 * default holds a notebook's) is encoded in one piece, with nothing copied after.
 */
export function encodeWithParts(model: OrchestratorModel, items: readonly RoutingItem[], batchSize = 1024): { h: tf.Tensor3D; ctx: tf.Tensor2D; host: HostEncoding; parts: BackboneParts } {
  const cfg = model.config;
  if (!cfg.backbone) throw new Error('encodeWithParts: the model has no backbone (a mask does not change its encoding)');
  const n = items.length;
  const N = cfg.nExperts;
  const T = N + 1;
  const d = model.params['adapter.W2'].shape[1] as number;
  const chunks: ChunkEncoding[] = [];
  for (let start = 0; start < n; start += batchSize) chunks.push(encodeChunk(model, items.slice(start, start + batchSize)));
  const joined = chunks.length === 1 ? chunks[0] : joinChunks(chunks);
  const { h, ctx, ...parts } = joined;
  return { h: tf.tensor3d(h, [n, N, d]), ctx: tf.tensor2d(ctx, [n, d]), host: { h, ctx }, parts: { model, n, T, d, ...parts } };
}

/** The batches' arrays end to end, field by field. */
function joinChunks(chunks: ChunkEncoding[]): ChunkEncoding {
  const join = <A extends Float32Array | Float64Array>(parts: A[], make: (n: number) => A): A => {
    const out = make(parts.reduce((a, x) => a + x.length, 0));
    let at = 0;
    for (const x of parts) {
      out.set(x, at);
      at += x.length;
    }
    return out;
  };
  const f32 = (key: 'T0' | 'Q' | 'K' | 'V' | 'Mx' | 'h' | 'ctx') => join(chunks.map((c) => c[key]), (n) => new Float32Array(n));
  return { T0: f32('T0'), Q: f32('Q'), K: f32('K'), V: f32('V'), Mx: f32('Mx'), h: f32('h'), ctx: f32('ctx'), att: join(chunks.map((c) => c.att), (n) => new Float64Array(n)) };
}

/**
 * The attention's mixed values with the masked experts' keys removed, from the unmasked ones:
 * removing keys M renormalises the rest, so per query t and head
 *     mix'_t = (mix_t - sum_{m in M} a_tm v_m) / (1 - sum_{m in M} a_tm),
 * which is the masked softmax's mix up to float rounding (~1e-7 relative) while the removed weight
 * is at most 1/2 (1 - a >= 1/2 keeps the division from amplifying rounding). Items where some query
 * put more weight than that on the masked keys are listed in `exact` (indices into `chunk`), to be
 * rerun through the attention itself. Returns Mx' [chunk, T, d].
 */
export function maskedMix(parts: BackboneParts, chunk: readonly number[], available: readonly boolean[], H: number): { Mx: Float32Array; exact: number[] } {
  const { T, d } = parts;
  const dh = d / H;
  const masked: number[] = [];
  available.forEach((a, i) => {
    if (!a) masked.push(i + 1); // token 0 is the prompt
  });
  const row = T * d;
  const Mx = new Float32Array(chunk.length * row);
  const exact: number[] = [];
  const { att, Mx: mx0, V } = parts;
  const nM = masked.length;
  const a = new Float64Array(nM); // the query's weights on the masked keys
  const vo = new Int32Array(nM); // where their values start
  for (let b = 0; b < chunk.length; b++) {
    const i = chunk[b];
    if (!(Number.isInteger(i) && i >= 0 && i < parts.n)) throw new Error(`encodeMaskedFromParts: item ${i} is not in 0..${parts.n - 1}`);
    const src = i * row;
    const dst = b * row;
    let fallback = false;
    for (let hh = 0; hh < H && !fallback; hh++) {
      for (let t = 0; t < T; t++) {
        const ao = ((i * H + hh) * T + t) * T;
        let removed = 0;
        for (let x = 0; x < nM; x++) removed += att[ao + masked[x]];
        if (removed > 0.5) {
          fallback = true;
          break;
        }
        for (let x = 0; x < nM; x++) {
          a[x] = att[ao + masked[x]];
          vo[x] = src + masked[x] * d + hh * dh;
        }
        const o = t * d + hh * dh;
        const scale = 1 / (1 - removed);
        if (nM === 1) {
          // one masked key (the masking probe's case): the loop below without its inner loop, the same arithmetic
          const a0 = a[0];
          const v0 = vo[0];
          const at = src + o;
          for (let c = 0; c < dh; c++) Mx[dst + o + c] = (mx0[at + c] - a0 * V[v0 + c]) * scale;
          continue;
        }
        // per value: the mix minus each masked key's share, in key order, then renormalised
        for (let c = 0; c < dh; c++) {
          let m = mx0[src + o + c];
          for (let x = 0; x < nM; x++) m -= a[x] * V[vo[x] + c];
          Mx[dst + o + c] = m * scale;
        }
      }
    }
    if (fallback) exact.push(b);
  }
  return { Mx, exact };
}

/**
 * h and ctx (tensors, caller frees) of items `idx` (indices into the parts' items) encoded under
 * `available`, from the parts: only attention, W_o, the residual and the final norm run.
 */
export function encodeMaskedFromParts(model: OrchestratorModel, parts: BackboneParts, idx: readonly number[], available: readonly boolean[], batchSize = 1024): { h: tf.Tensor3D; ctx: tf.Tensor2D; host: HostEncoding } {
  if (parts.model !== model) throw new Error('encodeMaskedFromParts: the parts were computed with another model');
  const { T, d } = parts;
  const N = T - 1;
  if (available.length !== N) throw new Error(`encode: 'available' has ${available.length} entries, expected ${N}`);
  const keyMask = available.some((a) => !a) ? [0, ...available.map((a) => (a ? 0 : MASKED_LOGIT))] : undefined;
  const row = T * d;
  const hAll = new Float32Array(idx.length * N * d);
  const ctxAll = new Float32Array(idx.length * d);
  for (let start = 0; start < idx.length; start += batchSize) {
    const chunk = idx.slice(start, start + batchSize);
    const B = chunk.length;
    // maskedMix checks every item of the chunk before anything below reads the parts at it
    const { Mx, exact } = maskedMix(parts, chunk, available, model.config.heads);
    if (exact.length) {
      // items whose attention leaned on the masked experts (weight > 1/2): attention rerun under the key mask
      const sub = exact.map((b) => chunk[b]);
      const rowsOf = (src: Float32Array) => {
        const out = new Float32Array(sub.length * row);
        sub.forEach((i, r) => out.set(src.subarray(i * row, (i + 1) * row), r * row));
        return out;
      };
      const att = new Float64Array(sub.length * model.config.heads * T * T);
      const mx = new Float32Array(sub.length * row);
      attention(rowsOf(parts.Q), rowsOf(parts.K), rowsOf(parts.V), sub.length, T, d, model.config.heads, keyMask, att, mx);
      exact.forEach((b, r) => Mx.set(mx.subarray(r * row, (r + 1) * row), b * row));
    }
    // the residual read from the parts' own T0 rows, h and ctx written in place
    afterAttention(model, B, T, d, parts.T0, Mx, { t0Rows: chunk, h: hAll, ctx: ctxAll, at: start });
  }
  return { h: tf.tensor3d(hAll, [idx.length, N, d]), ctx: tf.tensor2d(ctxAll, [idx.length, d]), host: { h: hAll, ctx: ctxAll } };
}
