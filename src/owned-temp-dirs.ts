/**
 * Temporary folders (and files) that name the process that owns them, so that what a killed
 * process left behind can be recognised and removed by the next one.
 *
 * A name is `<prefix><owner pid>-<random>` (e.g. `inform-sandbox-4242-Ab12Cd`). SIGKILL, or a
 * Ctrl-C that the program does not handle, gives the owner no chance to clean up; the next
 * process that makes a folder with the same prefix sweeps every entry whose owner is no longer
 * running. An entry whose owner pid is alive is never touched (a reused pid only delays a sweep).
 *
 * Folders made here are also removed on `process.exit()` (an 'exit' hook), after SIGKILLing the
 * process group registered with them (a sandboxed candidate still writing into its folder).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface LiveDir {
  /** process group to SIGKILL before the folder is removed at exit */
  group?: number;
}

const live = new Map<string, LiveDir>();
const swept = new Set<string>();
let exitHookInstalled = false;

/** True when `pid` names a running process (one we may not signal counts as running). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner pid written into `name` by {@link makeOwnedTempDir}, or null for any other name. */
export function ownerPid(name: string, prefix: string): number | null {
  if (!name.startsWith(prefix)) return null;
  const m = /^(\d+)-/.exec(name.slice(prefix.length));
  const pid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Removes every entry `<root>/<prefix><pid>-*` (folder or file) whose owner is no longer running.
 * Returns the removed paths. Never throws: a sweep must not stop the work it precedes.
 */
export function sweepDeadOwners(prefix: string, root: string = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = ownerPid(name, prefix);
    if (owner === null || processAlive(owner)) continue;
    const p = path.join(root, name);
    if (removeTree(p)) removed.push(p);
  }
  return removed;
}

/** {@link sweepDeadOwners}, at most once per prefix and root in this process. */
export function sweepDeadOwnersOnce(prefix: string, root: string = os.tmpdir()): string[] {
  const key = `${path.resolve(root)}\0${prefix}`;
  if (swept.has(key)) return [];
  swept.add(key);
  return sweepDeadOwners(prefix, root);
}

/**
 * Makes `<root>/<prefix><pid>-XXXXXX` (mode 0700), first sweeping what dead owners left under the
 * same prefix (once per process). The folder is removed at process exit unless
 * {@link removeOwnedTempDir} removed it before.
 */
export function makeOwnedTempDir(prefix: string, root: string = os.tmpdir()): string {
  sweepDeadOwnersOnce(prefix, root);
  const dir = fs.mkdtempSync(path.join(root, `${prefix}${process.pid}-`));
  live.set(dir, {});
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeLiveTempDirs);
  }
  return dir;
}

/** Registers the process group working in `dir`: at exit it is SIGKILLed before `dir` goes. */
export function setTempDirGroup(dir: string, group: number | undefined): void {
  const entry = live.get(dir);
  if (entry) entry.group = group;
}

/** Folders made by {@link makeOwnedTempDir} in this process and not removed yet. */
export function liveTempDirs(): string[] {
  return [...live.keys()];
}

/** Removes a folder made by {@link makeOwnedTempDir}. Never throws; false when it could not. */
export function removeOwnedTempDir(dir: string): boolean {
  live.delete(dir);
  return removeTree(dir);
}

/**
 * Synchronously kills the registered groups and removes every live folder (the exit hook; also
 * for a program's own signal handler before it exits). Returns the folders removed.
 */
export function removeLiveTempDirs(): string[] {
  for (const { group } of live.values()) {
    if (group === undefined) continue;
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const removed: string[] = [];
  for (const dir of [...live.keys()]) if (removeOwnedTempDir(dir)) removed.push(dir);
  return removed;
}

/**
 * `rm -rf`, tolerant of a writer that is still exiting (ENOTEMPTY, EBUSY: retried with a short
 * backoff) and of folders whose permissions a candidate took away (given back to the owner, then
 * retried). True when nothing is left.
 */
export function removeTree(p: string): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.rmSync(p, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      return true;
    } catch {
      unlockDirs(p);
    }
  }
  return !fs.existsSync(p);
}

/** chmod 700 on `dir` and every folder below it (symbolic links are not followed). */
function unlockDirs(dir: string): void {
  try {
    if (!fs.lstatSync(dir).isDirectory()) return;
    fs.chmodSync(dir, 0o700);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) unlockDirs(path.join(dir, entry.name));
    }
  } catch {
    // not ours or already gone: nothing more to do here
  }
}
