import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChecksumError, downloadVerified, OfflineError } from '../../src/tasks/fetch/download';
import { fetchOfficial } from '../../src/tasks/fetch/fetch-official';
import { OFFICIAL_SOURCES, withMirror } from '../../src/tasks/fetch/official-sources';
import { tempDir } from './helpers';

const BODY = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
const SHA = crypto.createHash('sha256').update(BODY).digest('hex');

/** A local server for BODY with Range support; records each request's path and Range header. */
async function serve(): Promise<{ url: string; requests: Array<{ path: string; range?: string }>; close: () => Promise<void> }> {
  const requests: Array<{ path: string; range?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', range: req.headers.range });
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/file.txt' }).end();
      return;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const from = Number(m[1]);
      if (from >= BODY.length) {
        res.writeHead(416, { 'content-range': `bytes */${BODY.length}` }).end(); // as real servers do
        return;
      }
      res.writeHead(206, { 'content-length': BODY.length - from, 'content-range': `bytes ${from}-${BODY.length - 1}/${BODY.length}` });
      res.end(BODY.subarray(from));
    } else {
      res.writeHead(200, { 'content-length': BODY.length });
      res.end(BODY);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('downloadVerified fetches, checks SHA-256, reports progress, and skips a file already present', async () => {
  const srv = await serve();
  const { dir, cleanup } = tempDir();
  try {
    const dest = path.join(dir, 'sub', 'file.txt');
    const seen: Array<[number, number | undefined]> = [];
    assert.equal(await downloadVerified(`${srv.url}/moved`, dest, { sha256: SHA, onProgress: (n, t) => seen.push([n, t]) }), 'downloaded');
    assert.ok(fs.readFileSync(dest).equals(BODY));
    assert.ok(!fs.existsSync(`${dest}.part`));
    assert.deepEqual(seen[seen.length - 1], [BODY.length, BODY.length]);
    const before = srv.requests.length;
    assert.equal(await downloadVerified(`${srv.url}/file.txt`, dest, { sha256: SHA }), 'present');
    assert.equal(srv.requests.length, before, 'no request when the file is already right');
  } finally {
    cleanup();
    await srv.close();
  }
});

test('a checksum mismatch throws and leaves neither the file nor the partial download', async () => {
  const srv = await serve();
  const { dir, cleanup } = tempDir();
  try {
    const dest = path.join(dir, 'file.txt');
    await assert.rejects(downloadVerified(`${srv.url}/file.txt`, dest, { sha256: '0'.repeat(64) }), (e: unknown) => {
      assert.ok(e instanceof ChecksumError);
      assert.equal(e.actual, SHA);
      assert.match(e.message, /SHA-256 mismatch/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    cleanup();
    await srv.close();
  }
});

test('an interrupted download resumes with a Range request', async () => {
  const srv = await serve();
  const { dir, cleanup } = tempDir();
  try {
    const dest = path.join(dir, 'file.txt');
    fs.writeFileSync(`${dest}.part`, BODY.subarray(0, 1234));
    assert.equal(await downloadVerified(`${srv.url}/file.txt`, dest, { sha256: SHA }), 'downloaded');
    assert.equal(srv.requests[0].range, 'bytes=1234-');
    assert.ok(fs.readFileSync(dest).equals(BODY));
  } finally {
    cleanup();
    await srv.close();
  }
});

test('a complete .part (stopped before the rename) is accepted when the server answers 416; a bad one is fetched again', async () => {
  const srv = await serve();
  const { dir, cleanup } = tempDir();
  try {
    const dest = path.join(dir, 'file.txt');
    fs.writeFileSync(`${dest}.part`, BODY);
    assert.equal(await downloadVerified(`${srv.url}/file.txt`, dest, { sha256: SHA }), 'downloaded');
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.requests[0].range, `bytes=${BODY.length}-`);
    assert.ok(fs.readFileSync(dest).equals(BODY));
    assert.ok(!fs.existsSync(`${dest}.part`));

    const other = path.join(dir, 'other.txt');
    fs.writeFileSync(`${other}.part`, Buffer.concat([BODY, Buffer.from('junk')]));
    assert.equal(await downloadVerified(`${srv.url}/file.txt`, other, { sha256: SHA }), 'downloaded');
    assert.deepEqual(srv.requests.slice(1).map((r) => r.range), [`bytes=${BODY.length + 4}-`, undefined]);
    assert.ok(fs.readFileSync(other).equals(BODY));
  } finally {
    cleanup();
    await srv.close();
  }
});

test('offline: a refused or unreachable address fails fast with an OfflineError', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const port = await closedPort();
    const t0 = Date.now();
    await assert.rejects(downloadVerified(`http://127.0.0.1:${port}/x`, path.join(dir, 'x'), { sha256: SHA }), (e: unknown) => e instanceof OfflineError && e.code === 'ECONNREFUSED');
    // TEST-NET-1 (RFC 5737) is never routed: either unreachable at once or a connect timeout.
    await assert.rejects(downloadVerified('http://192.0.2.1:81/x', path.join(dir, 'y'), { sha256: SHA, timeoutMs: 700 }), OfflineError);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test('fetchOfficial downloads a list of sources into the destination', async () => {
  const srv = await serve();
  const { dir, cleanup } = tempDir();
  try {
    const source = { task: 'gsm8k' as const, label: 'local', url: `${srv.url}/file.txt`, sha256: SHA, file: 'gsm8k/test.jsonl', loadPath: 'gsm8k/test.jsonl' };
    const out = await fetchOfficial([source], { dest: dir });
    assert.deepEqual(out.map((o) => [o.state, o.loadPath]), [['downloaded', path.join(dir, 'gsm8k/test.jsonl')]]);
    assert.equal((await fetchOfficial([source], { dest: dir }))[0].state, 'present');
  } finally {
    cleanup();
    await srv.close();
  }
});

test('every official source is pinned: https, a commit or release path, a 64-hex SHA-256', () => {
  for (const s of OFFICIAL_SOURCES) {
    assert.match(s.url, /^https:\/\//);
    assert.match(s.sha256, /^[0-9a-f]{64}$/);
  }
  assert.deepEqual([...new Set(OFFICIAL_SOURCES.map((s) => s.task))].sort(), ['gsm8k', 'humaneval', 'mmlu']);
  assert.equal(withMirror(OFFICIAL_SOURCES, 'http://m.example/base')[2].url, 'http://m.example/base/raw.githubusercontent.com/openai/human-eval/6d43fb980f9fee3c892a914eda09951f772ad10d/data/HumanEval.jsonl.gz');
});

const CLI = path.join(__dirname, '..', '..', 'bin', 'inform.cjs');

/** Runs the CLI without blocking this process's event loop (the test server lives here). */
function runCli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

test('`inform data fetch` offline: exits 1 quickly and points to the bundled samples', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const port = await closedPort();
    const r = await runCli(['data', 'fetch', '--task', 'humaneval', '--dest', dir, '--mirror', `http://127.0.0.1:${port}`]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. This machine looks offline/);
    assert.match(r.stderr, /data\/humaneval\/sample\.jsonl/);
    assert.match(r.stderr, /loadSplit\(/);
  } finally {
    cleanup();
  }
});

test('`inform data fetch` through a mirror rejects bytes that are not the pinned release', async () => {
  const srv = await serve();
  const { dir, cleanup } = tempDir();
  try {
    // The local server answers every path with BODY, which is not HumanEval.jsonl.gz.
    const r = await runCli(['data', 'fetch', '--task', 'humaneval', '--dest', dir, '--mirror', srv.url]);
    await srv.close();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /SHA-256 mismatch \(expected b796127e/);
    assert.equal(srv.requests[0].path, '/raw.githubusercontent.com/openai/human-eval/6d43fb980f9fee3c892a914eda09951f772ad10d/data/HumanEval.jsonl.gz');
    const r2 = await runCli(['data', 'fetch', '--task', 'bogus']);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /--task must be one of/);
  } finally {
    cleanup();
  }
});
