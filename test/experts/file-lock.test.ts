/**
 * The single-writer lock (src/experts/store/file-lock.ts) with real processes: racing takeovers of
 * a dead writer's lock, locks of live processes that are or are not the writer, and release only
 * by the owner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireFileLock, LockHeldError } from '../../src/experts/store/file-lock';
import { JsonlLog } from '../../src/experts/store/jsonl-log';

const LOG_MODULE = path.resolve(__dirname, '../../src/experts/store/jsonl-log.ts');
const CHILD = path.join(__dirname, 'fixtures', 'lock-race-child.ts');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'file-lock-'));
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

interface RoundResult {
  round: number;
  took: boolean;
  error: string | null;
  /** when it held the log: from taking the lock to starting to close (shared clock) */
  held: [number, number] | null;
}

/** Runs `children` processes that race to open one JsonlLog over a dead writer's lock, `rounds` times. */
async function race(file: string, children: number, rounds: number, periodMs: number): Promise<RoundResult[][]> {
  const dead = String(deadPid());
  const procs = Array.from({ length: children }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', CHILD, LOG_MODULE, file, String(i), String(rounds), String(periodMs), dead], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const outs = procs.map(() => ({ out: '', err: '' }));
  const ready = procs.map(
    (p, i) =>
      new Promise<void>((resolve, reject) => {
        p.stdout.on('data', (d) => {
          outs[i].out += d;
          if (outs[i].out.startsWith('ready\n')) resolve();
        });
        p.stderr.on('data', (d) => (outs[i].err += d));
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${i} exited ${code}: ${outs[i].err}`))));
      }),
  );
  const exited = procs.map((p) => new Promise<number | null>((resolve) => p.on('exit', resolve)));
  await Promise.all(ready);
  const t0 = Date.now() + 300;
  for (const p of procs) p.stdin.end(`${t0}\n`);
  const codes = await Promise.all(exited);
  codes.forEach((c, i) => assert.equal(c, 0, `child ${i}: ${outs[i].err}`));
  const perChild = outs.map((o) => o.out.split('\n').slice(1).filter(Boolean).map((l) => JSON.parse(l) as RoundResult));
  return Array.from({ length: rounds }, (_, r) => perChild.map((c) => c[r]));
}

test('processes racing to take over a dead writer\'s lock: never two holders at once, the others are told who holds it', { timeout: 120_000 }, async () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, 'race.jsonl');
    const rounds = 12;
    const results = await race(file, 3, rounds, 300);
    const holds = results.flat().filter((x) => x.took);
    // Two holds overlapping in time = two writers (a child late to a round may take the log after
    // the round's holder closed it: that is no overlap, and fine).
    for (const a of holds) {
      for (const b of holds) {
        if (a !== b) assert.ok(a.held![1] <= b.held![0] || b.held![1] <= a.held![0], `two processes held the log at once: ${JSON.stringify([a, b])}`);
      }
    }
    const refused = results.flat().filter((x) => !x.took);
    for (const x of refused) assert.match(x.error ?? '', /race\.jsonl\.lock: the store is being written by process \d+/);
    // The race did happen: most rounds had a process refused while another held the log.
    const contested = results.filter((round) => round.some((x) => !x.took)).length;
    assert.ok(contested >= rounds / 2, `only ${contested} of ${rounds} rounds were contested`);
    const log = JsonlLog.open<number>(file, { readOnly: true });
    assert.equal(log.size, holds.length, 'every holder appended its record');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['race.jsonl'], 'no lock, guard or temporary file left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock whose live pid is not its writer (bare pid 1 after a reboot) is refused with how to clear it', () => {
  const dir = tmpDir();
  try {
    const lock = path.join(dir, 'x.lock');
    fs.writeFileSync(lock, '1');
    assert.throws(
      () => acquireFileLock(lock, 'the store'),
      (e: unknown) =>
        e instanceof LockHeldError &&
        e.maybeStale &&
        e.holderPid === 1 &&
        e.message.includes(`${lock}: the store is locked by process 1`) &&
        /may be stale/.test(e.message) &&
        e.message.includes(`remove ${lock} and retry`),
    );
    assert.equal(fs.readFileSync(lock, 'utf8'), '1', 'the lock was not touched');
    // A lock naming no process at all is not taken either.
    fs.writeFileSync(lock, 'garbage');
    assert.throws(() => acquireFileLock(lock, 'the store'), /names no process; the lock may be stale/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock recording a live process that is its writer is refused; one of a reused pid or an earlier boot is taken over', () => {
  const dir = tmpDir();
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const lock = path.join(dir, 'y.lock');
    // What a writer in another process records (its real start time, from /proc).
    const stat = fs.readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const record = { pid: sleeper.pid, host: os.hostname(), boot, start, nonce: 'n', argv: 'node inform train', since: 'then' };
    fs.writeFileSync(lock, JSON.stringify(record));
    assert.throws(() => acquireFileLock(lock, 'the run folder'), (e: unknown) => e instanceof LockHeldError && !e.maybeStale && e.message === `${lock}: the run folder is being written by process ${sleeper.pid} (node inform train), since then; wait for it or stop it`);

    for (const stale of [{ ...record, start: String(Number(start) + 1) }, { ...record, boot: 'another-boot' }, { ...record, pid: deadPid() }]) {
      fs.writeFileSync(lock, JSON.stringify(stale));
      const taken = acquireFileLock(lock, 'the run folder');
      assert.equal(JSON.parse(fs.readFileSync(lock, 'utf8')).pid, process.pid, JSON.stringify(stale));
      taken.release();
      assert.equal(fs.existsSync(lock), false);
    }

    // Another host's lock cannot be checked from here.
    fs.writeFileSync(lock, JSON.stringify({ ...record, host: 'elsewhere' }));
    assert.throws(() => acquireFileLock(lock, 'the run folder'), /locked by process \d+ on host elsewhere .*may be stale/);
  } finally {
    sleeper.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('release removes the lock only while it is still its own; a second take in this process is refused', () => {
  const dir = tmpDir();
  try {
    const lock = path.join(dir, 'z.lock');
    const a = acquireFileLock(lock, 'the store');
    assert.throws(() => acquireFileLock(lock, 'the store'), /the store is already open for writing in this process/);
    // Someone replaced the lock (e.g. removed it by hand and started another writer).
    fs.writeFileSync(lock, JSON.stringify({ pid: 1, nonce: 'other' }));
    a.release();
    assert.equal(fs.readFileSync(lock, 'utf8'), JSON.stringify({ pid: 1, nonce: 'other' }), "release removed another owner's lock");
    fs.rmSync(lock);
    // A stale lock that carries our own pid (a container restarted with the same pids) is not ours.
    fs.writeFileSync(lock, String(process.pid));
    const b = acquireFileLock(lock, 'the store');
    b.release();
    b.release();
    assert.equal(fs.existsSync(lock), false);
    // The temporary record of a process killed while taking the lock is swept by the next taker.
    const orphan = `${lock}.${deadPid()}-0123abcd.tmp`;
    fs.writeFileSync(orphan, '{}');
    acquireFileLock(lock, 'the store').release();
    assert.deepEqual(fs.readdirSync(dir), [], 'left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
