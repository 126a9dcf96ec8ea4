/**
 * Loading and sharing of node-llama-cpp models.
 *
 * node-llama-cpp is ESM with top-level await, so it is only ever loaded through `importEsm`
 * (a `require` of it crashes CommonJS code and tslab kernels). Loading is lazy: nothing happens
 * until the first generation or embedding.
 *
 * Several experts of a consortium often name the same GGUF file with different temperatures (the
 * paper's Table 6 has ten experts over three models). They share one loaded model and one context
 * here, reference-counted; generations on a shared model run one at a time (`withSequence`).
 */
import * as os from 'node:os';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import { importEsm } from '../import-esm';

export type LlamaCppModule = typeof NodeLlamaCpp;
export type LlamaGpu = 'auto' | 'cuda' | 'vulkan' | false;

let modulePromise: Promise<LlamaCppModule> | undefined;

/** The node-llama-cpp module, imported once. */
export function loadLlamaCppModule(): Promise<LlamaCppModule> {
  modulePromise ??= importEsm<LlamaCppModule>('node-llama-cpp');
  return modulePromise;
}

const llamas = new Map<string, Promise<NodeLlamaCpp.Llama>>();

/**
 * One llama.cpp binding per GPU choice. `build: 'never'` because compiling llama.cpp at run time
 * would need a toolchain and network; the prebuilt CPU/CUDA/Vulkan binaries ship in npm packages.
 */
export function getLlamaFor(gpu: LlamaGpu): Promise<NodeLlamaCpp.Llama> {
  const key = String(gpu);
  let p = llamas.get(key);
  if (!p) {
    p = loadLlamaCppModule().then(async (m) => {
      try {
        return await m.getLlama({ gpu, build: 'never', logLevel: m.LlamaLogLevel.error });
      } catch (err) {
        throw new Error(
          `node-llama-cpp could not start with gpu=${JSON.stringify(gpu)} (prebuilt binaries only, no local build): ` +
            `${(err as Error).message}. Try gpu: "auto" or gpu: false in the expert config.`,
        );
      }
    });
    // A failed start should not poison later attempts with another setting.
    p.catch(() => llamas.delete(key));
    llamas.set(key, p);
  }
  return p;
}

/** Settings that decide whether two experts can share a loaded model. */
export interface SharedModelKey {
  /** absolute path of the GGUF file */
  modelPath: string;
  gpu: LlamaGpu;
  contextSize?: number;
  gpuLayers?: number | 'auto' | 'max';
  /** CPU threads for evaluation; default: all cores but one (see defaultThreads) */
  threads?: number;
}

/**
 * All cores but one, at least one. llama.cpp's worker threads spin while waiting; running as many
 * of them as there are cores (node-llama-cpp's default) starves Node's own thread and, on a busy
 * 2-core machine, made generation about 50x slower than with one thread (measured: 16 tokens of
 * the tiny fixture in 20 ms with 1 thread vs 626 ms with 2).
 */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** A loaded model with one context sequence, shared by every expert that names the same file. */
export interface SharedModel {
  readonly module: LlamaCppModule;
  readonly model: NodeLlamaCpp.LlamaModel;
  readonly context: NodeLlamaCpp.LlamaContext;
  readonly sequence: NodeLlamaCpp.LlamaContextSequence;
  /**
   * The chat wrapper matching the GGUF's `tokenizer.chat_template`, or null when the file has no
   * template. Resolved once: node-llama-cpp tries the template against its known formats, which
   * takes about a second.
   */
  chatWrapper(): NodeLlamaCpp.ChatWrapper | null;
  /** Runs `fn` with exclusive use of the shared sequence. */
  withSequence<T>(fn: (seq: NodeLlamaCpp.LlamaContextSequence) => Promise<T>): Promise<T>;
}

interface Entry {
  refs: number;
  loaded: Promise<SharedModel>;
}

const models = new Map<string, Entry>();

function keyOf(k: SharedModelKey): string {
  return JSON.stringify([k.modelPath, k.gpu, k.contextSize ?? null, k.gpuLayers ?? null, k.threads ?? null]);
}

async function load(k: SharedModelKey): Promise<SharedModel> {
  const m = await loadLlamaCppModule();
  const llama = await getLlamaFor(k.gpu);
  const model = await llama.loadModel({ modelPath: k.modelPath, gpuLayers: k.gpuLayers });
  // Default context: the model's training context, capped so ten loaded experts fit in memory.
  const contextSize = k.contextSize ?? Math.min(model.trainContextSize, 8192);
  const context = await model.createContext({ contextSize, sequences: 1, threads: k.threads ?? defaultThreads() });
  const sequence = context.getSequence();
  let tail: Promise<unknown> = Promise.resolve();
  let wrapper: NodeLlamaCpp.ChatWrapper | null | undefined;
  return {
    module: m,
    model,
    context,
    sequence,
    chatWrapper(): NodeLlamaCpp.ChatWrapper | null {
      if (wrapper === undefined) {
        const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === 'string';
        wrapper = hasTemplate ? m.resolveChatWrapper(model) : null;
      }
      return wrapper;
    },
    withSequence<T>(fn: (seq: NodeLlamaCpp.LlamaContextSequence) => Promise<T>): Promise<T> {
      const run = tail.then(() => fn(sequence));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

/**
 * Takes a reference to the shared model for `k`, loading it on first use. Pair every call with
 * `releaseSharedModel(k)`.
 */
export function acquireSharedModel(k: SharedModelKey): Promise<SharedModel> {
  const key = keyOf(k);
  let entry = models.get(key);
  if (!entry) {
    const loaded = load(k);
    entry = { refs: 0, loaded };
    models.set(key, entry);
    // Forget failed loads so a corrected file can be retried.
    loaded.catch(() => {
      if (models.get(key)?.loaded === loaded) models.delete(key);
    });
  }
  entry.refs++;
  return entry.loaded;
}

/** Drops one reference; the last one disposes the context and unloads the model. */
export async function releaseSharedModel(k: SharedModelKey): Promise<void> {
  const key = keyOf(k);
  const entry = models.get(key);
  if (!entry) return;
  entry.refs--;
  if (entry.refs > 0) return;
  models.delete(key);
  const shared = await entry.loaded.catch(() => undefined);
  if (!shared) return;
  await shared.context.dispose();
  await shared.model.dispose();
}

/** How many distinct models are loaded now (for tests and diagnostics). */
export function loadedModelCount(): number {
  return models.size;
}
