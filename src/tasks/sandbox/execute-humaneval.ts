/**
 * Runs one HumanEval candidate against the item's tests in a sandbox and returns a verdict.
 *
 * Enforced here (Node side): a fresh temporary directory as the working directory, removed
 * afterwards (named after this process, so one left by a killed host is swept by the next start);
 * a wall-clock timeout that SIGKILLs the whole process group; an output cap (stdout + stderr) past
 * which the group is killed; a minimal environment.
 * Enforced by the OS when available: fresh user, network and PID namespaces through `unshare`
 * (no network; every process the candidate starts dies with the sandbox).
 * Enforced inside Python before the candidate runs (driver.py): rlimits on address space, CPU
 * seconds, file size, process count (not enforced for root), open files; an audit hook that blocks
 * writes outside the directory, process creation, signals, sockets and ctypes; a watchdog thread
 * that ends the run at the wall-clock limit (plus a grace) even if this process is stalled, and at
 * once when this process dies (the EOF of a pipe only we hold), so no sandbox outlives its host.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HumanEvalItem } from '../types';
import { sandboxCapabilities, UNSHARE_ARGS } from './isolation';
import { humanEvalProgram } from './program';
import { makeOwnedTempDir, removeOwnedTempDir, setTempDirGroup } from '../../owned-temp-dirs';
import { assertTaskItem } from '../validate-item';

/** The four outcomes of running a candidate. */
export type SandboxStatus = 'passed' | 'failed' | 'timeout' | 'crashed';

/** What happened to one candidate. */
export interface SandboxResult {
  status: SandboxStatus;
  /** the last `stderrTailBytes` of the candidate's stderr, plus the sandbox's own note on crashes */
  stderrTail: string;
  /** wall-clock milliseconds from spawn to verdict */
  ms: number;
  /** one line saying why, e.g. "a test assertion failed" or "output limit exceeded" */
  detail: string;
}

/** Limits and knobs for one run; every field has a safe default. */
export interface ExecuteOptions {
  /** wall-clock limit, ms (default 5000); the CPU-seconds rlimit is derived from it */
  timeoutMs?: number;
  /** address-space limit, bytes (default 1 GiB) */
  memoryBytes?: number;
  /** cap on stdout + stderr bytes before the run is killed (default 1 MiB) */
  outputLimitBytes?: number;
  /** largest file the candidate may write, bytes (default 16 MiB) */
  fileBytes?: number;
  /**
   * RLIMIT_NPROC (default 64; the kernel ignores it for root, the audit hook still blocks forks;
   * a non-root user outside a user namespace gets this many on top of the tasks they already run)
   */
  processes?: number;
  /** bytes of stderr kept in the result (default 4096) */
  stderrTailBytes?: number;
  /** interpreter name or path (default `python3` on PATH) */
  python?: string;
  /** parent directory for the per-run temporary directory (default the OS temp dir) */
  tmpRoot?: string;
  /** use namespaces when available (default true) */
  namespaces?: boolean;
  /**
   * install the Python audit-hook guards (default true). Turning them off is only for testing
   * what the OS layer alone enforces; never grade untrusted code with guards off.
   */
  guards?: boolean;
}

const DEFAULTS = {
  timeoutMs: 5000,
  memoryBytes: 1024 ** 3,
  outputLimitBytes: 1024 ** 2,
  fileBytes: 16 * 1024 ** 2,
  processes: 64,
  stderrTailBytes: 4096,
};

const DRIVER = path.join(__dirname, 'driver.py');
/** Prefix of the per-run folders; the owner pid follows it (see owned-temp-dirs.ts). */
export const SANDBOX_DIR_PREFIX = 'inform-sandbox-';
/** The driver's own wall clock runs this much longer than ours, so ours normally decides. */
const INNER_CLOCK_GRACE_MS = 1000;
/** The sandbox's end of the lifeline pipe: it reads EOF when this process is gone. */
const LIFELINE_FD = 4;

/** Keeps only the last `max` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0].length >= this.max) this.size -= this.chunks.shift()!.length;
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Executes `item.prompt + completion` against `item.test` in a fresh sandbox.
 * `completion` is the function body that follows the prompt (as HumanEval samples are written).
 * Never throws for anything the candidate does; throws if Python itself cannot be found, or a
 * TaskItemError if the item is not a well-formed HumanEval item (checked before anything runs).
 */
export async function executeHumanEval(item: HumanEvalItem, completion: string, opts: ExecuteOptions = {}): Promise<SandboxResult> {
  assertTaskItem(item, 'humaneval');
  // Field by field, so that an option given as undefined (`{ timeoutMs: config.timeout }`) keeps its default.
  const o: typeof DEFAULTS = {
    timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
    memoryBytes: opts.memoryBytes ?? DEFAULTS.memoryBytes,
    outputLimitBytes: opts.outputLimitBytes ?? DEFAULTS.outputLimitBytes,
    fileBytes: opts.fileBytes ?? DEFAULTS.fileBytes,
    processes: opts.processes ?? DEFAULTS.processes,
    stderrTailBytes: opts.stderrTailBytes ?? DEFAULTS.stderrTailBytes,
  };
  const caps = sandboxCapabilities(opts.python ?? 'python3');
  const useNamespaces = (opts.namespaces ?? true) && caps.namespaces;
  const started = Date.now();
  const dir = makeOwnedTempDir(SANDBOX_DIR_PREFIX, opts.tmpRoot ?? os.tmpdir());
  try {
    const programFile = path.join(dir, 'program.py');
    fs.writeFileSync(programFile, humanEvalProgram(item, completion));
    const limits = {
      memoryBytes: o.memoryBytes,
      cpuSeconds: Math.max(1, Math.ceil(o.timeoutMs / 1000)),
      fileBytes: o.fileBytes,
      processes: o.processes,
      guards: opts.guards ?? true,
      lockFilesystem: useNamespaces && caps.readOnlyFilesystem,
      wallSeconds: (o.timeoutMs + INNER_CLOCK_GRACE_MS) / 1000,
      lifelineFd: LIFELINE_FD,
    };
    const pyArgs = [caps.python, '-I', '-B', DRIVER, JSON.stringify(limits), programFile];
    // Inside a PID namespace the first process is its init, which ignores signals it has no
    // handler for; a small shell as init keeps Python an ordinary, killable process.
    const argv = useNamespaces ? [...UNSHARE_ARGS, '/bin/sh', '-c', '"$@"; exit $?', 'sh', ...pyArgs] : pyArgs;
    return await run(argv, dir, o, started);
  } finally {
    // Retries while a killed straggler still writes, and gives back permissions a candidate took
    // off its own subfolders (`os.chmod('d', 0)` stops a non-root user from emptying them).
    removeOwnedTempDir(dir);
  }
}

function run(argv: string[], cwd: string, o: typeof DEFAULTS, started: number): Promise<SandboxResult> {
  return new Promise((resolve) => {
    const token = randomBytes(16).toString('hex');
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      detached: true, // its own process group, so one kill reaches everything it started
      // fd 3: the verdict; fd 4: the lifeline, never written: its EOF tells the driver we are gone.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cwd, TMPDIR: cwd, LANG: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' },
    });
    const stderr = new Tail(o.stderrTailBytes);
    setTempDirGroup(cwd, child.pid);
    const verdictPipe = child.stdio[3] as NodeJS.ReadableStream;
    const lifeline = child.stdio[LIFELINE_FD] as NodeJS.ReadableStream & { destroy(): void };
    lifeline.on('error', () => undefined);
    let verdictText = '';
    let outputBytes = 0;
    let timedOut = false;
    let overOutput = false;
    let spawnError: Error | null = null;

    const onOutput = (chunk: Buffer, keep: boolean) => {
      outputBytes += chunk.length;
      if (keep) stderr.push(chunk);
      if (outputBytes > o.outputLimitBytes && !overOutput) {
        overOutput = true;
        killGroup(child.pid);
      }
    };
    child.stdout!.on('data', (c: Buffer) => onOutput(c, false));
    child.stderr!.on('data', (c: Buffer) => onOutput(c, true));
    verdictPipe.on('data', (c: Buffer) => {
      if (verdictText.length < 65536) verdictText += c.toString('utf8');
    });
    child.stdin!.on('error', () => undefined); // the candidate may be gone before we write
    child.stdin!.end(`${token}\n`);
    child.on('error', (e) => {
      spawnError = e;
    });

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, o.timeoutMs);

    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(child.pid); // anything left in the group (or namespace) goes too
      for (const s of [child.stdout, child.stderr, verdictPipe, lifeline]) (s as NodeJS.ReadableStream & { destroy?: () => void })?.destroy?.();
      resolve(decide({ code, signal, timedOut, overOutput, verdictText, token, stderr: stderr.toString(), spawnError, ms: Date.now() - started, o }));
    };
    // 'close' waits for the pipes too; if a straggler holds them open, 'exit' + grace decides.
    child.on('close', finish);
    child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 500).unref());
  });
}

interface Observed {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  overOutput: boolean;
  verdictText: string;
  token: string;
  stderr: string;
  spawnError: Error | null;
  ms: number;
  o: typeof DEFAULTS;
}

// Exit statuses 128+n from the init shell mean "killed by signal n".
const SIGXCPU = 24;

/** Turns what was observed about a run into a verdict. Pure. */
function decide(x: Observed): SandboxResult {
  const result = (status: SandboxStatus, detail: string): SandboxResult => ({
    status,
    detail,
    ms: x.ms,
    stderrTail: status === 'passed' ? x.stderr : `${x.stderr}${x.stderr && !x.stderr.endsWith('\n') ? '\n' : ''}[sandbox] ${detail}`,
  });
  if (x.spawnError) return result('crashed', `could not start the sandbox: ${x.spawnError.message}`);
  if (x.timedOut) return result('timeout', `wall-clock limit of ${x.o.timeoutMs} ms exceeded`);
  if (x.overOutput) return result('crashed', `output limit of ${x.o.outputLimitBytes} bytes exceeded`);
  if (x.signal === 'SIGXCPU' || x.code === 128 + SIGXCPU) return result('timeout', 'CPU time limit exceeded');
  const line = x.verdictText.split('\n').find((l) => l.includes(x.token));
  if (line) {
    try {
      const v = JSON.parse(line) as { token: string; verdict: SandboxStatus; detail: string };
      // 'timeout' comes from the driver's own wall clock, when this process was too stalled to act.
      if (v.token === x.token && (v.verdict === 'passed' || v.verdict === 'failed' || v.verdict === 'crashed' || v.verdict === 'timeout')) return result(v.verdict, v.detail || v.verdict);
    } catch {
      // fall through: a torn verdict is no verdict
    }
  }
  const how = x.signal ? `signal ${x.signal}` : x.code !== null && x.code > 128 ? `signal ${x.code - 128}` : `exit code ${x.code}`;
  return result('crashed', `the program ended (${how}) without reporting a verdict`);
}
