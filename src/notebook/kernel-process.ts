/**
 * Starting and stopping a tslab kernel process, as Jupyter would: write a connection file (five
 * free TCP ports on 127.0.0.1, a random HMAC key), spawn the kernel in its own process group, and
 * tear the whole group down on every exit path (so nothing a cell started, such as Chromium,
 * outlives the run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { sweepDeadOwnersOnce } from '../owned-temp-dirs';

/** The connection file's content (Jupyter's format). */
export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

/** Connection files are `<tmp>/inform-kernel-<runner pid>-<random>.json`. */
export const CONNECTION_FILE_PREFIX = 'inform-kernel-';

/** Path of the launcher that starts tslab from the checkout root (see kernel-launch.cjs). */
export const KERNEL_LAUNCHER = path.join(__dirname, 'kernel-launch.cjs');

/** Asks the OS for a free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Builds connection info with five distinct free ports and a fresh key. */
export async function newConnectionInfo(): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = [...ports];
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    key: crypto.randomUUID(),
    signature_scheme: 'hmac-sha256',
    kernel_name: 'tslab',
  };
}

/** A running kernel process and how to reach it. */
export interface KernelProcess {
  child: ChildProcess;
  connection: ConnectionInfo;
  /** the connection file; its unique name also marks the process in `ps` output */
  connectionFile: string;
  /** resolves with a description ("exit code 1", "signal SIGKILL") when the process ends */
  exited: Promise<string>;
  /** true once the process has ended */
  hasExited(): boolean;
  /** kernel stdout/stderr outside of cells (startup errors, crashes) */
  log(): string;
}

/** Options for `startKernelProcess`. */
export interface KernelProcessOptions {
  /** working directory Jupyter would give the kernel: the notebook's folder */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** node executable; default this process's */
  node?: string;
}

/** Spawns `node kernel-launch.cjs kernel --config-path <file>` in a new process group. */
export async function startKernelProcess(opts: KernelProcessOptions): Promise<KernelProcess> {
  const connection = await newConnectionInfo();
  // Named after this process, so a file left by a runner and kernel both killed outright is
  // removed by the next start (a kernel outliving its runner removes its own: parent-watch.cjs).
  sweepDeadOwnersOnce(CONNECTION_FILE_PREFIX);
  const connectionFile = path.join(os.tmpdir(), `${CONNECTION_FILE_PREFIX}${process.pid}-${crypto.randomBytes(6).toString('hex')}.json`);
  fs.writeFileSync(connectionFile, JSON.stringify(connection, null, 1), { mode: 0o600 });
  const child = spawn(opts.node ?? process.execPath, [KERNEL_LAUNCHER, 'kernel', '--config-path', connectionFile], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    // Own process group: we can signal the kernel and everything it spawned at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-20000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => {
      done = true;
      resolve(`failed to start: ${e.message}`);
    });
    child.on('exit', (code, signal) => {
      done = true;
      fs.rmSync(connectionFile, { force: true });
      resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    });
  });
  return { child, connection, connectionFile, exited, hasExited: () => done, log: () => log };
}

/** Sends `signal` to the kernel's whole process group (falls back to the pid alone). */
export function signalGroup(kp: KernelProcess, signal: NodeJS.Signals): void {
  const pid = kp.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * Waits up to `graceMs` for the process to leave on its own, then SIGTERM, then SIGKILL to the
 * process group. Also kills the group when the kernel itself already exited (its children may not
 * have). Removes the connection file.
 */
export async function stopKernelProcess(kp: KernelProcess, graceMs = 2000): Promise<void> {
  const gone = () => kp.hasExited();
  const waitExit = (ms: number) => Promise.race([kp.exited.then(() => true), sleep(ms).then(() => false)]);
  if (!gone()) await waitExit(graceMs);
  if (!gone()) {
    signalGroup(kp, 'SIGTERM');
    await waitExit(2000);
  }
  // SIGKILL the group even after a clean exit: a cell may have started children that stay.
  signalGroup(kp, 'SIGKILL');
  if (!gone()) await waitExit(5000);
  fs.rmSync(kp.connectionFile, { force: true });
}
