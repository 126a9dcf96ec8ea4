// Makes tslab announce each cell's execution count the way the Jupyter protocol asks kernels to:
// an `execute_input` message on iopub, carrying `execution_count`, when a cell starts.
//
// tslab puts the count only in its `execute_reply` and never publishes `execute_input` (nor
// `execute_result`). nbconvert's ExecutePreprocessor (nbclient 0.7) takes a cell's count only from
// iopub messages, so every executed cell was saved with `execution_count: null` and Jupyter showed
// `In [ ]`. The headless runner reads the reply and was not affected; with this, both agree.
//
// Plain .cjs: loaded by kernel-launch.cjs before tslab starts.
const path = require('node:path');

/** Patches tslab's classes in `tslabDir` (call before tslab's main() builds its server). */
function announceExecutionCounts(tslabDir) {
  const jupyter = require(path.join(tslabDir, 'dist', 'jupyter.js'));
  const { ZmqServer, JupyterHandlerImpl } = jupyter;
  if (typeof ZmqServer?.prototype?.handleExecute !== 'function' || typeof JupyterHandlerImpl?.prototype?.handleExecuteImpl !== 'function') {
    // A tslab whose internals moved: run unpatched (counts stay in execute_reply only).
    process.stderr.write('inform kernel: tslab internals changed; cells will not announce their execution counts\n');
    return false;
  }
  const serverExecute = ZmqServer.prototype.handleExecute;
  ZmqServer.prototype.handleExecute = function (sock, msg) {
    const server = this;
    // A hidden callback on the request content: the handler calls it once the cell has its number.
    Object.defineProperty(msg.content, '__informAnnounce', {
      enumerable: false,
      value(count) {
        const note = msg.createReply();
        note.header.msg_type = 'execute_input';
        note.content = { code: msg.content.code, execution_count: count };
        note.signAndSend(server.connInfo.key, server.iopub);
      },
    });
    return serverExecute.call(this, sock, msg);
  };
  const handlerExecute = JupyterHandlerImpl.prototype.handleExecuteImpl;
  JupyterHandlerImpl.prototype.handleExecuteImpl = function (req, ...rest) {
    // handleExecuteImpl runs inside tslab's one-at-a-time queue and numbers the cell
    // `++this.execCount` first thing, so this is the number the reply will carry.
    if (typeof req.__informAnnounce === 'function') req.__informAnnounce(this.execCount + 1);
    return handlerExecute.call(this, req, ...rest);
  };
  return true;
}

module.exports = { announceExecutionCounts };
