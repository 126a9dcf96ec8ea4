/**
 * Downloading one file with a SHA-256 check: streamed to `<dest>.part` while hashing, resumed
 * with an HTTP Range request when a partial file is there, renamed into place only when the
 * checksum matches. Network failures become an OfflineError that says what failed.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';

/** The network could not be reached (DNS, refused, unreachable, timed out). */
export class OfflineError extends Error {
  constructor(readonly url: string, readonly code: string) {
    super(`cannot reach ${new URL(url).host} (${code})`);
    this.name = 'OfflineError';
  }
}

/** The server answered, but the bytes are not the release we pinned. */
export class ChecksumError extends Error {
  constructor(readonly file: string, readonly expected: string, readonly actual: string) {
    super(`${file}: SHA-256 mismatch (expected ${expected}, got ${actual}); the partial download was removed`);
    this.name = 'ChecksumError';
  }
}

/** Progress callback: bytes so far and the total when known. */
export type ProgressFn = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  sha256: string;
  /** give up connecting (and on a silent connection) after this many ms (default 15000) */
  timeoutMs?: number;
  onProgress?: ProgressFn;
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ENETDOWN']);

/** SHA-256 of a file on disk (hex). */
export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function get(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { headers: { 'user-agent': 'inform-workbench', ...headers } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects === 0) return reject(new Error(`${url}: too many redirects`));
        return resolve(get(new URL(res.headers.location, url).toString(), headers, timeoutMs, redirects - 1));
      }
      resolve(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => reject(e.code && NETWORK_CODES.has(e.code) ? new OfflineError(url, e.code) : e));
  });
}

/**
 * Downloads `url` to `dest` unless `dest` already holds the right bytes. Returns 'present' when
 * nothing had to be fetched, 'downloaded' otherwise.
 */
export async function downloadVerified(url: string, dest: string, opts: DownloadOptions): Promise<'present' | 'downloaded'> {
  if (fs.existsSync(dest) && sha256File(dest) === opts.sha256) return 'present';
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const res = await get(url, have > 0 ? { range: `bytes=${have}-` } : {}, opts.timeoutMs ?? 15_000);
  const status = res.statusCode ?? 0;
  if (status === 416 && have > 0) {
    // Nothing left to send from that offset: the partial file is complete (the process was
    // stopped between the last byte and the rename) or longer than the release. Keep it if the
    // checksum says so, otherwise start over without a Range.
    res.resume();
    if (sha256File(part) === opts.sha256) {
      fs.renameSync(part, dest);
      return 'downloaded';
    }
    fs.rmSync(part, { force: true });
    return downloadVerified(url, dest, opts);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new Error(`${url}: HTTP ${status}`);
  }
  const resuming = status === 206 && have > 0;
  const hash = crypto.createHash('sha256');
  if (resuming) hash.update(fs.readFileSync(part));
  let received = resuming ? have : 0;
  const length = Number(res.headers['content-length']);
  const total = Number.isFinite(length) ? length + received : undefined;
  const out = fs.createWriteStream(part, { flags: resuming ? 'a' : 'w' });
  await new Promise<void>((resolve, reject) => {
    // pipe() does not close the file when the response fails: close it here, keeping the bytes
    // already on disk for the next resume.
    const fail = (e: Error) => {
      out.destroy();
      res.destroy();
      reject(e);
    };
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      received += chunk.length;
      opts.onProgress?.(received, total);
    });
    res.on('error', (e: NodeJS.ErrnoException) => fail(e.code && NETWORK_CODES.has(e.code) ? new OfflineError(url, e.code) : e));
    res.on('aborted', () => fail(new OfflineError(url, 'ECONNRESET')));
    out.on('error', fail);
    out.on('finish', resolve);
    res.pipe(out);
  });
  const actual = hash.digest('hex');
  if (actual !== opts.sha256) {
    fs.rmSync(part, { force: true });
    throw new ChecksumError(dest, opts.sha256, actual);
  }
  fs.renameSync(part, dest);
  return 'downloaded';
}
