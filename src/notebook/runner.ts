/**
 * The headless notebook runner: executes a notebook's code cells in order on a fresh tslab kernel
 * (spoken to over ZeroMQ, no Python), stores the outputs in an nbformat 4 copy, stops at the first
 * failing cell, enforces a per-cell timeout, and shuts the kernel down on every path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkoutRoot, KERNEL_DISPLAY_NAME, KERNEL_NAME } from './kernel';
import { KernelClient, type ExecuteReply } from './kernel-client';
import { startKernelProcess, stopKernelProcess, type KernelProcess } from './kernel-process';
import { joinText, readNotebook, writeNotebook, type CodeCell, type Notebook, type Output } from './nbformat';
import { attachErrorFromStderr, OutputCollector, stripAnsi, type DisplayIndex } from './outputs';
import { figuresDir } from '../plots/paths';
import { snapshotFiles, writtenSince } from './run-summary';

/** Options for `runNotebook` / `runNotebooks`. */
export interface RunOptions {
  /** where executed copies go (default `<checkout>/runs/notebooks`); ignored with `inPlace` */
  outDir?: string;
  /** overwrite the input notebook with the executed one */
  inPlace?: boolean;
  /** per-cell limit in seconds (default 600) */
  timeoutS?: number;
  /** limit for the kernel to start and answer, in seconds (default 120) */
  startTimeoutS?: number;
  /** progress and failure lines (default: console.log) */
  log?: (line: string) => void;
  /** environment for the kernel (default: this process's) */
  env?: NodeJS.ProcessEnv;
}

/** How one executed code cell went. */
export interface CellReport {
  /** 0-based index among all cells */
  index: number;
  /** 1-based number among code cells */
  codeNumber: number;
  ok: boolean;
  seconds: number;
  executionCount: number | null;
}

/** Why and where a notebook stopped. */
export interface CellFailure {
  index: number;
  codeNumber: number;
  kind: 'error' | 'timeout' | 'kernel-died';
  ename: string;
  evalue: string;
  /** traceback lines, ANSI stripped */
  traceback: string[];
}

/** What `runNotebook` returns. */
export interface NotebookResult {
  path: string;
  outPath: string;
  ok: boolean;
  cells: CellReport[];
  failedCell?: CellFailure;
  /** a failure before any cell ran (kernel did not start, bad notebook file) */
  setupError?: string;
  /** number of cells, and of code cells, in the notebook (0 when it could not be read) */
  cellCount: number;
  codeCellCount: number;
  kernelStartSeconds: number;
  seconds: number;
  /** files under the figures folder (figures/ or INFORM_FIGURES_DIR) written or changed while it ran */
  figuresWritten: string[];
}

/** The folder figures are exported under for a kernel with environment `env`. */
export function figuresBase(env: NodeJS.ProcessEnv = process.env): string {
  return path.dirname(figuresDir('x', env));
}

const seconds = (t0: number) => (Date.now() - t0) / 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

// Kernels alive right now. While there is one, SIGINT/SIGTERM/SIGHUP to the runner (and its exit)
// take them down first; the handlers are removed again when the last kernel is gone, so a program
// using the runner as a library keeps its own signal behaviour otherwise. SIGHUP is what closing
// the terminal sends. (A SIGKILLed runner cannot do this: the kernel then notices on its own,
// see parent-watch.cjs.)
const live = new Set<KernelProcess>();
const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const STOP_SIGNALS = Object.keys(exitCodes) as NodeJS.Signals[];

function onSignal(sig: NodeJS.Signals): void {
  if (sig === 'SIGHUP') process.stderr.on('error', () => undefined); // the terminal may be gone: still clean up
  console.error(`\ninform notebooks: ${sig}, stopping ${live.size} kernel(s)`);
  Promise.all([...live].map((kp) => stopKernelProcess(kp, 0))).finally(() => process.exit(exitCodes[sig] ?? 1));
}

// Last resort on any exit path: synchronous SIGKILL to each kernel's process group.
function onExit(): void {
  for (const kp of live) {
    try {
      process.kill(-kp.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    fs.rmSync(kp.connectionFile, { force: true });
  }
}

function track(kp: KernelProcess): void {
  if (live.size === 0) {
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    process.on('exit', onExit);
  }
  live.add(kp);
}

function untrack(kp: KernelProcess): void {
  live.delete(kp);
  if (live.size === 0) {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    process.off('exit', onExit);
  }
}

/** Default folder for executed copies: `runs/notebooks/` in the checkout (gitignored). */
export function defaultOutDir(): string {
  return path.join(checkoutRoot(), 'runs', 'notebooks');
}

/** Prepares the copy that receives outputs: code cells cleared, tslab kernelspec recorded. */
function freshCopy(nb: Notebook): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const c of copy.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  copy.metadata.kernelspec = { name: KERNEL_NAME, display_name: KERNEL_DISPLAY_NAME, language: 'typescript' };
  return copy;
}

type CellOutcome =
  | { kind: 'done'; reply: ExecuteReply }
  | { kind: 'timeout' }
  | { kind: 'died'; why: string };

/** What one cell's execution produced; `failure` lacks the cell position, which the caller adds. */
interface CellRun {
  outputs: Output[];
  executionCount: number | null;
  failure?: Omit<CellFailure, 'index' | 'codeNumber'>;
}

/**
 * Executes one cell and waits for whichever comes first: the kernel finishing it, the kernel
 * process ending, or the timeout (then the cell is interrupted; the caller stops the kernel).
 */
async function executeCell(client: KernelClient, kp: KernelProcess, code: string, displays: DisplayIndex, timeoutS: number): Promise<CellRun> {
  const collector = new OutputCollector(displays);
  const run = client.execute(code, (m) => collector.handle(m));
  let timer: NodeJS.Timeout | undefined;
  const outcome: CellOutcome = await Promise.race([
    run.done.then((reply): CellOutcome => ({ kind: 'done', reply })),
    kp.exited.then((why): CellOutcome => ({ kind: 'died', why })),
    new Promise<CellOutcome>((r) => (timer = setTimeout(() => r({ kind: 'timeout' }), timeoutS * 1000))),
  ]);
  clearTimeout(timer);

  let failure: CellRun['failure'];
  if (outcome.kind === 'timeout') {
    // tslab turns SIGINT into an interrupt of the running cell; give it a moment. The kernel is
    // stopped afterwards either way (its state after a timeout is not worth keeping).
    try {
      process.kill(kp.child.pid!, 'SIGINT');
    } catch {
      /* gone */
    }
    const interrupted = await Promise.race([run.done.then(() => true), sleep(2000).then(() => false)]);
    const note = interrupted ? 'interrupted' : 'did not respond to the interrupt; killed';
    failure = { kind: 'timeout', ename: 'Timeout', evalue: `cell did not finish within ${timeoutS} s (${note})`, traceback: [] };
    collector.outputs.push({ output_type: 'error', ename: failure.ename, evalue: failure.evalue, traceback: [] });
  } else if (outcome.kind === 'died') {
    const tail = stripAnsi(kp.log()).trim().split('\n').slice(-20);
    failure = { kind: 'kernel-died', ename: 'KernelDied', evalue: `the kernel process ended (${outcome.why}) while running this cell`, traceback: tail };
    collector.outputs.push({ output_type: 'error', ename: failure.ename, evalue: failure.evalue, traceback: tail });
  } else if (outcome.reply.status !== 'ok') {
    const err = collector.kernelError ?? attachErrorFromStderr(collector.outputs);
    failure = { kind: 'error', ename: err.ename, evalue: err.evalue, traceback: err.traceback.map(stripAnsi) };
  }
  const executionCount = outcome.kind === 'done' && typeof outcome.reply.execution_count === 'number' ? outcome.reply.execution_count : null;
  return { outputs: collector.finish(), executionCount, failure };
}

/**
 * A kernel started for one notebook, possibly ahead of time. `ready` resolves with the
 * kernel_info_reply content, or an Error when the kernel did not start.
 */
export interface PreparedKernel {
  nbPath: string;
  kp: KernelProcess;
  client: KernelClient;
  ready: Promise<Record<string, unknown> | Error>;
  /** Shuts it down (when the notebook will not run after all). */
  stop(): Promise<void>;
}

/**
 * Starts a kernel for `nbPath`. With `warmUp` (the notebook's first code cell) the kernel is also
 * asked to complete that cell's code once it is up: tslab then builds its compiler program for the
 * cell's imports (parsing ~1,250 files, 5-9 s for a paper notebook) without executing anything,
 * and the cell's execution later reuses the parsed files. A completion has no side effects; if it
 * fails or times out the cell simply compiles as usual.
 */
async function startKernel(nbPath: string, opts: RunOptions, warmUp: string | null): Promise<PreparedKernel> {
  const kp = await startKernelProcess({ cwd: path.dirname(nbPath), env: opts.env });
  track(kp);
  let client: KernelClient;
  try {
    client = KernelClient.connect(kp.connection);
  } catch (e) {
    await stopKernelProcess(kp, 0);
    untrack(kp);
    throw e;
  }
  const limitMs = (opts.startTimeoutS ?? 120) * 1000;
  const ready = client.waitReady(limitMs, kp.exited).then(
    async (info) => {
      if (warmUp !== null && warmUp.trim() !== '') {
        const { msgId, reply } = client.request('shell', 'complete_request', { code: warmUp, cursor_pos: warmUp.length });
        await Promise.race([reply, kp.exited, sleep(limitMs)]);
        client.forget(msgId);
      }
      return info;
    },
    (e: Error) => e,
  );
  const stop = async () => {
    await ready;
    if (!kp.hasExited()) await client.shutdown(1500);
    client.close();
    await stopKernelProcess(kp, 1500);
    untrack(kp);
  };
  return { nbPath, kp, client, ready, stop };
}

/** The next notebook's kernel, started and warmed up while the current one runs; null if it cannot be read. */
function startAhead(file: string, opts: RunOptions): Promise<PreparedKernel> | null {
  const nbPath = path.resolve(file);
  let first: string;
  try {
    const cell = readNotebook(nbPath).cells.find((c) => c.cell_type === 'code');
    first = cell ? joinText(cell.source) : '';
  } catch {
    return null; // runNotebook reports the unreadable file
  }
  return startKernel(nbPath, opts, first);
}

/** Executes one notebook. Never throws for notebook failures: they are in the result. */
export async function runNotebook(file: string, opts: RunOptions = {}, prepared?: PreparedKernel): Promise<NotebookResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const nbPath = path.resolve(file);
  const outPath = opts.inPlace ? nbPath : path.join(path.resolve(opts.outDir ?? defaultOutDir()), path.basename(nbPath));
  const timeoutS = opts.timeoutS ?? 600;
  const result: NotebookResult = { path: nbPath, outPath, ok: false, cells: [], cellCount: 0, codeCellCount: 0, kernelStartSeconds: 0, seconds: 0, figuresWritten: [] };
  const figures = figuresBase(opts.env ?? process.env);
  const figuresBefore = snapshotFiles(figures);
  const rel = path.relative(process.cwd(), nbPath) || nbPath;

  let source: Notebook;
  try {
    source = readNotebook(nbPath);
  } catch (e) {
    result.setupError = (e as Error).message;
    log(`${rel}: ${result.setupError}`);
    return result;
  }
  const nb = freshCopy(source);
  const codeCells = nb.cells.map((c, i) => ({ c, i })).filter((x): x is { c: CodeCell; i: number } => x.c.cell_type === 'code');
  result.cellCount = nb.cells.length;
  result.codeCellCount = codeCells.length;

  const started = prepared && prepared.nbPath === nbPath ? prepared : null;
  if (prepared && !started) await prepared.stop(); // for another notebook: not usable here
  log(`${rel}: ${started ? 'kernel started ahead (while the previous notebook ran)' : 'starting kernel'}`);
  const { kp, client, ready } = started ?? (await startKernel(nbPath, opts, null));
  try {
    const info = await ready;
    if (info instanceof Error) {
      result.setupError = `${info.message}\n${kp.log().trim()}`.trim();
      log(`${rel}: kernel failed to start: ${result.setupError}`);
      return result;
    }
    result.kernelStartSeconds = seconds(t0);
    if (info.language_info && typeof info.language_info === 'object') {
      nb.metadata.language_info = info.language_info as Notebook['metadata']['language_info'];
    }
    log(`${rel}: kernel ready in ${result.kernelStartSeconds.toFixed(1)}s, ${codeCells.length} code cells`);

    const displays: DisplayIndex = new Map();
    for (let n = 0; n < codeCells.length; n++) {
      const { c: cell, i } = codeCells[n];
      const tc = Date.now();
      // A long cell prints a line every minute so a headless run never looks stuck.
      const ticker = setInterval(() => log(`[${n + 1}/${codeCells.length}] cell ${i + 1} still running (${Math.round(seconds(tc))}s)`), 60_000);
      const run = await executeCell(client, kp, joinText(cell.source), displays, timeoutS).finally(() => clearInterval(ticker));
      const failure: CellFailure | undefined = run.failure && { index: i, codeNumber: n + 1, ...run.failure };
      cell.outputs = run.outputs;
      cell.execution_count = run.executionCount;
      const report: CellReport = { index: i, codeNumber: n + 1, ok: !failure, seconds: seconds(tc), executionCount: run.executionCount };
      result.cells.push(report);
      writeNotebook(outPath, nb);
      log(`[${n + 1}/${codeCells.length}] cell ${i + 1} ... ${failure ? (failure.kind === 'timeout' ? 'TIMEOUT' : 'FAILED') : 'ok'} (${report.seconds.toFixed(1)}s)`);
      if (failure) {
        result.failedCell = failure;
        log(formatFailure(rel, failure, nb.cells.length, codeCells.length));
        break;
      }
    }
    result.ok = !result.failedCell;
  } finally {
    if (!kp.hasExited()) await client.shutdown(1500);
    client.close();
    await stopKernelProcess(kp, 1500);
    untrack(kp);
    writeNotebook(outPath, nb);
    result.seconds = seconds(t0);
    result.figuresWritten = writtenSince(figuresBefore, snapshotFiles(figures));
  }
  log(`${rel}: ${result.ok ? 'ok' : 'FAILED'} in ${result.seconds.toFixed(1)}s -> ${path.relative(process.cwd(), outPath) || outPath}`);
  return result;
}

/** The multi-line failure report: where, what, and the traceback. */
export function formatFailure(rel: string, f: CellFailure, cellCount: number, codeCount: number): string {
  const head = `${rel}: code cell ${f.codeNumber} of ${codeCount} (cell ${f.index + 1} of ${cellCount}, index ${f.index}) failed`;
  const first = `${f.ename}: ${f.evalue}`;
  const body = [first, ...f.traceback.filter((l, k) => !(k === 0 && (l === first || l === f.evalue)))];
  return [head, ...body.map((l) => `  ${l}`)].join('\n');
}

/** Options for `runNotebooks`: those of `runNotebook` plus whether to continue after a failure. */
export interface RunManyOptions extends RunOptions {
  keepGoing?: boolean;
  /**
   * Start each next notebook's kernel while the current one runs (default true;
   * INFORM_NOTEBOOK_START_AHEAD=0 turns it off). Saves its start and first-cell compile, ~8-14 s a
   * notebook, where a second core is free.
   */
  startAhead?: boolean;
}

/** Runs notebooks one after another; stops at the first failing one unless `keepGoing`. */
export async function runNotebooks(files: string[], opts: RunManyOptions = {}): Promise<NotebookResult[]> {
  const results: NotebookResult[] = [];
  const ahead = opts.startAhead ?? process.env.INFORM_NOTEBOOK_START_AHEAD !== '0';
  let next: Promise<PreparedKernel> | null = null;
  try {
    for (let i = 0; i < files.length; i++) {
      const mine = next;
      next = null;
      // The next notebook's kernel starts (and builds its first cell's program) on the other core
      // while this one runs; each notebook still gets its own fresh kernel, started before any of
      // its cells ran and with nothing executed in it.
      if (ahead && i + 1 < files.length) {
        next = startAhead(files[i + 1], opts);
        next?.catch(() => undefined); // a failed start is handled when its turn comes (it starts afresh)
      }
      const prepared = mine ? await mine.catch(() => undefined) : undefined;
      const r = await runNotebook(files[i], opts, prepared);
      results.push(r);
      if (!r.ok && !opts.keepGoing) break;
    }
  } finally {
    if (next) await next.then((k) => k.stop(), () => undefined);
  }
  return results;
}

/** Every `*.ipynb` in a folder, in name order (checkpoint folders excluded). */
export function listNotebooks(dir: string = path.join(checkoutRoot(), 'notebooks')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Resolves CLI arguments to notebook files: an existing path is taken as is; otherwise a name in
 * `notebooks/` with or without `.ipynb`, or a unique prefix such as `03`. No arguments: all.
 */
export function resolveNotebookArgs(args: string[], dir: string = path.join(checkoutRoot(), 'notebooks')): string[] {
  const all = listNotebooks(dir);
  if (args.length === 0) return all;
  return args.map((a) => {
    if (fs.existsSync(a) && fs.statSync(a).isFile()) return path.resolve(a);
    const base = a.replace(/\.ipynb$/, '');
    const exact = all.find((f) => path.basename(f, '.ipynb') === base);
    if (exact) return exact;
    const prefixed = all.filter((f) => path.basename(f).startsWith(base));
    if (prefixed.length === 1) return prefixed[0];
    const names = all.map((f) => path.basename(f, '.ipynb')).join(', ') || '(none)';
    if (prefixed.length > 1) throw new Error(`'${a}' matches several notebooks: ${prefixed.map((f) => path.basename(f)).join(', ')}`);
    throw new Error(`no notebook '${a}' (not a file, not in ${dir}; available: ${names})`);
  });
}
