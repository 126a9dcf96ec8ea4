/**
 * What the operating system lets the sandbox use, probed once per process:
 *  - the real Python interpreter behind `python3` on PATH (resolving it once skips a pyenv
 *    shim's start-up cost on every candidate);
 *  - whether `unshare` can give each candidate its own user, network and PID namespaces
 *    (no network interface but loopback-down; every process it starts dies with it).
 */
import { spawnSync } from 'node:child_process';
import { makeOwnedTempDir, removeOwnedTempDir } from '../../owned-temp-dirs';

/** What the sandbox enforces at the OS level on this machine. */
export interface SandboxCapabilities {
  /** absolute path of the interpreter candidates run under */
  python: string;
  /** Python's version string */
  pythonVersion: string;
  /** true when candidates run in fresh network + PID namespaces (`unshare -rn --pid --fork`) */
  namespaces: boolean;
  /** why namespaces are unavailable, when they are */
  namespacesUnavailableReason?: string;
  /** true when, inside the namespaces, every mount but the sandbox directory is read-only */
  readOnlyFilesystem: boolean;
  /** mount points that could not be made read-only (e.g. a kernel-locked /proc) */
  writableMounts: string[];
}

const cache = new Map<string, SandboxCapabilities>();

/** The argv prefix that wraps the interpreter in namespaces (empty when unavailable). */
export const UNSHARE_ARGS = ['unshare', '--user', '--map-root-user', '--mount', '--net', '--pid', '--fork', '--kill-child'];

const DRIVER_DIR = __dirname;

/**
 * Probes (once per interpreter name) the interpreter and namespace support.
 * Throws a clear error when no usable Python is found.
 */
export function sandboxCapabilities(python = 'python3'): SandboxCapabilities {
  const hit = cache.get(python);
  if (hit) return hit;
  const probe = spawnSync(python, ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0 || !probe.stdout) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim();
    throw new Error(`sandbox: cannot run '${python}' (${why || `exit ${probe.status}`}); HumanEval grading needs Python 3.8+ on PATH`);
  }
  const [exe, version] = probe.stdout.trim().split('\n');
  const [major, minor] = version.split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 8)) throw new Error(`sandbox: ${exe} is Python ${version}; audit hooks need 3.8+`);

  // The namespaces must work, leave no interface but loopback, and let the driver lock the mounts.
  const check = [
    'import os, socket, sys',
    `sys.path.insert(0, ${JSON.stringify(DRIVER_DIR)})`,
    'import driver',
    'print(",".join(name for _, name in socket.if_nameindex()))',
    'failed = driver.lock_filesystem(os.getcwd())',
    'try:',
    '    open("probe.txt", "w").write("ok")  # the sandbox directory must stay writable',
    '    print("dir-writable")',
    'except OSError:',
    '    print("dir-readonly")',
    'print("\\n".join(failed))',
  ].join('\n');
  const probeDir = makeOwnedTempDir('inform-sandbox-probe-');
  let ns;
  try {
    ns = spawnSync(UNSHARE_ARGS[0], [...UNSHARE_ARGS.slice(1), exe, '-I', '-B', '-c', check], { encoding: 'utf8', timeout: 20_000, cwd: probeDir });
  } finally {
    removeOwnedTempDir(probeDir);
  }
  const lines = (ns.stdout ?? '').trim().split('\n');
  const namespaces = ns.status === 0 && lines[0] === 'lo';
  const writableMounts = namespaces ? lines.slice(2).filter((l) => l !== '') : [];
  const caps: SandboxCapabilities = {
    python: exe,
    pythonVersion: version,
    namespaces,
    readOnlyFilesystem: namespaces && lines[1] === 'dir-writable' && !writableMounts.includes('/'),
    writableMounts,
  };
  if (!namespaces) caps.namespacesUnavailableReason = ns.error ? ns.error.message : (ns.stderr || ns.stdout || `exit ${ns.status}`).trim();
  cache.set(python, caps);
  return caps;
}
