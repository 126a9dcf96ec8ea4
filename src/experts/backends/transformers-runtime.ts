/**
 * Offline access to @huggingface/transformers (its CommonJS build): remote models are switched
 * off before anything loads, model directories are plain local paths, and loaded models are shared
 * between experts and encoders that name the same directory, device and dtype.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Transformers from '@huggingface/transformers';

export type TransformersModule = typeof Transformers;
export type TransformersDevice = 'cpu' | 'cuda' | 'webgpu';
export type TransformersDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

let mod: TransformersModule | undefined;

/**
 * The transformers.js module, configured so nothing can download: `allowRemoteModels = false`,
 * and model ids are absolute directory paths (`localModelPath = '/'`).
 */
export function loadTransformersModule(): TransformersModule {
  if (!mod) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const m: TransformersModule = require('@huggingface/transformers');
    m.env.allowRemoteModels = false;
    m.env.allowLocalModels = true;
    m.env.localModelPath = '/';
    mod = m;
  }
  return mod;
}

/**
 * Resolves a model directory and checks it has what transformers.js needs offline; the error
 * names the config field and the missing file.
 */
export function checkModelDir(dir: string, field: string, owner: string, dtype: TransformersDtype = 'fp32'): string {
  const resolved = path.resolve(dir);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isDirectory()) {
    throw new Error(`${owner}: field "${field}" names ${JSON.stringify(dir)}, but no directory exists at ${resolved}`);
  }
  const onnxFile = dtype === 'fp32' ? 'model.onnx' : `model_${dtype === 'q8' ? 'quantized' : dtype}.onnx`;
  for (const file of ['config.json', 'tokenizer.json', path.join('onnx', onnxFile)]) {
    if (!fs.existsSync(path.join(resolved, file))) {
      throw new Error(
        `${owner}: field "${field}" names ${resolved}, which has no ${file} ` +
          `(a transformers.js model directory holds config.json, tokenizer.json and onnx/${onnxFile})`,
      );
    }
  }
  return resolved;
}

export interface ModelKey {
  dir: string;
  device: TransformersDevice;
  dtype: TransformersDtype;
}

interface Entry<T> {
  refs: number;
  loaded: Promise<T>;
}

/** A reference-counted cache of loaded things keyed by model directory, device and dtype. */
export class SharedLoads<T extends { dispose(): Promise<unknown> }> {
  private readonly entries = new Map<string, Entry<T>>();
  constructor(private readonly load: (k: ModelKey) => Promise<T>) {}

  /** Takes a reference, loading on first use; pair with `release`. */
  acquire(k: ModelKey): Promise<T> {
    const key = JSON.stringify([k.dir, k.device, k.dtype]);
    let e = this.entries.get(key);
    if (!e) {
      const loaded = this.load(k);
      e = { refs: 0, loaded };
      this.entries.set(key, e);
      loaded.catch(() => {
        if (this.entries.get(key)?.loaded === loaded) this.entries.delete(key);
      });
    }
    e.refs++;
    return e.loaded;
  }

  /** Drops a reference; the last one disposes the loaded thing. */
  async release(k: ModelKey): Promise<void> {
    const key = JSON.stringify([k.dir, k.device, k.dtype]);
    const e = this.entries.get(key);
    if (!e) return;
    if (--e.refs > 0) return;
    this.entries.delete(key);
    const loaded = await e.loaded.catch(() => undefined);
    await loaded?.dispose();
  }

  get size(): number {
    return this.entries.size;
  }
}
