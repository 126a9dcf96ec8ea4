/**
 * The openai backend against a real HTTP server on loopback (openai-test-server.ts): streaming and
 * not, logprobs, retries, Retry-After, timeouts, concurrency limits, several endpoints,
 * cancellation and error messages, all observed on the server side.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAiExpert, openAiSpec, type OpenAiSpecInput } from '../../../src/experts/backends/openai';
import { truncatedEntropy } from '../../../src/experts/backends/openai-entropy';
import { storeKeyOf } from '../../../src/experts/store/key';
import { answerFor, startTestServer, type Behaviour, type TestServer } from './openai-test-server';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(script: (i: number) => Behaviour = () => ({ kind: 'ok' })): Promise<TestServer> {
  const s = await startTestServer(script);
  servers.push(s);
  return s;
}

function expert(endpoints: string[], over: Partial<OpenAiSpecInput> = {}) {
  return createOpenAiExpert(
    openAiSpec.parse({
      id: 'E3',
      model: 'Qwen3 8B',
      backend: 'openai',
      endpoints,
      temperature: 0.7,
      retryBaseMs: 10,
      timeoutMs: 5000,
      ...over,
    }),
    { configDir: '.' },
  );
}

/** A loopback port with nothing listening (bound, then closed). */
async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const PROMPT = 'What is 2 plus 3?';
const ANSWER = answerFor(PROMPT).join('');

test('non-streamed completion: text, usage, and the request the server saw', async () => {
  const s = await server();
  const e = expert([s.url], { apiModel: 'qwen3:8b', seed: 9, maxTokens: 64 });
  const g = await e.generate(PROMPT, { temperature: 0.2 });
  assert.equal(g.text, ANSWER);
  assert.deepEqual(g.usage, { promptTokens: 8, completionTokens: answerFor(PROMPT).length });
  assert.equal(g.tokenEntropies, undefined, 'no logprobs requested');
  const body = s.requests[0].body;
  assert.equal(s.requests[0].path, '/v1/chat/completions');
  assert.equal(body.model, 'qwen3:8b');
  assert.equal(body.temperature, 0.2);
  assert.equal(body.top_p, 0.7);
  assert.equal(body.max_tokens, 64);
  assert.equal(body.seed, 9);
  assert.deepEqual(body.messages, [{ role: 'user', content: PROMPT }]);
});

test('a base URL ending in /v1 (and a trailing slash) reaches the same route', async () => {
  const s = await server();
  const g = await expert([`${s.url}/v1/`]).generate(PROMPT);
  assert.equal(g.text, ANSWER);
  assert.equal(s.requests[0].path, '/v1/chat/completions');
});

test('streamed completion (SSE split across chunks) gives the same text, usage and entropies', async () => {
  const s = await server();
  const plain = await expert([s.url], { logprobs: true, topLogprobs: 3 }).generate(PROMPT);
  const streamed = await expert([s.url], { stream: true, logprobs: true, topLogprobs: 3 }).generate(PROMPT);
  assert.equal(streamed.text, ANSWER);
  assert.deepEqual(streamed.usage, plain.usage);
  assert.deepEqual(streamed.tokenEntropies, plain.tokenEntropies);
  assert.equal(s.requests[1].body.stream, true);
  assert.deepEqual(s.requests[1].body.stream_options, { include_usage: true });
});

test('logprobs: one truncated entropy per token, computed from the top_logprobs sent', async () => {
  const s = await server();
  const g = await expert([s.url], { logprobs: true, topLogprobs: 4 }).generate(PROMPT);
  assert.equal(s.requests[0].body.logprobs, true);
  assert.equal(s.requests[0].body.top_logprobs, 4);
  const n = answerFor(PROMPT).length;
  assert.equal(g.tokenEntropies?.length, n);
  for (const h of g.tokenEntropies ?? []) assert.ok(Number.isFinite(h) && h >= 0);
  // Token 0 has logprob -0.1 and alternatives at -3.1, -4.1, -5.1 (see the server).
  const lps = [-0.1, -3.1, -4.1, -5.1];
  const ps = lps.map(Math.exp);
  const rest = 1 - ps.reduce((a, b) => a + b, 0);
  const expected = -ps.reduce((h, p, i) => h + p * lps[i], 0) - rest * Math.log(rest);
  assert.ok(Math.abs((g.tokenEntropies ?? [])[0] - expected) < 1e-12);
});

test('truncated entropy: exact when the top tokens hold all the mass, lower bound otherwise', () => {
  const half = Math.log(0.5);
  assert.ok(Math.abs(truncatedEntropy({ token: 'a', logprob: half, top: [{ token: 'a', logprob: half }, { token: 'b', logprob: half }] }) - Math.log(2)) < 1e-12);
  // Only the chosen token known (p = 0.25): H_k = -0.25 ln 0.25 - 0.75 ln 0.75 <= ln 4 (uniform over 4).
  const hk = truncatedEntropy({ token: 'a', logprob: Math.log(0.25), top: [] });
  assert.ok(hk > 0 && hk < Math.log(4));
});

test('429/5xx are retried until success; the server sees every attempt', async () => {
  const s = await server((i) => (i < 2 ? { kind: 'status', status: i === 0 ? 503 : 502 } : { kind: 'ok' }));
  const g = await expert([s.url], { maxRetries: 3 }).generate(PROMPT);
  assert.equal(g.text, ANSWER);
  assert.equal(s.requests.length, 3);
});

test('retries give up after maxRetries with the status and a body excerpt', async () => {
  const s = await server(() => ({ kind: 'status', status: 500, body: '{"error":{"message":"CUDA out of memory"}}' }));
  await assert.rejects(expert([s.url], { maxRetries: 2 }).generate(PROMPT), (err: Error) => {
    assert.match(err.message, /HTTP 500/);
    assert.match(err.message, /CUDA out of memory/);
    assert.match(err.message, /after 3 attempts/);
    return true;
  });
  assert.equal(s.requests.length, 3);
});

test('Retry-After is honoured: the retry arrives no sooner than the server asked', async () => {
  const s = await server((i) => (i === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : { kind: 'ok' }));
  // retryBaseMs 0: without Retry-After the retry would be immediate.
  await expert([s.url], { retryBaseMs: 0 }).generate(PROMPT);
  assert.equal(s.requests.length, 2);
  const gap = s.requests[1].at - s.requests[0].at;
  assert.ok(gap >= 950, `retry came after ${gap} ms, server asked for 1000`);
  assert.ok(gap < 3000, `retry came after ${gap} ms`);
});

test('other 4xx fail at once, without retries', async () => {
  const s = await server(() => ({ kind: 'status', status: 400, body: '{"error":{"message":"max_tokens is too large"}}' }));
  await assert.rejects(expert([s.url], { maxRetries: 5 }).generate(PROMPT), /HTTP 400.*max_tokens is too large/);
  assert.equal(s.requests.length, 1);
});

test('a hanging server times out per attempt, is retried, then fails naming the URL', async () => {
  const s = await server(() => ({ kind: 'hang' }));
  const t0 = Date.now();
  await assert.rejects(
    expert([s.url], { timeoutMs: 200, maxRetries: 1 }).generate(PROMPT),
    (err: Error) => err.message.includes('timed out after 200 ms') && err.message.includes(`${s.url}/v1/chat/completions`),
  );
  const elapsed = Date.now() - t0;
  assert.equal(s.requests.length, 2);
  assert.ok(elapsed >= 400 && elapsed < 3000, `elapsed ${elapsed} ms`);
});

test('the concurrency limit is never exceeded, and is reached', async () => {
  const s = await server(() => ({ kind: 'ok', delayMs: 40 }));
  const e = expert([s.url], { concurrency: 3 });
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => e.generate(`question ${i}`)));
  assert.equal(results.length, 12);
  results.forEach((r, i) => assert.equal(r.text, answerFor(`question ${i}`).join('')));
  assert.equal(s.requests.length, 12);
  assert.equal(s.maxInFlight, 3);
});

test('several endpoints share the load, each within its own limit', async () => {
  const a = await server(() => ({ kind: 'ok', delayMs: 40 }));
  const b = await server(() => ({ kind: 'ok', delayMs: 40 }));
  const e = expert([a.url, b.url], { concurrency: 2 });
  await Promise.all(Array.from({ length: 12 }, (_, i) => e.generate(`q${i}`)));
  assert.equal(a.requests.length + b.requests.length, 12);
  assert.ok(a.requests.length >= 4 && b.requests.length >= 4, `split ${a.requests.length}/${b.requests.length}`);
  assert.ok(a.maxInFlight <= 2 && b.maxInFlight <= 2);
  assert.equal(a.maxInFlight + b.maxInFlight, 4);
});

test('a dead endpoint among live ones: requests fail over to the live one', async () => {
  const live = await server();
  const dead = await deadUrl();
  const e = expert([dead, live.url], { maxRetries: 2 });
  const rs = await Promise.all(Array.from({ length: 4 }, (_, i) => e.generate(`q${i}`)));
  assert.equal(rs.length, 4);
  assert.equal(live.requests.length, 4);
});

test('an unreachable endpoint is a clear error naming the URL', async () => {
  const dead = await deadUrl();
  await assert.rejects(
    expert([dead], { maxRetries: 1 }).generate(PROMPT),
    (err: Error) => err.message.includes(`cannot reach ${dead}/v1/chat/completions`) && /ECONNREFUSED/.test(err.message),
  );
});

test('cancellation aborts a request in flight and one waiting for a slot', async () => {
  const s = await server(() => ({ kind: 'hang' }));
  const e = expert([s.url], { concurrency: 1, timeoutMs: 10_000 });
  const ac = new AbortController();
  const t0 = Date.now();
  const running = e.generate(PROMPT, { signal: ac.signal });
  const queued = e.generate(PROMPT, { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('cancelled by the user')), 100);
  await assert.rejects(running, /cancelled by the user/);
  await assert.rejects(queued, /cancelled by the user/);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(s.requests.length, 1, 'the queued request never reached the server');
  // The server sees the client close the connection.
  for (let i = 0; i < 50 && s.clientAborts < 1; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.clientAborts, 1);
});

test('cancellation during a retry backoff stops the retries', async () => {
  const s = await server(() => ({ kind: 'status', status: 503, headers: { 'retry-after': '5' } }));
  const ac = new AbortController();
  const p = expert([s.url], { maxRetries: 3 }).generate(PROMPT, { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop')), 150);
  await assert.rejects(p, /stop/);
  assert.equal(s.requests.length, 1);
});

test('a body that is not JSON is a clear error and is not retried', async () => {
  const s = await server(() => ({ kind: 'bad-json' }));
  await assert.rejects(expert([s.url], { maxRetries: 3 }).generate(PROMPT), /response body is not valid JSON: \{"choices": \[ this is not json/);
  assert.equal(s.requests.length, 1);
});

test('a stream that drops mid-answer is retried', async () => {
  const s = await server((i) => (i === 0 ? { kind: 'drop-stream' } : { kind: 'ok' }));
  const g = await expert([s.url], { stream: true, maxRetries: 2 }).generate(PROMPT);
  assert.equal(g.text, ANSWER);
  assert.equal(s.requests.length, 2);
});

test('API keys: sent as a bearer token; a missing environment variable is a clear error', async () => {
  const s = await server();
  process.env.INFORM_TEST_KEY = 'sk-test-123';
  await expert([s.url], { apiKeyEnv: 'INFORM_TEST_KEY' }).generate(PROMPT);
  assert.equal(s.requests[0].headers.authorization, 'Bearer sk-test-123');
  delete process.env.INFORM_TEST_KEY;
  assert.throws(() => expert([s.url], { apiKeyEnv: 'INFORM_TEST_KEY' }), /"apiKeyEnv".*INFORM_TEST_KEY.*not set/);
});

test('config validation: endpoints must be URLs, at least one', () => {
  const base = { id: 'E1', model: 'm', backend: 'openai', temperature: 0.5 };
  assert.throws(() => openAiSpec.parse({ ...base, endpoints: [] }), /endpoints/);
  assert.throws(() => openAiSpec.parse({ ...base, endpoints: ['not a url'] }), /endpoints/);
  const s = openAiSpec.parse({ ...base, endpoints: ['http://localhost:8000'] });
  assert.equal(s.concurrency, 4);
  assert.equal(s.maxRetries, 4);
});

test('a system prompt is part of the transcript key (the variant); none by default', () => {
  const plain = expert(['http://127.0.0.1:9']);
  const terse = expert(['http://127.0.0.1:9'], { systemPrompt: 'Be terse.' });
  const chatty = expert(['http://127.0.0.1:9'], { systemPrompt: 'Explain at length.' });
  assert.equal(plain.variant, undefined);
  assert.match(terse.variant ?? '', /^system-prompt:[0-9a-f]{16}$/);
  const keys = new Set([plain, terse, chatty].map((e) => storeKeyOf(e, PROMPT)));
  assert.equal(keys.size, 3, 'three different requests, three keys');
});
