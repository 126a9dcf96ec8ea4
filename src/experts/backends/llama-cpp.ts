/**
 * The `llama-cpp` expert backend: a GGUF model run in-process by node-llama-cpp on CPU, CUDA or
 * Vulkan, with temperature / top-p / seed / max tokens and the per-token predictive entropy that
 * the cascade analysis (Appendix I) uses as an expert's confidence signal.
 *
 * How a generation works:
 * 1. The prompt is rendered with the model's own chat template when the GGUF carries one
 *    (`tokenizer.chat_template`; node-llama-cpp picks the matching chat wrapper), otherwise it is
 *    fed as plain completion text after the BOS token. `chatTemplate: 'none'` forces plain text.
 * 2. Token by token, we ask llama.cpp for the raw logits over the whole vocabulary, record the
 *    entropy of softmax(logits) (the model's own predictive distribution, independent of the
 *    decoding temperature), and sample the next token ourselves (see llama-cpp-sampling.ts).
 * 3. We stop at an end-of-generation token, at a chat-template stop sequence, at `maxTokens`, or
 *    when the context window is full.
 * With `entropy: 'off'`, step 2 is replaced by llama.cpp's own sampler (much faster on large
 * vocabularies, no entropies).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import { baseExpertSpec, decodingParamsOf, effectiveParams } from '../spec';
import type { DecodingParams, Expert, Generation, GenerateOptions } from '../types';
import { acquireSharedModel, releaseSharedModel, type SharedModel, type SharedModelKey } from './llama-cpp-runtime';
import { entropyFromLogits, sampleIndex, seededUniform } from './llama-cpp-sampling';

export const llamaCppSpec = baseExpertSpec.extend({
  backend: z.literal('llama-cpp'),
  /** GGUF file; a relative path is resolved against the directory of the consortium config. */
  modelPath: z.string().min(1),
  gpu: z.union([z.literal('auto'), z.literal('cuda'), z.literal('vulkan'), z.literal(false)]).default('auto'),
  /** context window in tokens; default: the model's training context, at most 8192 */
  contextSize: z.number().int().positive().optional(),
  /** layers to offload to the GPU; default: node-llama-cpp decides from free VRAM */
  gpuLayers: z.union([z.number().int().nonnegative(), z.literal('auto'), z.literal('max')]).optional(),
  /** CPU threads for evaluation; default: all cores but one */
  threads: z.number().int().positive().optional(),
  /**
   * 'full' (default): exact entropy of the whole next-token distribution at every step; the logits
   * of the entire vocabulary are copied out of llama.cpp each step, which costs time on large
   * vocabularies (see docs/backends.md). 'off': no entropies, and llama.cpp samples natively (fast
   * path); the same seed then gives a different, but again reproducible, sample than with 'full'.
   */
  entropy: z.enum(['full', 'off']).default('full'),
  /** 'auto': use the GGUF's chat template when it has one; 'none': always plain completion */
  chatTemplate: z.enum(['auto', 'none']).default('auto'),
});
export type LlamaCppSpec = z.infer<typeof llamaCppSpec>;
/** What a config file may contain (defaults not yet applied). */
export type LlamaCppSpecInput = z.input<typeof llamaCppSpec>;

/** Where relative paths in a config are resolved from. */
export interface BackendContext {
  configDir: string;
}

/**
 * Resolves `spec.modelPath` against `ctx.configDir` and checks that the file exists, so a typo in
 * a consortium config fails at load time, not at the first generation.
 */
export function resolveModelPath(spec: Pick<LlamaCppSpec, 'id' | 'modelPath'>, ctx: BackendContext): string {
  const resolved = path.resolve(ctx.configDir, spec.modelPath);
  if (!fs.existsSync(resolved)) {
    throw new Error(
      `expert "${spec.id}": field "modelPath" names ${JSON.stringify(spec.modelPath)}, ` +
        `but no file exists at ${resolved} (relative paths are resolved against ${ctx.configDir})`,
    );
  }
  if (!fs.statSync(resolved).isFile()) {
    throw new Error(`expert "${spec.id}": field "modelPath" must name a GGUF file, but ${resolved} is a directory`);
  }
  const magic = Buffer.alloc(4);
  const fd = fs.openSync(resolved, 'r');
  try {
    fs.readSync(fd, magic, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (magic.toString('latin1') !== 'GGUF') {
    throw new Error(`expert "${spec.id}": field "modelPath" names ${resolved}, which is not a GGUF file (no "GGUF" magic)`);
  }
  return resolved;
}

/**
 * Creates a llama-cpp expert. Throws right away if the model file is missing; the model itself is
 * loaded on the first `generate` and shared with other experts that name the same file.
 */
export function createLlamaCppExpert(spec: LlamaCppSpec, ctx: BackendContext): Expert {
  const parsed = llamaCppSpec.parse(spec);
  const modelPath = resolveModelPath(parsed, ctx);
  return new LlamaCppExpert(parsed, modelPath);
}

class LlamaCppExpert implements Expert {
  readonly id: string;
  readonly backend = 'llama-cpp' as const;
  readonly model: string;
  readonly params: DecodingParams;
  readonly variant?: string;
  private readonly key: SharedModelKey;
  private shared: Promise<SharedModel> | undefined;

  constructor(private readonly spec: LlamaCppSpec, modelPath: string) {
    this.id = spec.id;
    this.model = spec.model;
    this.params = decodingParamsOf(spec);
    // settings that change the text for the same prompt and seed are part of the transcript key
    const variant = [spec.chatTemplate === 'none' ? 'chat-template:none' : '', spec.entropy === 'off' ? 'sampler:llama.cpp' : ''].filter(Boolean).join(';');
    if (variant) this.variant = variant;
    this.key = { modelPath, gpu: spec.gpu, contextSize: spec.contextSize, gpuLayers: spec.gpuLayers, threads: spec.threads };
  }

  /** Generates a completion for `prompt`; options override the expert's decoding parameters. */
  async generate(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
    throwIfAborted(opts.signal);
    const params = effectiveParams(this, opts);
    this.shared ??= acquireSharedModel(this.key);
    let shared: SharedModel;
    try {
      shared = await this.shared;
    } catch (err) {
      this.shared = undefined;
      await releaseSharedModel(this.key);
      throw new Error(`expert "${this.id}": could not load ${this.key.modelPath}: ${(err as Error).message}`);
    }
    return shared.withSequence((seq) => this.run(shared, seq, prompt, params, opts.signal));
  }

  private async run(
    shared: SharedModel,
    seq: NodeLlamaCpp.LlamaContextSequence,
    prompt: string,
    params: DecodingParams,
    signal: AbortSignal | undefined,
  ): Promise<Generation> {
    const { model } = shared;
    const { tokens: promptTokens, stops } = renderPrompt(shared, prompt, this.spec.chatTemplate);
    const room = seq.contextSize - promptTokens.length;
    if (room <= 0) {
      throw new Error(
        `expert "${this.id}": the prompt is ${promptTokens.length} tokens but the context holds ${seq.contextSize}; ` +
          `raise "contextSize" in the expert config`,
      );
    }
    const limit = Math.min(params.maxTokens, room);

    await seq.clearHistory();
    const { generated, entropies } =
      this.spec.entropy === 'off'
        ? await nativeSampling(seq, model, promptTokens, stops, limit, params, signal)
        : await sampleWithEntropies(seq, model, promptTokens, stops, limit, params, signal, this.id);
    return {
      text: model.detokenize(generated as NodeLlamaCpp.Token[]),
      tokens: generated,
      tokenEntropies: this.spec.entropy === 'off' ? undefined : entropies,
      usage: { promptTokens: promptTokens.length, completionTokens: generated.length },
    };
  }

  /** Releases this expert's hold on the shared model; the last holder unloads it. */
  async dispose(): Promise<void> {
    if (!this.shared) return;
    this.shared = undefined;
    await releaseSharedModel(this.key);
  }
}

type Tok = NodeLlamaCpp.Token;

/**
 * The default decoding loop: per step, the raw logits of the whole vocabulary, their entropy, and
 * our own seeded temperature/top-p draw.
 */
async function sampleWithEntropies(
  seq: NodeLlamaCpp.LlamaContextSequence,
  model: NodeLlamaCpp.LlamaModel,
  promptTokens: Tok[],
  stops: Tok[][],
  limit: number,
  params: DecodingParams,
  signal: AbortSignal | undefined,
  expertId: string,
): Promise<{ generated: number[]; entropies: number[] }> {
  const rand = seededUniform(params.seed ?? 0);
  const sampling = { temperature: params.temperature, topP: params.topP };
  const generated: number[] = [];
  const entropies: number[] = [];
  let input: NodeLlamaCpp.ControlledEvaluateInputItem[] = promptTokens.map((t, i) =>
    i === promptTokens.length - 1 ? [t, { generateNext: { logits: true } }] : t,
  );
  while (generated.length < limit) {
    throwIfAborted(signal);
    const out = await seq.controlledEvaluate(input);
    const logitMap = out[input.length - 1]?.next.logits;
    if (!logitMap) throw new Error(`expert "${expertId}": llama.cpp returned no logits`);
    const ids = new Int32Array(logitMap.size);
    const logits = new Float64Array(logitMap.size);
    let k = 0;
    for (const [id, l] of logitMap) {
      ids[k] = id;
      logits[k++] = l;
    }
    const next = ids[sampleIndex(logits, sampling, rand())] as Tok;
    if (model.isEogToken(next)) break;
    entropies.push(entropyFromLogits(logits));
    generated.push(next);
    if (trimStop(generated, stops, entropies)) break;
    input = [[next, { generateNext: { logits: true } }]];
  }
  return { generated, entropies };
}

/** The fast loop for `entropy: 'off'`: llama.cpp samples (one seeded sampler for the whole answer). */
async function nativeSampling(
  seq: NodeLlamaCpp.LlamaContextSequence,
  model: NodeLlamaCpp.LlamaModel,
  promptTokens: Tok[],
  stops: Tok[][],
  limit: number,
  params: DecodingParams,
  signal: AbortSignal | undefined,
): Promise<{ generated: number[]; entropies: number[] }> {
  const generated: number[] = [];
  // topK 0 and minP 0 switch off node-llama-cpp's defaults (40, 0) so only temperature and top-p apply.
  const options = { temperature: params.temperature, topP: params.topP, topK: 0, minP: 0, seed: params.seed ?? 0 };
  if (limit <= 0) return { generated, entropies: [] };
  for await (const token of seq.evaluate(promptTokens, options)) {
    throwIfAborted(signal);
    if (model.isEogToken(token)) break;
    generated.push(token);
    if (trimStop(generated, stops) || generated.length >= limit) break;
  }
  return { generated, entropies: [] };
}

/** If `generated` ends with a stop sequence, removes it (and its entropies) and returns true. */
function trimStop(generated: number[], stops: Tok[][], entropies?: number[]): boolean {
  const stop = stops.find((s) => endsWith(generated, s));
  if (!stop) return false;
  generated.splice(generated.length - stop.length);
  entropies?.splice(entropies.length - stop.length);
  return true;
}

/** Tokenises the prompt with the model's chat template when it has one, else as plain text after BOS. */
function renderPrompt(
  shared: SharedModel,
  prompt: string,
  mode: 'auto' | 'none',
): { tokens: NodeLlamaCpp.Token[]; stops: NodeLlamaCpp.Token[][] } {
  const { model } = shared;
  if (mode === 'auto') {
    const wrapper = shared.chatWrapper();
    if (wrapper) {
      const state = wrapper.generateContextState({
        chatHistory: [
          { type: 'user', text: prompt },
          { type: 'model', response: [] },
        ],
      });
      const stops = state.stopGenerationTriggers
        .map((t) => t.tokenize(model.tokenizer))
        .filter((t) => t.length > 0);
      return { tokens: state.contextText.tokenize(model.tokenizer), stops };
    }
  }
  const body = model.tokenize(prompt);
  const bos = model.tokens.bos;
  const tokens = model.tokens.shouldPrependBosToken && bos != null ? [bos, ...body] : body;
  if (tokens.length === 0) throw new Error('cannot generate from an empty prompt on a model without a BOS token');
  return { tokens, stops: [] };
}

function endsWith(seq: readonly number[], suffix: readonly number[]): boolean {
  if (suffix.length > seq.length) return false;
  for (let i = 1; i <= suffix.length; i++) if (seq[seq.length - i] !== suffix[suffix.length - i]) return false;
  return true;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new DOMException('generation aborted', 'AbortError');
  }
}
