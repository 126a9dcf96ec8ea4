/**
 * `transformers` encoder: a BERT-style model (e.g. a local copy of bert-base-uncased exported to
 * ONNX, 768-d) run by @huggingface/transformers from a local directory; nothing downloads.
 *
 * Texts are tokenised in batches (padded, truncated to `maxLength` tokens), run through the model,
 * and the token vectors of `last_hidden_state` are mean-pooled over the attention mask, then
 * optionally L2-normalised. The width is read from config.json (`hidden_size`) up front.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Transformers from '@huggingface/transformers';
import type { Encoder } from './types';
import {
  checkModelDir,
  loadTransformersModule,
  type TransformersDevice,
  type TransformersDtype,
} from '../experts/backends/transformers-runtime';

export interface TransformersEncoderOptions {
  /** local model directory: config.json, tokenizer.json, onnx/model.onnx */
  modelDir: string;
  /** only mean pooling is implemented (what the paper's encoder uses) */
  pooling?: 'mean';
  /** L2-normalise each vector (default true) */
  normalize?: boolean;
  device?: TransformersDevice;
  dtype?: TransformersDtype;
  /** texts per forward pass (default 16) */
  batchSize?: number;
  /** tokens per text, longer texts are truncated (default 512, BERT's limit) */
  maxLength?: number;
}

/**
 * Mean of the token vectors whose mask is 1, for each sequence of a [batch, seq, dim] tensor laid
 * out row-major in `hidden`. Returns one vector per sequence (a fully masked row gives zeros).
 */
export function meanPool(hidden: ArrayLike<number>, mask: ArrayLike<number | bigint>, dims: [number, number, number]): Float32Array[] {
  const [batch, seq, dim] = dims;
  if (hidden.length !== batch * seq * dim) throw new Error(`meanPool: hidden has ${hidden.length} values, dims say ${batch * seq * dim}`);
  if (mask.length !== batch * seq) throw new Error(`meanPool: mask has ${mask.length} values, dims say ${batch * seq}`);
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const sum = new Float64Array(dim);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      if (Number(mask[b * seq + s]) === 0) continue;
      count++;
      const base = (b * seq + s) * dim;
      for (let d = 0; d < dim; d++) sum[d] += hidden[base + d];
    }
    const v = new Float32Array(dim);
    if (count > 0) for (let d = 0; d < dim; d++) v[d] = sum[d] / count;
    out.push(v);
  }
  return out;
}

/** Scales `v` in place to unit L2 norm (a zero vector stays zero). */
export function l2NormalizeInPlace(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** Creates the encoder; throws at once if the directory or a required file is missing. */
export function transformersEncoder(opts: TransformersEncoderOptions): Encoder {
  if (opts.pooling !== undefined && opts.pooling !== 'mean') throw new Error(`transformersEncoder: unknown pooling ${JSON.stringify(opts.pooling)}`);
  const dtype = opts.dtype ?? 'fp32';
  const device = opts.device ?? 'cpu';
  const dir = checkModelDir(opts.modelDir, 'modelDir', 'transformersEncoder', dtype);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { hidden_size?: unknown };
  if (typeof config.hidden_size !== 'number') throw new Error(`transformersEncoder: ${path.join(dir, 'config.json')} has no numeric "hidden_size"`);
  const dim = config.hidden_size;
  const normalize = opts.normalize ?? true;
  const batchSize = opts.batchSize ?? 16;
  const maxLength = opts.maxLength ?? 512;
  let loaded: Promise<{ tokenizer: Transformers.PreTrainedTokenizer; model: Transformers.PreTrainedModel }> | undefined;

  const load = async () => {
    const T = loadTransformersModule();
    const tokenizer = await T.AutoTokenizer.from_pretrained(dir);
    const model = await T.AutoModel.from_pretrained(dir, { device, dtype });
    return { tokenizer, model };
  };

  return {
    // every setting that changes the vectors is in the name (the encoding cache's key)
    name: `transformers:${path.basename(dir)}:mean${normalize ? ':l2' : ''}${dtype !== 'fp32' ? `:${dtype}` : ''}${maxLength !== 512 ? `:max${maxLength}` : ''}`,
    dim,
    async encode(texts: string[]): Promise<Float32Array[]> {
      loaded ??= load();
      let tokenizer: Transformers.PreTrainedTokenizer;
      let model: Transformers.PreTrainedModel;
      try {
        ({ tokenizer, model } = await loaded);
      } catch (err) {
        loaded = undefined;
        throw new Error(`transformersEncoder: could not load ${dir}: ${(err as Error).message}`);
      }
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize);
        const inputs = tokenizer(batch, { padding: true, truncation: true, max_length: maxLength });
        const result = (await model(inputs)) as { last_hidden_state?: Transformers.Tensor };
        const hidden = result.last_hidden_state;
        if (!hidden) throw new Error(`transformersEncoder: ${dir} produced no last_hidden_state (is it an encoder model?)`);
        const [b, s, d] = hidden.dims;
        if (d !== dim) throw new Error(`transformersEncoder: ${dir} returned ${d}-d vectors, config.json says ${dim}`);
        const mask = (inputs as { attention_mask: Transformers.Tensor }).attention_mask.data as BigInt64Array;
        for (const v of meanPool(hidden.data as Float32Array, mask, [b, s, d])) out.push(normalize ? l2NormalizeInPlace(v) : v);
      }
      return out;
    },
    async dispose(): Promise<void> {
      const l = loaded;
      loaded = undefined;
      if (l) await (await l).model.dispose();
    },
  };
}
