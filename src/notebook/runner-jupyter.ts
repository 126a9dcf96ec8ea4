/**
 * The same notebooks executed by Jupyter's own machinery: `jupyter nbconvert --to notebook
 * --execute` with the tslab kernel. Used by `inform notebooks --jupyter` and the compatibility test.
 *
 * The kernelspec is written into a private folder under runs/ and put first on JUPYTER_PATH, so
 * this never depends on (or changes) what the user installed globally.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkoutRoot, installKernelSpec } from './kernel';
import { defaultOutDir, figuresBase, type NotebookResult } from './runner';
import { snapshotFiles, writtenSince } from './run-summary';

/** Options for `runWithJupyter`. */
export interface JupyterRunOptions {
  outDir?: string;
  /** per-cell limit in seconds (default 600) */
  timeoutS?: number;
  /** the jupyter executable (default: `jupyter` on PATH) */
  jupyter?: string;
  log?: (line: string) => void;
  /** extra environment for nbconvert and its kernel (e.g. JUPYTER_RUNTIME_DIR) */
  env?: NodeJS.ProcessEnv;
}

/** Finds an executable on PATH; null when absent. */
export function findOnPath(name: string, envPath: string = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * `python3 -c PDEATHSIG_EXEC <our pid> <command...>`: asks Linux to send SIGINT to the process
 * when its parent (this one) dies (prctl PR_SET_PDEATHSIG, kept across exec), then execs the
 * command. A parent already gone before the prctl is seen by the pid check.
 */
const PDEATHSIG_EXEC = [
  'import ctypes, os, signal, sys',
  'ctypes.CDLL(None).prctl(1, signal.SIGINT)',
  'if os.getppid() != int(sys.argv[1]): os._exit(130)',
  'os.execvp(sys.argv[2], sys.argv[2:])',
].join('\n');

/** Writes the private kernelspec and returns the JUPYTER_PATH entry that exposes it. */
export function privateKernelPath(): string {
  const dataDir = path.join(checkoutRoot(), 'runs', 'jupyter');
  installKernelSpec({ env: { JUPYTER_DATA_DIR: dataDir } });
  return dataDir;
}

/**
 * Executes one notebook with nbconvert. Resolves with a result shaped like the native runner's
 * (per-cell details are not available from nbconvert: `cells` is empty). nbconvert does not save
 * a notebook that failed; its error report goes to `log`.
 */
export async function runWithJupyter(file: string, opts: JupyterRunOptions = {}): Promise<NotebookResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const jupyter = opts.jupyter ?? findOnPath('jupyter');
  const nbPath = path.resolve(file);
  const outDir = path.resolve(opts.outDir ?? defaultOutDir());
  const outPath = path.join(outDir, path.basename(nbPath));
  const base: NotebookResult = { path: nbPath, outPath, ok: false, cells: [], cellCount: 0, codeCellCount: 0, kernelStartSeconds: 0, seconds: 0, figuresWritten: [] };
  const figures = figuresBase({ ...process.env, ...opts.env });
  const figuresBefore = snapshotFiles(figures);
  if (!jupyter) {
    return { ...base, setupError: 'jupyter is not on PATH (Debian/Ubuntu: apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel)' };
  }
  const jupyterPath = [privateKernelPath(), opts.env?.JUPYTER_PATH ?? process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  const args = [
    'nbconvert', '--to', 'notebook', '--execute',
    '--ExecutePreprocessor.kernel_name=tslab',
    `--ExecutePreprocessor.timeout=${opts.timeoutS ?? 600}`,
    '--ExecutePreprocessor.startup_timeout=120',
    '--output-dir', outDir,
    nbPath,
  ];
  log(`${path.relative(process.cwd(), nbPath)}: jupyter ${args.join(' ')}`);
  // Own process group, so a terminal's Ctrl-C reaches nbconvert only through the forwarding below
  // (a second interrupt during its clean-up would cut that short). On Linux nbconvert also gets
  // SIGINT when this process dies, even by SIGKILL (see PDEATHSIG_EXEC), and then shuts its
  // kernel down as on Ctrl-C; the kernel would leave on its own too, but only after nbconvert.
  const python = process.platform === 'linux' ? findOnPath('python3') : null;
  const [cmd, argv] = python ? [python, ['-c', PDEATHSIG_EXEC, String(process.pid), jupyter, ...args]] : [jupyter, args];
  const child = spawn(cmd, argv, { env: { ...process.env, ...opts.env, JUPYTER_PATH: jupyterPath }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  // SIGINT/SIGTERM/SIGHUP to the runner: interrupt nbconvert, which then shuts its kernel down
  // (killing nbconvert outright would leave the kernel and whatever a cell started running), then
  // exit. SIGHUP is what closing the terminal sends.
  const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig === 'SIGHUP') process.stderr.on('error', () => undefined); // the terminal may be gone
    log(`${path.relative(process.cwd(), nbPath)}: ${sig}, interrupting nbconvert`);
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    child.once('close', () => process.exit(exitCodes[sig] ?? 1));
  };
  for (const sig of Object.keys(exitCodes) as NodeJS.Signals[]) process.once(sig, onSignal);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1))).finally(() => {
    for (const sig of Object.keys(exitCodes) as NodeJS.Signals[]) process.off(sig, onSignal);
  });
  // nbconvert exits 0 even when the kernel crashed after the last cell (at shutdown): its error
  // is only in the kernel's stderr, which nbconvert passes through. That is a failure too.
  const kernelErrors = code === 0 ? kernelErrorLines(output) : [];
  const ok = code === 0 && kernelErrors.length === 0;
  if (!ok) log(failureLog(output));
  const seconds = (Date.now() - t0) / 1000;
  log(`${path.relative(process.cwd(), nbPath)}: ${ok ? 'ok' : 'FAILED'} under nbconvert in ${seconds.toFixed(1)}s`);
  const figuresWritten = writtenSince(figuresBefore, snapshotFiles(figures));
  const why = code !== 0 ? `nbconvert exited with code ${code}` : `the kernel reported an error on stderr: ${kernelErrors[0]}`;
  return { ...base, ok, seconds, figuresWritten, ...(ok ? {} : { setupError: why }) };
}

/**
 * What a failed run logs of nbconvert's output: its last 40 lines, and before them any error the
 * kernel process printed earlier. A kernel that fails while starting (nbconvert then waits for it,
 * "Kernel didn't respond in 120 seconds") says why long before nbconvert's traceback fills the tail.
 */
export function failureLog(output: string, tailLines = 40): string {
  const lines = output.trim().split('\n');
  const earlier = kernelErrorLines(lines.slice(0, -tailLines).join('\n'));
  const head = earlier.length ? [`kernel errors before the last ${tailLines} lines:`, ...earlier, '...'] : [];
  return [...head, ...lines.slice(-tailLines)].join('\n');
}

/**
 * Lines of nbconvert's output that report an error of the kernel process itself, outside any
 * cell: tslab's last-resort handlers ("UncaughtException: ...", "UnhandledPromiseRejection: ...")
 * and Node's report of a fatal exception ("Error: ENOTEMPTY: ..." at the start of a line).
 * Errors of cells go to the notebook, not to stderr.
 */
export function kernelErrorLines(output: string): string[] {
  return output.split('\n').filter((l) => /^(UncaughtException|UnhandledPromiseRejection):/.test(l) || /^[A-Z]?[A-Za-z]*Error(?: \[\w+\])?: /.test(l));
}
