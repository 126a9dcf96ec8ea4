/**
 * A crash-safe, append-only, keyed JSONL file: the storage under both the transcript store and the
 * encoding cache.
 *
 * Each line is one record, `{"sum":"<16 hex>","k":"<key>","v":<value>}`, where `sum` is the first
 * 64 bits of SHA-256 over the exact bytes of the rest of the line (`{"k":...}`). A key is written at
 * most once. Appends are single `write()` calls on an O_APPEND descriptor, so a process killed
 * (even with SIGKILL) leaves at worst one partial final line; a power loss can leave a torn tail
 * too. On open:
 *   - a bad final line (no trailing newline, invalid JSON or a wrong checksum) is truncated away and
 *     reported through `onRecover`;
 *   - a bad line anywhere else is an error naming the file and line, unless `repair` is set, in
 *     which case the file is rewritten without it (atomically, through a temporary file) and the
 *     dropped lines are reported.
 *
 * Durability (`fsync` option): 'always' fsyncs after every record; 'batch' (default) fsyncs at most
 * every `fsyncIntervalMs` and on close; 'never' leaves it to the OS. Records survive a killed
 * process in every mode (they are in the kernel's page cache once `write()` returns); the mode only
 * decides how many of the most recent records an OS crash or power cut can lose.
 *
 * One writer at a time: opening for writing takes the lock file `<file>.lock` (file-lock.ts: taken
 * atomically, naming the writer; a dead writer's lock is taken over, a live one's is an error).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireFileLock, type FileLock } from './file-lock';

export type FsyncPolicy = 'always' | 'batch' | 'never';

export interface JsonlLogOptions {
  /** drop corrupt lines in the middle of the file instead of refusing to open it */
  repair?: boolean;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** open without taking the writer lock; `append` then throws */
  readOnly?: boolean;
  /** told about every repair made on open (torn tail truncated, corrupt lines dropped) */
  onRecover?: (message: string) => void;
}

/** A record that failed its checksum or did not parse, somewhere other than the file's last line. */
export class CorruptRecordError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: corrupt record (${reason}); open with repair to drop it`);
    this.name = 'CorruptRecordError';
  }
}

const SUM_PREFIX = '{"sum":"';
const SUM_HEX = 16;
// `{"sum":"` + 16 hex + `",` ; the checksummed payload is `{` + everything after this prefix
const PREFIX_LEN = SUM_PREFIX.length + SUM_HEX + 2;

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, SUM_HEX);
}

/** Serialises one record as a checksummed line (with its trailing newline). */
export function encodeLine(key: string, value: unknown): string {
  return encodeWithPayload(key, value).line;
}

function encodeWithPayload(key: string, value: unknown): { line: string; payload: string } {
  const payload = JSON.stringify({ k: key, v: value });
  return { line: `${SUM_PREFIX}${checksum(payload)}",${payload.slice(1)}\n`, payload };
}

/** Parses one line (without newline); returns the record or the reason it is bad. */
export function decodeLine(line: string): { key: string; value: unknown } | { error: string } {
  if (!line.startsWith(SUM_PREFIX) || line.length < PREFIX_LEN + 2 || line.slice(PREFIX_LEN - 2, PREFIX_LEN) !== '",') {
    return { error: 'missing checksum field' };
  }
  const sum = line.slice(SUM_PREFIX.length, SUM_PREFIX.length + SUM_HEX);
  const payload = '{' + line.slice(PREFIX_LEN);
  if (checksum(payload) !== sum) return { error: 'checksum mismatch' };
  let obj: { k?: unknown; v?: unknown };
  try {
    obj = JSON.parse(payload) as { k?: unknown; v?: unknown };
  } catch (e) {
    return { error: `invalid JSON: ${(e as Error).message}` };
  }
  if (typeof obj.k !== 'string') return { error: 'key is not a string' };
  return { key: obj.k, value: obj.v };
}

/** The keyed log. `open` loads every record into memory; values are kept as parsed JSON. */
export class JsonlLog<V> {
  private readonly records = new Map<string, V>();
  private fd: number | null = null;
  private lock: FileLock | null = null;
  /** bytes of complete records in the file (where the next record starts) */
  private length = 0;
  private lastSync = 0;
  private dirty = false;
  private readonly policy: FsyncPolicy;
  private readonly interval: number;

  private constructor(
    readonly file: string,
    private readonly opts: JsonlLogOptions,
  ) {
    this.policy = opts.fsync ?? 'batch';
    this.interval = opts.fsyncIntervalMs ?? 1000;
  }

  /** Opens (creating if needed) the log at `file`, recovering a torn tail as described above. */
  static open<V>(file: string, opts: JsonlLogOptions = {}): JsonlLog<V> {
    const log = new JsonlLog<V>(file, opts);
    // a reader of a store that does not exist sees it empty; only a writer creates the folder
    if (!opts.readOnly) fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!opts.readOnly) log.lock = acquireFileLock(file + '.lock', 'the store');
    try {
      log.load();
      if (!opts.readOnly) {
        log.fd = fs.openSync(file, 'a');
        log.length = fs.fstatSync(log.fd).size;
      }
    } catch (e) {
      log.lock?.release();
      throw e;
    }
    return log;
  }

  private load(): void {
    if (!fs.existsSync(this.file)) return;
    // Walk the bytes line by line: a store can outgrow the longest string V8 allows (~512 MiB),
    // so the file is never decoded as one string.
    const buf = fs.readFileSync(this.file);
    const dropped: number[] = [];
    let goodBytes = 0; // byte length of the prefix made of complete, valid lines
    let tailBad = false;
    let lineNo = 0;
    for (let start = 0; start < buf.length; ) {
      lineNo++;
      const nl = buf.indexOf(0x0a, start);
      const end = nl < 0 ? buf.length : nl;
      const next = nl < 0 ? buf.length : nl + 1;
      const rec = nl < 0 ? { error: 'no trailing newline' } : decodeLine(buf.toString('utf8', start, end));
      if ('error' in rec) {
        const atEnd = next >= buf.length || isOnlyNewlines(buf, next);
        if (atEnd && dropped.length === 0) {
          tailBad = true;
          this.opts.onRecover?.(`${this.file}:${lineNo}: truncated a torn final record (${rec.error})`);
          break;
        }
        if (!this.opts.repair) throw new CorruptRecordError(this.file, lineNo, rec.error);
        dropped.push(lineNo);
        start = next;
        continue;
      }
      const earlier = this.records.get(rec.key);
      if (earlier !== undefined || this.records.has(rec.key)) {
        // Cannot come from a crash (keys are checked before appending); only from two writers.
        const same = JSON.stringify(earlier) === JSON.stringify(rec.value);
        if (!same && !this.opts.repair) throw new CorruptRecordError(this.file, lineNo, `second, different record for key ${rec.key}`);
        if (this.opts.repair) {
          dropped.push(lineNo);
          start = next;
          continue;
        }
        // an identical duplicate is harmless: keep the first
      } else this.records.set(rec.key, rec.value as V);
      if (dropped.length === 0) goodBytes += next - start;
      start = next;
    }
    if (dropped.length > 0) {
      this.rewrite();
      this.opts.onRecover?.(`${this.file}: dropped corrupt line(s) ${dropped.join(', ')} (repair)`);
    } else if (tailBad) {
      if (this.opts.readOnly) return; // leave the file alone; the records loaded are the good prefix
      fs.truncateSync(this.file, goodBytes);
    }
  }

  /** Writes every loaded record to a fresh file and renames it over the old one. */
  private rewrite(): void {
    const tmp = `${this.file}.repair-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    for (const [k, v] of this.records) fs.writeSync(fd, encodeLine(k, v));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
  }

  get size(): number {
    return this.records.size;
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  get(key: string): V | undefined {
    return this.records.get(key);
  }

  keys(): IterableIterator<string> {
    return this.records.keys();
  }

  entries(): IterableIterator<[string, V]> {
    return this.records.entries();
  }

  /**
   * Appends a record for a new key. Returns false (and writes nothing) when the key is already
   * present: a key is written once.
   */
  append(key: string, value: V): boolean {
    if (this.fd === null) throw new Error(`${this.file}: log is ${this.opts.readOnly ? 'read-only' : 'closed'}`);
    if (this.records.has(key)) return false;
    const { line, payload } = encodeWithPayload(key, value);
    const bytes = Buffer.from(line, 'utf8');
    let off = 0;
    try {
      while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off);
    } catch (e) {
      // A failed write (disk full, ...) may have left part of the line: cut it off, so the next
      // record starts on a line of its own instead of being glued to a torn one (and then lost
      // with it as a "torn tail" on the next open, or making every line after it corrupt).
      try {
        fs.ftruncateSync(this.fd, this.length);
      } catch {
        // nothing more can be done here; the next open recovers a torn tail
      }
      throw e;
    }
    this.length += bytes.length;
    // keep the parsed copy, so what `get` returns is what a later `open` would return
    this.records.set(key, (JSON.parse(payload) as { v: V }).v);
    this.dirty = true;
    this.maybeSync();
    return true;
  }

  private maybeSync(): void {
    if (this.fd === null || !this.dirty || this.policy === 'never') return;
    const now = Date.now();
    if (this.policy === 'always' || now - this.lastSync >= this.interval) {
      fs.fdatasyncSync(this.fd);
      this.lastSync = now;
      this.dirty = false;
    }
  }

  /** Flushes to disk (unless fsync is 'never') and releases the writer lock. */
  close(): void {
    if (this.fd === null) return;
    if (this.dirty && this.policy !== 'never') fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    this.lock?.release();
    this.lock = null;
  }
}

/** True when buf[from..] holds nothing but newlines (blank lines after a torn record). */
function isOnlyNewlines(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0x0a) return false;
  return true;
}
