/**
 * A loopback HTTP server that speaks the OpenAI chat-completions protocol (JSON and SSE
 * streaming, logprobs, usage, error statuses) for testing the openai backend. Each request's
 * behaviour comes from a script, so tests can plan "503, then 429 with Retry-After, then OK" and
 * observe what the client really did: request count, arrival times, peak concurrency, bodies,
 * and connections the client closed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Behaviour =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'bad-json' }
  | { kind: 'drop-stream' };

export interface ReceivedRequest {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface TestServer {
  url: string;
  requests: ReceivedRequest[];
  /** highest number of requests being handled at once */
  maxInFlight: number;
  /** requests whose connection the client closed before the server answered */
  clientAborts: number;
  close(): Promise<void>;
}

/** The deterministic answer for a prompt: echo of its words, so tests can check the text. */
export function answerFor(prompt: string): string[] {
  return ['You', ' said:', ...prompt.split(/\s+/).filter(Boolean).map((w) => ` ${w}`)];
}

/** Fixed fake log-probabilities: token i has logprob -(i % 3) * 0.5 - 0.1 and k alternatives. */
function logprobsFor(tokens: string[], k: number) {
  return tokens.map((token, i) => {
    const lp = -((i % 3) * 0.5) - 0.1;
    const top = [{ token, logprob: lp }];
    for (let j = 1; j < k; j++) top.push({ token: `alt${j}`, logprob: lp - 2 - j });
    return { token, logprob: lp, bytes: null, top_logprobs: top };
  });
}

/** Starts the server on 127.0.0.1 with `script(requestIndex)` choosing each behaviour. */
export async function startTestServer(script: (index: number) => Behaviour): Promise<TestServer> {
  let inFlight = 0;
  const state: TestServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    clientAborts: 0,
    close: async () => undefined,
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = state.requests.length;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"request body is not JSON"}}');
        return;
      }
      state.requests.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body });
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      let finished = false;
      const finish = () => {
        if (!finished) {
          finished = true;
          inFlight--;
        }
      };
      res.on('close', () => {
        if (!res.writableFinished) state.clientAborts++;
        finish();
      });
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route ${req.url}`);
        return;
      }
      const b = script(index);
      const later = (ms: number, fn: () => void) => {
        const t = setTimeout(() => {
          timers.delete(t);
          fn();
        }, ms);
        timers.add(t);
      };
      switch (b.kind) {
        case 'status':
          res.writeHead(b.status, { 'content-type': 'application/json', ...(b.headers ?? {}) });
          res.end(b.body ?? JSON.stringify({ error: { message: `planned failure ${b.status}` } }));
          return;
        case 'hang':
          return; // never answers; the client must time out or abort
        case 'bad-json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ this is not json');
          return;
        case 'drop-stream':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'partial' } }] })}\n\n`);
          later(10, () => res.destroy());
          return;
        case 'ok':
          later(b.delayMs ?? 0, () => respond(body, res));
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

function respond(body: Record<string, unknown>, res: http.ServerResponse): void {
  const messages = body.messages as { role: string; content: string }[];
  const prompt = messages[messages.length - 1].content;
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 512;
  const tokens = answerFor(prompt).slice(0, maxTokens);
  const k = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
  const lps = body.logprobs === true ? logprobsFor(tokens, k) : null;
  const usage = { prompt_tokens: prompt.split(/\s+/).length + 3, completion_tokens: tokens.length, total_tokens: 0 };
  const finish = tokens.length < answerFor(prompt).length ? 'length' : 'stop';
  const id = 'chatcmpl-test';
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: tokens.join('') }, logprobs: lps ? { content: lps } : null, finish_reason: finish }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const events: string[] = [
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`,
    ': keep-alive comment\n\n',
  ];
  tokens.forEach((t, i) => {
    const chunk = { id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: t }, logprobs: lps ? { content: [lps[i]] } : null, finish_reason: null }] };
    events.push(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  });
  events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
  const opts = body.stream_options as { include_usage?: boolean } | undefined;
  if (opts?.include_usage) events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  // Write in awkward 7-byte pieces so events and even "\r\n" pairs straddle network chunks.
  const wire = events.join('');
  for (let i = 0; i < wire.length; i += 7) res.write(wire.slice(i, i + 7));
  res.end();
}
