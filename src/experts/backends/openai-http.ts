/**
 * One attempt at `POST {base}/v1/chat/completions`, streamed (SSE) or not, with a per-attempt
 * timeout and caller cancellation. Failures come back as `OpenAiRequestError`, which says whether
 * a retry could help and what the server's Retry-After asked for. The retry loop lives in openai.ts.
 */
import { z } from 'zod';
import { SseParser } from './openai-sse';
import type { TokenCandidates } from './openai-entropy';
import { isRetryableStatus, parseRetryAfter } from './openai-retry';

/** One generated token's log-probability and its top alternatives, as the server reports them. */
export type TokenLogprob = TokenCandidates;

/** What one successful attempt yields. */
export interface ChatResult {
  text: string;
  logprobs?: TokenLogprob[];
  usage?: { promptTokens: number; completionTokens: number };
  finishReason?: string;
  /** number of streamed content deltas (a fallback token count when the server reports no usage) */
  deltas: number;
}

/** A failed attempt. `retryable` is true for 429/5xx, network failures and timeouts. */
export class OpenAiRequestError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'OpenAiRequestError';
  }
}

/** `{base}/v1/chat/completions`, whether or not the base already ends in /v1. */
export function chatCompletionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
}

const logprobContent = z
  .array(
    z.object({
      token: z.string(),
      logprob: z.number(),
      top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional().nullable(),
    }),
  )
  .nullable()
  .optional();
const usageSchema = z
  .object({ prompt_tokens: z.number(), completion_tokens: z.number() })
  .nullable()
  .optional();

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
        logprobs: z.object({ content: logprobContent }).nullable().optional(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullable().optional() }).optional(),
        finish_reason: z.string().nullable().optional(),
        logprobs: z.object({ content: logprobContent }).nullable().optional(),
      }),
    )
    .optional(),
  usage: usageSchema,
});

function toLogprobs(content: z.infer<typeof logprobContent>): TokenLogprob[] {
  return (content ?? []).map((c) => ({
    token: c.token,
    logprob: c.logprob,
    top: (c.top_logprobs ?? []).map((t) => ({ token: t.token, logprob: t.logprob })),
  }));
}

function toUsage(u: z.infer<typeof usageSchema>): ChatResult['usage'] {
  return u ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens } : undefined;
}

function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

function describeZod(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export interface AttemptOptions {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  stream: boolean;
  timeoutMs: number;
  /** the caller's cancellation; its abort is final (never retried) */
  signal?: AbortSignal;
}

/** Sends one request and parses the answer; throws OpenAiRequestError (or the caller's abort reason). */
export async function chatCompletionAttempt(o: AttemptOptions): Promise<ChatResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  const onCallerAbort = () => controller.abort();
  if (o.signal?.aborted) controller.abort();
  o.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    let res: Response;
    try {
      res = await fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: o.stream ? 'text/event-stream' : 'application/json', ...o.headers },
        body: JSON.stringify(o.body),
        signal: controller.signal,
      });
    } catch (err) {
      throw classifyThrown(err, o, timedOut);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new OpenAiRequestError(
        `POST ${o.url} failed with HTTP ${res.status} ${res.statusText}: ${excerpt(text) || '(empty body)'}`,
        o.url,
        isRetryableStatus(res.status),
        res.status,
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    try {
      return o.stream ? await readStream(res, o.url) : await readJson(res, o.url);
    } catch (err) {
      if (err instanceof OpenAiRequestError) throw err;
      throw classifyThrown(err, o, timedOut);
    }
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** Maps a thrown fetch/stream error to a timeout, the caller's abort, or a network failure. */
function classifyThrown(err: unknown, o: AttemptOptions, timedOut: boolean): Error {
  if (o.signal?.aborted) {
    return o.signal.reason instanceof Error ? o.signal.reason : new DOMException('request aborted', 'AbortError');
  }
  if (timedOut) return new OpenAiRequestError(`POST ${o.url} timed out after ${o.timeoutMs} ms`, o.url, true);
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message ?? e.message;
  return new OpenAiRequestError(`cannot reach ${o.url}: ${cause}`, o.url, true);
}

async function readJson(res: Response, url: string): Promise<ChatResult> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OpenAiRequestError(`POST ${url}: response body is not valid JSON: ${excerpt(text) || '(empty body)'}`, url, false, res.status);
  }
  const parsed = completionSchema.safeParse(json);
  if (!parsed.success) {
    throw new OpenAiRequestError(
      `POST ${url}: response is not a chat completion (${describeZod(parsed.error)}): ${excerpt(text)}`,
      url,
      false,
      res.status,
    );
  }
  const choice = parsed.data.choices[0];
  return {
    text: choice.message.content ?? '',
    logprobs: choice.logprobs?.content ? toLogprobs(choice.logprobs.content) : undefined,
    usage: toUsage(parsed.data.usage),
    finishReason: choice.finish_reason ?? undefined,
    deltas: 0,
  };
}

async function readStream(res: Response, url: string): Promise<ChatResult> {
  if (!res.body) throw new OpenAiRequestError(`POST ${url}: streaming response has no body`, url, true, res.status);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const result: ChatResult = { text: '', deltas: 0 };
  const logprobs: TokenLogprob[] = [];
  let sawLogprobs = false;
  let done = false;
  const handle = (data: string) => {
    if (data.trim() === '[DONE]') {
      done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new OpenAiRequestError(`POST ${url}: stream event is not valid JSON: ${excerpt(data)}`, url, false, res.status);
    }
    const parsed = chunkSchema.safeParse(json);
    if (!parsed.success) {
      throw new OpenAiRequestError(`POST ${url}: stream event is not a completion chunk (${describeZod(parsed.error)})`, url, false);
    }
    const choice = parsed.data.choices?.[0];
    if (choice?.delta?.content) {
      result.text += choice.delta.content;
      result.deltas++;
    }
    if (choice?.logprobs?.content) {
      sawLogprobs = true;
      logprobs.push(...toLogprobs(choice.logprobs.content));
    }
    if (choice?.finish_reason) result.finishReason = choice.finish_reason;
    if (parsed.data.usage) result.usage = toUsage(parsed.data.usage);
  };
  const reader = res.body.getReader();
  try {
    while (!done) {
      const { value, done: eof } = await reader.read();
      if (eof) break;
      for (const data of parser.push(decoder.decode(value, { stream: true }))) {
        handle(data);
        if (done) break;
      }
    }
    if (!done) for (const data of parser.end()) handle(data);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // Without [DONE] or a finish reason the connection dropped mid-answer: a retry may succeed.
  if (!done && !result.finishReason) {
    throw new OpenAiRequestError(`POST ${url}: stream ended before the answer was complete`, url, true, res.status);
  }
  if (sawLogprobs) result.logprobs = logprobs;
  return result;
}
