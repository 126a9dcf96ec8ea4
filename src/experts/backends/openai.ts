/**
 * The `openai` expert backend: any OpenAI-compatible chat-completions server (vLLM, Ollama,
 * llama.cpp server, LM Studio, OpenAI itself).
 *
 * - One or more `endpoints` serve the same model; each request goes to the least busy one, and
 *   each endpoint runs at most `concurrency` requests at a time.
 * - Every attempt has a `timeoutMs` deadline; 429, 5xx, network failures and timeouts are retried
 *   up to `maxRetries` times with exponential backoff and jitter, or after the server's
 *   Retry-After. Other errors fail at once with the status and an excerpt of the body.
 * - `opts.signal` cancels a request in flight, in a queue, or between retries.
 * - With `logprobs: true` the server is asked for `top_logprobs` and each token's entropy is
 *   estimated from them (a truncated entropy, see `truncatedEntropy`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { baseExpertSpec, decodingParamsOf, effectiveParams } from '../spec';
import type { DecodingParams, Expert, Generation, GenerateOptions } from '../types';
import { chatCompletionAttempt, chatCompletionsUrl, OpenAiRequestError, type ChatResult } from './openai-http';
import { EndpointPool } from './openai-pool';
import { retryDelayMs, sleep } from './openai-retry';
import { truncatedEntropy } from './openai-entropy';

export const openAiSpec = baseExpertSpec.extend({
  backend: z.literal('openai'),
  /** base URLs of servers that all serve this model, e.g. "http://gpu1:8000" or "http://gpu1:8000/v1" */
  endpoints: z.array(z.string().url()).min(1),
  /** the model id the server knows (e.g. "qwen3:8b"); default: the `model` field */
  apiModel: z.string().min(1).optional(),
  /** bearer token, written into the config (prefer apiKeyEnv) */
  apiKey: z.string().min(1).optional(),
  /** name of an environment variable holding the bearer token */
  apiKeyEnv: z.string().min(1).optional(),
  /** requests in flight per endpoint */
  concurrency: z.number().int().positive().default(4),
  /** deadline per attempt, in ms */
  timeoutMs: z.number().int().positive().default(120_000),
  /** retries after the first attempt */
  maxRetries: z.number().int().nonnegative().default(4),
  /** first backoff ceiling in ms (doubles per retry) */
  retryBaseMs: z.number().int().nonnegative().default(500),
  /** cap on any single wait between attempts, Retry-After included */
  retryMaxMs: z.number().int().nonnegative().default(30_000),
  /** how long an endpoint that failed is skipped while another is healthy, in ms */
  endpointCooldownMs: z.number().int().nonnegative().default(5_000),
  /** use SSE streaming */
  stream: z.boolean().default(false),
  /** ask for token log-probabilities to estimate per-token entropies */
  logprobs: z.boolean().optional(),
  /** how many alternatives per token (OpenAI allows up to 20) */
  topLogprobs: z.number().int().min(1).max(20).default(20),
  /** optional system message before the prompt */
  systemPrompt: z.string().optional(),
  /** send the seed to the server (vLLM, OpenAI, llama.cpp server honour it) */
  sendSeed: z.boolean().default(true),
});
export type OpenAiSpec = z.infer<typeof openAiSpec>;
export type OpenAiSpecInput = z.input<typeof openAiSpec>;

/**
 * Creates an openai expert. Validates the spec and resolves the API key now, so a missing
 * environment variable fails when the consortium is loaded.
 */
export function createOpenAiExpert(spec: OpenAiSpec, _ctx?: { configDir: string }): Expert {
  const parsed = openAiSpec.parse(spec);
  return new OpenAiExpert(parsed, resolveApiKey(parsed));
}

function resolveApiKey(spec: OpenAiSpec): string | undefined {
  if (spec.apiKey) return spec.apiKey;
  if (!spec.apiKeyEnv) return undefined;
  const value = process.env[spec.apiKeyEnv];
  if (!value) {
    throw new Error(`expert "${spec.id}": field "apiKeyEnv" names environment variable ${spec.apiKeyEnv}, which is not set`);
  }
  return value;
}

class OpenAiExpert implements Expert {
  readonly id: string;
  readonly backend = 'openai' as const;
  readonly model: string;
  readonly params: DecodingParams;
  readonly variant?: string;
  private readonly pool: EndpointPool;
  private readonly urls: Map<string, string>;

  constructor(private readonly spec: OpenAiSpec, private readonly apiKey: string | undefined) {
    this.id = spec.id;
    this.model = spec.model;
    this.params = decodingParamsOf(spec);
    // the system prompt is sent with every request, so it is part of the transcript key
    if (spec.systemPrompt) this.variant = `system-prompt:${createHash('sha256').update(spec.systemPrompt).digest('hex').slice(0, 16)}`;
    this.pool = new EndpointPool(spec.endpoints, spec.concurrency);
    this.urls = new Map(spec.endpoints.map((e) => [e, chatCompletionsUrl(e)]));
  }

  /** Sends `prompt` as the user message; options override the expert's decoding parameters. */
  async generate(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
    const params = effectiveParams(this, opts);
    const result = await this.withRetries(this.requestBody(prompt, params), opts.signal);
    const entropies = result.logprobs?.map(truncatedEntropy);
    return {
      text: result.text,
      tokenEntropies: this.spec.logprobs ? entropies : undefined,
      usage: result.usage ?? {
        promptTokens: 0,
        completionTokens: result.logprobs?.length ?? result.deltas,
      },
    };
  }

  private requestBody(prompt: string, p: DecodingParams): Record<string, unknown> {
    const messages = [
      ...(this.spec.systemPrompt ? [{ role: 'system', content: this.spec.systemPrompt }] : []),
      { role: 'user', content: prompt },
    ];
    const body: Record<string, unknown> = {
      model: this.spec.apiModel ?? this.spec.model,
      messages,
      temperature: p.temperature,
      top_p: p.topP,
      max_tokens: p.maxTokens,
      stream: this.spec.stream,
    };
    if (this.spec.sendSeed && p.seed !== undefined) body.seed = p.seed;
    if (this.spec.stream) body.stream_options = { include_usage: true };
    if (this.spec.logprobs) {
      body.logprobs = true;
      body.top_logprobs = this.spec.topLogprobs;
    }
    return body;
  }

  private async withRetries(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<ChatResult> {
    const headers: Record<string, string> = this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
    const policy = { baseMs: this.spec.retryBaseMs, maxMs: this.spec.retryMaxMs };
    const failures: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const { endpoint, release } = await this.pool.acquire(signal);
      const url = this.urls.get(endpoint) as string;
      try {
        const result = await chatCompletionAttempt({ url, headers, body, stream: this.spec.stream, timeoutMs: this.spec.timeoutMs, signal });
        this.pool.unbench(endpoint);
        return result;
      } catch (err) {
        if (!(err instanceof OpenAiRequestError)) throw err; // the caller's abort
        failures.push(err.message);
        if (!err.retryable || attempt >= this.spec.maxRetries) {
          const history = failures.length > 1 ? ` (after ${failures.length} attempts; earlier: ${failures.slice(0, -1).join(' | ')})` : '';
          throw new Error(`expert "${this.id}": ${err.message}${history}`);
        }
        // Send the retry elsewhere if another endpoint is healthy.
        this.pool.bench(endpoint, this.spec.endpointCooldownMs);
        release();
        await sleep(retryDelayMs(attempt, policy, err.retryAfterMs, Math.random()), signal);
        continue;
      } finally {
        release();
      }
    }
  }
}
