/**
 * `llama-cpp` encoder: text -> vector with a GGUF model's embedding output, through
 * node-llama-cpp's embedding context (loaded lazily on the first `encode`).
 *
 * The vector is whatever llama.cpp returns for the model's pooling type (embedding models such as
 * nomic-embed or bge declare one in their GGUF; for plain generative models it is the hidden state
 * llama.cpp pools for the sequence). Its width is read from the GGUF header up front, so `dim` is
 * known before any weights load. Texts longer than the context are cut to their first tokens.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import type { Encoder } from './types';
import { getLlamaFor, defaultThreads, type LlamaGpu } from '../experts/backends/llama-cpp-runtime';
import { ggufEmbeddingLength, readGgufHeader } from '../experts/backends/llama-cpp-gguf';

export interface LlamaCppEncoderOptions {
  /** GGUF file (absolute, or relative to the working directory) */
  modelPath: string;
  gpu?: LlamaGpu;
  /** tokens per text, including BOS/EOS; longer texts are truncated (default 512) */
  contextSize?: number;
  /** L2-normalise each vector (default true) */
  normalize?: boolean;
  /** CPU threads (default: all cores but one) */
  threads?: number;
}

/** Creates a llama-cpp encoder. Throws at once if the file is missing or not GGUF. */
export function llamaCppEncoder(opts: LlamaCppEncoderOptions): Encoder {
  const modelPath = path.resolve(opts.modelPath);
  if (!fs.existsSync(modelPath)) {
    throw new Error(`llamaCppEncoder: "modelPath" names ${JSON.stringify(opts.modelPath)}, but no file exists at ${modelPath}`);
  }
  const dim = ggufEmbeddingLength(readGgufHeader(modelPath), modelPath);
  const contextSize = opts.contextSize ?? 512;
  const normalize = opts.normalize ?? true;
  let loaded: Promise<{ model: NodeLlamaCpp.LlamaModel; ctx: NodeLlamaCpp.LlamaEmbeddingContext }> | undefined;

  const load = async () => {
    const llama = await getLlamaFor(opts.gpu ?? 'auto');
    const model = await llama.loadModel({ modelPath });
    const ctx = await model.createEmbeddingContext({ contextSize, threads: opts.threads ?? defaultThreads() });
    return { model, ctx };
  };

  return {
    // every setting that changes the vectors is in the name (the encoding cache's key)
    name: `llama-cpp:${path.basename(modelPath)}${normalize ? '' : ':raw'}${contextSize !== 512 ? `:ctx${contextSize}` : ''}`,
    dim,
    async encode(texts: string[]): Promise<Float32Array[]> {
      loaded ??= load();
      let model: NodeLlamaCpp.LlamaModel;
      let ctx: NodeLlamaCpp.LlamaEmbeddingContext;
      try {
        ({ model, ctx } = await loaded);
      } catch (err) {
        loaded = undefined;
        throw new Error(`llamaCppEncoder: could not load ${modelPath}: ${(err as Error).message}`);
      }
      const out: Float32Array[] = [];
      // llama.cpp embeds one sequence per context here; texts are evaluated one after another.
      for (const text of texts) {
        // Leave room for the BOS/EOS tokens node-llama-cpp adds.
        const tokens = model.tokenize(text).slice(0, contextSize - 2);
        const seed = tokens.length > 0 ? tokens : model.tokens.bos != null ? [model.tokens.bos] : [];
        const vector = seed.length > 0 ? (await ctx.getEmbeddingFor(seed)).vector : [];
        if (vector.length !== 0 && vector.length !== dim) {
          throw new Error(`llamaCppEncoder: ${modelPath} returned a ${vector.length}-d vector, header says ${dim}`);
        }
        // A model without BOS gives nothing for an empty text: encode it as the zero vector.
        const v = vector.length === dim ? Float32Array.from(vector) : new Float32Array(dim);
        out.push(normalize ? l2Normalize(v) : v);
      }
      return out;
    },
    async dispose(): Promise<void> {
      const l = loaded;
      loaded = undefined;
      if (!l) return;
      const { model, ctx } = await l;
      await ctx.dispose();
      await model.dispose();
    },
  };
}

/** Scales `v` in place to unit L2 norm (a zero vector stays zero). */
function l2Normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
