/** Pure parts of the openai backend: SSE parsing, retry timing, the endpoint pool and semaphore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from '../../../src/experts/backends/openai-sse';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from '../../../src/experts/backends/openai-retry';
import { EndpointPool, Semaphore } from '../../../src/experts/backends/openai-pool';
import { chatCompletionsUrl } from '../../../src/experts/backends/openai-http';

test('SSE: events split anywhere, CRLF and LF, comments, multi-line data, [DONE]', () => {
  const wire = 'data: {"a":1}\r\n\r\n: ping\n\ndata: line1\ndata: line2\n\nevent: x\ndata: [DONE]\n\n';
  for (const size of [1, 2, 3, 5, 8, wire.length]) {
    const p = new SseParser();
    const events: string[] = [];
    for (let i = 0; i < wire.length; i += size) events.push(...p.push(wire.slice(i, i + size)));
    events.push(...p.end());
    assert.deepEqual(events, ['{"a":1}', 'line1\nline2', '[DONE]'], `chunk size ${size}`);
  }
});

test('SSE: a last event without its blank line is delivered at end()', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: tail'), []);
  assert.deepEqual(p.end(), ['tail']);
});

test('retry classification and Retry-After parsing', () => {
  for (const s of [429, 500, 502, 503, 504, 408]) assert.ok(isRetryableStatus(s), String(s));
  for (const s of [400, 401, 403, 404, 422]) assert.ok(!isRetryableStatus(s), String(s));
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter('0.5'), 500);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
});

test('backoff: full jitter under a doubling ceiling, Retry-After wins, everything capped', () => {
  const policy = { baseMs: 100, maxMs: 1000 };
  assert.equal(retryDelayMs(0, policy, undefined, 0.999), 99);
  assert.equal(retryDelayMs(3, policy, undefined, 0.5), 400);
  assert.equal(retryDelayMs(10, policy, undefined, 0.999), 999);
  assert.equal(retryDelayMs(0, policy, 700, 0), 700);
  assert.equal(retryDelayMs(0, policy, 60_000, 0), 1000);
});

test('chat-completions URL with or without /v1', () => {
  assert.equal(chatCompletionsUrl('http://h:8000'), 'http://h:8000/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://h:8000/v1'), 'http://h:8000/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://h:8000/v1/'), 'http://h:8000/v1/chat/completions');
  assert.equal(chatCompletionsUrl('https://h/proxy/'), 'https://h/proxy/v1/chat/completions');
});

test('semaphore: never more than the limit, FIFO, aborted waiters leave the queue', async () => {
  const sem = new Semaphore(2);
  const r1 = await sem.acquire();
  const r2 = await sem.acquire();
  const order: number[] = [];
  const w3 = sem.acquire().then((r) => (order.push(3), r));
  const ac = new AbortController();
  const w4 = sem.acquire(ac.signal);
  const w5 = sem.acquire().then((r) => (order.push(5), r));
  assert.equal(sem.running, 2);
  assert.equal(sem.load, 5);
  ac.abort(new Error('gone'));
  await assert.rejects(w4, /gone/);
  r1();
  r1(); // a second release of the same slot is ignored
  const r3 = await w3;
  assert.equal(sem.running, 2);
  r2();
  const r5 = await w5;
  assert.deepEqual(order, [3, 5]);
  r3();
  r5();
  assert.equal(sem.running, 0);
  assert.throws(() => new Semaphore(0), /positive integer/);
});

test('endpoint pool: least loaded first, round-robin on ties, benched endpoints skipped while others are healthy', async () => {
  const pool = new EndpointPool(['a', 'b', 'c'], 2);
  const picks: string[] = [];
  const releases: (() => void)[] = [];
  for (let i = 0; i < 6; i++) {
    const { endpoint, release } = await pool.acquire();
    picks.push(endpoint);
    releases.push(release);
  }
  assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b', 'c']);
  releases.forEach((r) => r());
  pool.bench('a', 60_000);
  const next = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  assert.ok(next.every((x) => x.endpoint !== 'a'));
  next.forEach((x) => x.release());
  pool.bench('b', 60_000);
  pool.bench('c', 60_000);
  const forced = await pool.acquire();
  assert.ok(['a', 'b', 'c'].includes(forced.endpoint), 'all benched: still serves');
  forced.release();
  pool.unbench('b');
  assert.equal((await pool.acquire()).endpoint, 'b');
});
