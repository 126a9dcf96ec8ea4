/**
 * A single-writer lock file, shared by every writer that must be alone: a JsonlLog (transcript
 * store, grades, encoding cache) and training on a run folder.
 *
 * Taking it is atomic: the owner record is written in full to a temporary file that is then
 * hard-linked to `<lock>`; `link` fails when `<lock>` exists, so of two processes racing exactly
 * one wins, and nobody ever reads a half-written lock. The record names the writer: pid, host,
 * boot id and the process's start time (from /proc), the command line, and a random nonce that
 * tells this lock from any other lock of the same pid.
 *
 * A lock whose writer is gone is taken over: its pid is dead, or the machine rebooted since (other
 * boot id), or the pid now belongs to another process (other start time). Removing a stale lock
 * happens under a short-lived guard file (`<lock>.takeover`) and only if the lock still holds the
 * very record judged stale, so two processes taking over at once cannot remove each other's fresh
 * lock. A live pid that cannot be proven to be the writer (a lock from another host, or an old
 * bare-pid lock whose pid is alive, e.g. pid 1 after a reboot) is not taken: the error says the
 * lock may be stale and how to clear it. `release` removes the lock only while it holds this
 * owner's record.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What a lock file records about its owner. */
export interface LockOwner {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id; null where there is none */
  boot: string | null;
  /** the process's start time in clock ticks since boot (/proc/<pid>/stat); null where unknown */
  start: string | null;
  nonce: string;
  argv: string;
  since: string;
}

/** A lock held by this process. */
export interface FileLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** removes the lock file if it still holds this owner's record; idempotent */
  release(): void;
}

/** Thrown when another (or this) process holds the lock, or it cannot be judged stale. */
export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    message: string,
    /** the holder's pid when the lock names one */
    readonly holderPid: number | null,
    /** true when the holder could not be proven to be a live writer (the lock may be stale) */
    readonly maybeStale: boolean,
  ) {
    super(message);
    this.name = 'LockHeldError';
  }
}

// Locks held by this process, shared across copies of this module (a notebook kernel may load
// src/ twice), so "already open in this process" is told apart from a stale lock of our own pid.
const HELD_KEY = Symbol.for('inform.file-lock.held');
const held: Map<string, string> = ((globalThis as Record<symbol, unknown>)[HELD_KEY] as Map<string, string> | undefined) ?? new Map();
(globalThis as Record<symbol, unknown>)[HELD_KEY] = held;

function readOr<T>(file: string, fallback: T, parse: (s: string) => T): T {
  try {
    return parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

function bootId(): string | null {
  return readOr('/proc/sys/kernel/random/boot_id', null, (s) => s.trim() || null);
}

/** Start time of `pid` (field 22 of /proc/<pid>/stat, after the parenthesised command name). */
function startTicks(pid: number): string | null {
  return readOr(`/proc/${pid}/stat`, null, (s) => s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null);
}

function commandLine(pid: number): string | null {
  return readOr(`/proc/${pid}/cmdline`, null, (s) => s.split('\0').join(' ').trim().slice(0, 200) || null);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Parses a lock file: the JSON record, or a bare pid (locks written before the record existed). */
export function parseLockOwner(text: string): Partial<LockOwner> & { pid: number } | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t) };
  try {
    const o = JSON.parse(t) as Partial<LockOwner>;
    return typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0 ? { ...o, pid: o.pid } : null;
  } catch {
    return null;
  }
}

type Verdict = { kind: 'stale' } | { kind: 'refuse'; message: string; pid: number | null; maybeStale: boolean };

/** Decides whether the lock holding `text` may be taken over. */
function judge(lockPath: string, text: string, what: string): Verdict {
  const clear = `if no process is using ${what}, remove ${lockPath} and retry`;
  const o = parseLockOwner(text);
  if (!o) return { kind: 'refuse', message: `${lockPath}: ${what} is locked, but the lock file names no process; the lock may be stale: ${clear}`, pid: null, maybeStale: true };
  const cmd = o.argv ? ` (${o.argv})` : '';
  if (o.host !== undefined && o.host !== os.hostname()) {
    return { kind: 'refuse', message: `${lockPath}: ${what} is locked by process ${o.pid} on host ${o.host}${cmd}, which cannot be checked from here; the lock may be stale: ${clear}`, pid: o.pid, maybeStale: true };
  }
  const boot = bootId();
  const sameBoot = o.boot === undefined || o.boot === null || boot === null ? null : o.boot === boot;
  if (sameBoot === false) return { kind: 'stale' }; // written before a reboot: its writer is gone
  if (o.pid === process.pid) {
    // Our pid, but not a lock we hold: left by an earlier process that had the same pid (a
    // container restarted, say) — unless it records our own start time (another thread of ours).
    const ours = (o.nonce !== undefined && held.get(lockPath) === o.nonce) || (o.start !== undefined && o.start !== null && o.start === startTicks(process.pid));
    if (!ours) return { kind: 'stale' };
    return { kind: 'refuse', message: `${lockPath}: ${what} is already open for writing in this process`, pid: o.pid, maybeStale: false };
  }
  if (!pidAlive(o.pid)) return { kind: 'stale' };
  const now = startTicks(o.pid);
  if (o.start !== undefined && o.start !== null && now !== null) {
    if (o.start !== now) return { kind: 'stale' }; // the pid was reused by another process
    const since = o.since ? `, since ${o.since}` : '';
    return { kind: 'refuse', message: `${lockPath}: ${what} is being written by process ${o.pid}${cmd}${since}; wait for it or stop it`, pid: o.pid, maybeStale: false };
  }
  // A live pid, but nothing proves it is the writer (a bare-pid lock, or no /proc to compare).
  const running = commandLine(o.pid);
  return {
    kind: 'refuse',
    message: `${lockPath}: ${what} is locked by process ${o.pid}${running ? ` (now running: ${running})` : ''}, which is alive but may not be its writer; the lock may be stale (left before a reboot, for example): ${clear}`,
    pid: o.pid,
    maybeStale: true,
  };
}

/**
 * Removes the stale lock if it still holds exactly `staleText`, under `<lock>.takeover` so that
 * no other process can have replaced it between the check and the removal.
 */
function removeStale(lockPath: string, staleText: string): void {
  const guard = `${lockPath}.takeover`;
  try {
    fs.writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Another process is taking over (for microseconds). A guard older than that was left by a
    // process killed in the middle of a takeover.
    const age = readOr(guard, 0, () => Date.now() - fs.statSync(guard).mtimeMs);
    if (age > 2000) fs.rmSync(guard, { force: true });
    sleepSync(2);
    return;
  }
  try {
    let now: string;
    try {
      now = fs.readFileSync(lockPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (now === staleText) fs.unlinkSync(lockPath);
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/** Removes `<lock>.<pid>-<nonce>.tmp` files left by processes killed while taking the lock. */
function sweepTemporaries(lockPath: string): void {
  const base = path.basename(lockPath);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(lockPath));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(base + '.') || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)-[0-9a-f]+$/.exec(name.slice(base.length + 1, -4));
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) fs.rmSync(path.join(path.dirname(lockPath), name), { force: true });
  }
}

/** Creates `lockPath` holding `text`, atomically; false when it exists. */
function createExclusive(lockPath: string, text: string, tmp: string): boolean {
  try {
    fs.linkSync(tmp, lockPath);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  // A filesystem without hard links: exclusive create, then write (a reader may briefly see it empty).
  try {
    const fd = fs.openSync(lockPath, 'wx');
    try {
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Takes the lock file `lockPath` for this process, taking over a stale one. `what` names the
 * guarded thing in errors ("the store", "the run folder"). Throws LockHeldError when it is held.
 */
export function acquireFileLock(lockPath: string, what: string): FileLock {
  const abs = path.resolve(lockPath);
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    boot: bootId(),
    start: startTicks(process.pid),
    nonce: randomBytes(8).toString('hex'),
    argv: process.argv.map((a, i) => (i < 2 ? path.basename(a) : a)).join(' ').slice(0, 200),
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(owner) + '\n';
  sweepTemporaries(abs);
  const tmp = `${abs}.${process.pid}-${owner.nonce}.tmp`;
  fs.writeFileSync(tmp, text);
  try {
    let emptySeen = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (createExclusive(abs, text, tmp)) {
        held.set(abs, owner.nonce);
        let released = false;
        return {
          path: abs,
          owner,
          release() {
            if (released) return;
            released = true;
            if (held.get(abs) === owner.nonce) held.delete(abs);
            // only our own lock: one taken over from us (judged stale) belongs to its new owner
            if (readOr(abs, null, (s) => s) === text) fs.rmSync(abs, { force: true });
          },
        };
      }
      let current: string;
      try {
        current = fs.readFileSync(abs, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw e;
      }
      if (current === '' && emptySeen++ < 50) {
        sleepSync(2); // created without link (see createExclusive) and not yet written
        continue;
      }
      const verdict = judge(abs, current, what);
      if (verdict.kind === 'refuse') throw new LockHeldError(abs, verdict.message, verdict.pid, verdict.maybeStale);
      removeStale(abs, current);
    }
    throw new LockHeldError(abs, `${abs}: could not take the lock of ${what} (it kept changing hands)`, null, false);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
