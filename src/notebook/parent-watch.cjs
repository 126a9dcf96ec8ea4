// Makes the kernel leave when the process that started it is gone.
//
// A runner, nbconvert or Jupyter server killed with SIGKILL (or by a closed terminal's SIGHUP
// before it handled signals) cannot stop its kernel; the kernel would live on under pid 1 with
// its connection file and whatever its cells started. Every launcher starts the kernel as a
// direct child, so the kernel notices by its parent pid changing (reparenting), for any launcher.
//
// The check runs in a worker thread: a cell in a synchronous loop holds the main thread, and a
// timer there would never fire. The worker asks the main thread to exit (exit hooks then close
// Chromium and remove temp folders); if the main thread does not within `graceMs`, the worker
// removes the connection file and SIGKILLs the kernel's process group itself.
//
// Plain .cjs, like kernel-launch.cjs, which loads it before any TypeScript exists.
const fs = require('node:fs');
const { Worker } = require('node:worker_threads');

const WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const fs = require('node:fs');
const timer = setInterval(() => {
  if (process.ppid === w.ppid) return;
  clearInterval(timer);
  parentPort.postMessage(process.ppid);
  setTimeout(() => {
    if (w.connectionFile) fs.rmSync(w.connectionFile, { force: true });
    killGroup(w.pid);
  }, w.graceMs);
}, w.pollMs);
${killGroup.toString()}
`;

/**
 * SIGKILL to the process group led by `pid` (the kernel leads its own group under every launcher:
 * the runner spawns it detached, jupyter_client with start_new_session), else to `pid` alone.
 * kill(-pid) cannot hit a stranger's group: a group id is its leader's pid, which is not reused
 * while the group exists.
 */
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}

/**
 * Starts watching. `connectionFile` (the kernel's, from --config-path) is removed when the parent
 * is gone, since nobody else will. Returns the worker, or null when there is no parent to watch
 * (started by init) or worker threads are unavailable.
 */
function watchParent({ connectionFile = null, pollMs = 500, graceMs = 2000, log = (m) => process.stderr.write(m + '\n') } = {}) {
  const ppid = process.ppid;
  if (ppid <= 1) return null;
  let worker;
  try {
    worker = new Worker(WORKER, { eval: true, workerData: { ppid, pid: process.pid, connectionFile, pollMs, graceMs } });
  } catch (e) {
    log(`kernel: cannot watch the parent process (${e.message}); stop the kernel yourself if its launcher is killed`);
    return null;
  }
  worker.unref(); // never keeps the kernel alive
  worker.on('error', (e) => log(`kernel: the parent watch failed: ${e.message}`));
  worker.on('message', (now) => {
    log(`kernel: parent process ${ppid} is gone (now ${now}); exiting`);
    if (connectionFile) fs.rmSync(connectionFile, { force: true });
    // Registered last, so it runs after every other exit hook (Chromium, temp folders): then the
    // rest of the group (children a cell started) goes too.
    process.on('exit', () => killGroup(process.pid));
    process.exit(129);
  });
  return worker;
}

module.exports = { watchParent, killGroup };
