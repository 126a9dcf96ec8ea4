#!/usr/bin/env node
// Starts this checkout's tslab kernel. kernel.json (inform kernel install), the headless runner
// and nbconvert all start kernels through this file. It fixes two things before tslab loads:
//
// 1. Working directory = the checkout root. tslab compiles every cell with `rootDir` set to the
//    kernel's working directory, and Jupyter starts kernels in the notebook's folder
//    (notebooks/); a cell importing `../src/...` then fails with "File '.../src/x.ts' is not under
//    'rootDir'". From the root, `./src`, `./data` and `./figures` resolve the same way in
//    JupyterLab, VS Code, nbconvert, the headless runner and the `inform` CLI. The folder Jupyter
//    chose stays visible to cells as process.env.INFORM_NOTEBOOK_DIR.
//
// 2. No folder watching in tslab's compiler. tslab drives TypeScript's watch program with a fake
//    single-slot timer. A file created or deleted under a watched folder (src/ once a cell imports
//    project code that imports a package) makes TypeScript schedule a second timer, and every
//    later cell then fails with "Unexpected pending rebuildTimer" until the kernel restarts.
//    Edits to files already imported are still seen (those use file watchers, which are safe);
//    a module that failed to resolve is retried only after a kernel restart.
//
// 3. The kernel leaves when its launcher is gone (see parent-watch.cjs): a runner or Jupyter
//    killed with SIGKILL no longer leaves a kernel running under pid 1.
//
// Plain .cjs on purpose: kernel.json runs it directly with node, before any TypeScript exists.
const path = require('node:path');
const { watchParent } = require('./parent-watch.cjs');

const root = path.resolve(__dirname, '..', '..');
const tslabDir = path.join(root, 'node_modules', 'tslab');
process.env.INFORM_NOTEBOOK_DIR = process.cwd();
process.chdir(root);

// SIGTERM (jupyter_client's shutdown escalation, the runner's stop) and SIGHUP end the kernel
// through process.exit, so exit hooks run: Chromium is killed and temp folders removed. (Node's
// default action would skip them. SIGINT stays tslab's: it interrupts the running cell.)
for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129]]) process.on(sig, () => process.exit(code));

const configFile = process.argv[process.argv.indexOf('--config-path') + 1];
watchParent({ connectionFile: process.argv.includes('--config-path') && configFile ? path.resolve(process.env.INFORM_NOTEBOOK_DIR, configFile) : null });

const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] }));
ts.sys.watchDirectory = () => ({ close() {} });

// execute_input with the cell's number on iopub, so nbconvert saves execution counts (see the file).
require('./execute-input.cjs').announceExecutionCounts(tslabDir);
// One send at a time per socket: tslab never awaits its sends, and an overlapping one threw EBUSY
// and killed the kernel under load (see the file).
require('./zmq-send-queue.cjs').serializeSends(tslabDir);

// tslab's compile results for project files reused across kernels while src/ is unchanged (see the file).
require('./tslab-cache.cjs').installTslabCache({ root, tslabDir });

// 4. The kernel exits when asked to shut down. tslab queued its shutdown_reply and closed its
//    sockets at once, so the reply was lost, and then waited for the event loop to empty, which
//    never happened here (the parent watch, the exporter's timers): the runner and nbconvert waited
//    out their reply timeout and grace period and sent SIGTERM, ~3 s per notebook. Now the sockets
//    close once the queued reply and idle status are handed to ZeroMQ (plus 100 ms for them to
//    leave), and process.exit then runs the same exit hooks as SIGTERM (Chromium stopped, temp
//    folders removed).
const { ZmqServer } = require(path.join(tslabDir, 'dist', 'jupyter.js'));
if (typeof ZmqServer?.prototype?.close === 'function') {
  const { flushed } = require('./zmq-send-queue.cjs');
  const closeServer = ZmqServer.prototype.close;
  ZmqServer.prototype.close = function (...args) {
    const pending = Promise.all([this.control, this.shell, this.iopub].map(flushed));
    const atMost = new Promise((r) => setTimeout(r, 1000));
    Promise.race([pending, atMost])
      .then(() => new Promise((r) => setTimeout(r, 100)))
      .then(() => {
        closeServer.apply(this, args);
        setTimeout(() => process.exit(0), 50);
      });
  };
}

require(path.join(tslabDir, 'dist', 'main.js')).main();
