/**
 * The `transformers` expert backend: a causal LM exported to ONNX, run by @huggingface/transformers
 * from a local directory (config.json, tokenizer.json, onnx/model*.onnx); nothing downloads.
 *
 * Decoding mirrors the llama-cpp backend so experts are comparable across backends: we run the
 * model's forward pass step by step with its KV cache (or, for exports without one, on the whole
 * sequence), read the full next-token logits, record the entropy of softmax(logits), and sample
 * with our own seeded temperature/top-p sampler. (transformers.js's own `generate` samples with
 * Math.random, so seeds would not reproduce.) The prompt goes through the tokenizer's chat
 * template when it has one (`chatTemplate: 'auto'`), else it is tokenised as plain text.
 */
import { z } from 'zod';
import type * as Transformers from '@huggingface/transformers';
import { baseExpertSpec, decodingParamsOf, effectiveParams } from '../spec';
import type { DecodingParams, Expert, Generation, GenerateOptions } from '../types';
import { checkModelDir, loadTransformersModule, SharedLoads, type ModelKey } from './transformers-runtime';
import { entropyFromLogits, sampleIndex, seededUniform } from './llama-cpp-sampling';
import * as path from 'node:path';

export const transformersSpec = baseExpertSpec.extend({
  backend: z.literal('transformers'),
  /** local model directory; a relative path is resolved against the consortium config's directory */
  modelDir: z.string().min(1),
  device: z.enum(['cpu', 'cuda', 'webgpu']).default('cpu'),
  /** which ONNX weights to load: fp32 is onnx/model.onnx, q8 onnx/model_quantized.onnx, ... */
  dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16']).default('fp32'),
  /** 'auto': use the tokenizer's chat template when it has one; 'none': plain text */
  chatTemplate: z.enum(['auto', 'none']).default('auto'),
});
export type TransformersSpec = z.infer<typeof transformersSpec>;
export type TransformersSpecInput = z.input<typeof transformersSpec>;

/** A loaded tokenizer + causal LM pair, shared by experts naming the same directory. */
interface LoadedLm {
  tokenizer: Transformers.PreTrainedTokenizer;
  model: Transformers.PreTrainedModel;
  eos: Set<number>;
  /** one generation at a time per loaded model: the ONNX session is not re-entrant for our loop */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  dispose(): Promise<unknown>;
}

const lms = new SharedLoads<LoadedLm>(async (k: ModelKey) => {
  const T = loadTransformersModule();
  const id = k.dir; // absolute path; localModelPath is '/'
  const tokenizer = await T.AutoTokenizer.from_pretrained(id);
  const model = await T.AutoModelForCausalLM.from_pretrained(id, { device: k.device, dtype: k.dtype });
  let tail: Promise<unknown> = Promise.resolve();
  return {
    tokenizer,
    model,
    eos: eosIds(model),
    withLock<R>(fn: () => Promise<R>): Promise<R> {
      const run = tail.then(fn);
      tail = run.catch(() => undefined);
      return run;
    },
    dispose: () => model.dispose(),
  };
});

/** End-of-sequence ids from config.json and generation_config.json (each may be a number or a list). */
function eosIds(model: Transformers.PreTrainedModel): Set<number> {
  const out = new Set<number>();
  const add = (v: unknown) => {
    if (typeof v === 'number') out.add(v);
    else if (Array.isArray(v)) v.forEach(add);
  };
  add((model.config as unknown as { eos_token_id?: unknown }).eos_token_id);
  add((model.generation_config as unknown as { eos_token_id?: unknown } | null)?.eos_token_id);
  return out;
}

/**
 * Creates a transformers expert. Throws at once when the model directory or one of its required
 * files is missing; the model loads on the first `generate`.
 */
export function createTransformersExpert(spec: TransformersSpec, ctx: { configDir: string }): Expert {
  const parsed = transformersSpec.parse(spec);
  const dir = checkModelDir(path.resolve(ctx.configDir, parsed.modelDir), 'modelDir', `expert "${parsed.id}"`, parsed.dtype);
  return new TransformersExpert(parsed, { dir, device: parsed.device, dtype: parsed.dtype });
}

class TransformersExpert implements Expert {
  readonly id: string;
  readonly backend = 'transformers' as const;
  readonly model: string;
  readonly params: DecodingParams;
  readonly variant?: string;
  /** this expert's reference to the shared model, taken on first use */
  private loaded: Promise<LoadedLm> | undefined;

  constructor(private readonly spec: TransformersSpec, private readonly key: ModelKey) {
    this.id = spec.id;
    this.model = spec.model;
    this.params = decodingParamsOf(spec);
    // settings that change the text for the same prompt and seed are part of the transcript key
    const variant = [spec.chatTemplate === 'none' ? 'chat-template:none' : '', spec.dtype !== 'fp32' ? `dtype:${spec.dtype}` : ''].filter(Boolean).join(';');
    if (variant) this.variant = variant;
  }

  /** Generates a completion for `prompt`; options override the expert's decoding parameters. */
  async generate(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
    throwIfAborted(opts.signal);
    const params = effectiveParams(this, opts);
    this.loaded ??= lms.acquire(this.key);
    let lm: LoadedLm;
    try {
      lm = await this.loaded;
    } catch (err) {
      this.loaded = undefined;
      await lms.release(this.key);
      throw new Error(`expert "${this.id}": could not load ${this.key.dir} (${this.key.device}, ${this.key.dtype}): ${(err as Error).message}`);
    }
    return lm.withLock(() => this.run(lm, prompt, params, opts.signal));
  }

  private async run(lm: LoadedLm, prompt: string, params: DecodingParams, signal: AbortSignal | undefined): Promise<Generation> {
    const T = loadTransformersModule();
    const promptIds = this.promptIds(lm, prompt);
    const rand = seededUniform(params.seed ?? 0);
    const sampling = { temperature: params.temperature, topP: params.topP };
    const all = [...promptIds];
    const generated: number[] = [];
    const entropies: number[] = [];
    let past: Record<string, Transformers.Tensor> | null = null;
    let stepIds = promptIds;
    while (generated.length < params.maxTokens) {
      throwIfAborted(signal);
      const inputIds = new T.Tensor('int64', BigInt64Array.from(stepIds.map(BigInt)), [1, stepIds.length]);
      const attentionMask = new T.Tensor('int64', new BigInt64Array(all.length).fill(1n), [1, all.length]);
      const out = (await lm.model.forward({ input_ids: inputIds, attention_mask: attentionMask, past_key_values: past })) as {
        logits: Transformers.Tensor;
      } & Record<string, Transformers.Tensor>;
      const [, seqLen, vocab] = out.logits.dims;
      const data = out.logits.data as Float32Array;
      const logits = data.subarray((seqLen - 1) * vocab, seqLen * vocab);
      const next = sampleIndex(logits, sampling, rand());
      if (lm.eos.has(next)) break;
      entropies.push(entropyFromLogits(logits));
      generated.push(next);
      all.push(next);
      const cache = lm.model.getPastKeyValues(out, past) as Record<string, Transformers.Tensor>;
      // Exports with a KV cache take just the new token next; others need the whole sequence again.
      if (Object.keys(cache).length > 0) {
        past = cache;
        stepIds = [next];
      } else {
        past = null;
        stepIds = all;
      }
    }
    const text = lm.tokenizer.decode(generated, { skip_special_tokens: true });
    return {
      text,
      tokens: generated,
      tokenEntropies: entropies,
      usage: { promptTokens: promptIds.length, completionTokens: generated.length },
    };
  }

  private promptIds(lm: LoadedLm, prompt: string): number[] {
    const tok = lm.tokenizer;
    if (this.spec.chatTemplate === 'auto' && tok.chat_template) {
      const ids = tok.apply_chat_template([{ role: 'user', content: prompt }], {
        add_generation_prompt: true,
        tokenize: true,
        return_tensor: false,
      }) as number[];
      return ids.map(Number);
    }
    return (tok.encode(prompt) as number[]).map(Number);
  }

  /** Releases this expert's hold on the shared model; the last holder disposes it. */
  async dispose(): Promise<void> {
    if (!this.loaded) return;
    this.loaded = undefined;
    await lms.release(this.key);
  }
}

/** How many causal LMs are loaded now (for tests and diagnostics). */
export function loadedTransformersModelCount(): number {
  return lms.size;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new DOMException('generation aborted', 'AbortError');
  }
}
