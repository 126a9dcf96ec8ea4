// One send at a time per ZeroMQ socket, inside the kernel process.
//
// tslab calls `socket.send()` without awaiting it (status, streams, display updates, replies).
// zeromq v6 allows one pending send per socket: when a send cannot complete at once (the I/O
// thread lags under load), the next one is rejected with EBUSY "Socket is busy writing", the
// rejection is unhandled, and the kernel process dies mid-cell (seen at load ~25 in notebook 01).
// Queuing each socket's sends keeps their order and never overlaps them. A send that still fails
// is reported on stderr instead of killing the kernel.
//
// Plain .cjs: loaded by kernel-launch.cjs before tslab starts.

/** Patches zeromq's Socket.send (the module tslab in `tslabDir` loads). Returns false if not found. */
const tails = new WeakMap();

/** Resolves once every message queued on `socket` so far has been handed to ZeroMQ. */
function flushed(socket) {
  return (socket && tails.get(socket)) || Promise.resolve();
}

function serializeSends(tslabDir) {
  const zmq = require(require.resolve('zeromq', { paths: [tslabDir] }));
  let proto = zmq.Publisher && zmq.Publisher.prototype;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'send')) proto = Object.getPrototypeOf(proto);
  if (!proto || typeof proto.send !== 'function') {
    process.stderr.write('inform kernel: zeromq internals changed; sends are not serialised\n');
    return false;
  }
  if (proto.send.__informSerialized) return true;
  const send = proto.send;
  const serialized = function (message) {
    const previous = tails.get(this) || Promise.resolve();
    const next = previous.then(() => send.call(this, message));
    const settled = next.catch((err) => {
      // A closed socket at shutdown is expected; anything else is worth a line, not a crash.
      if (!this.closed) process.stderr.write(`inform kernel: a ZeroMQ message could not be sent (${err && err.code ? err.code : ''} ${err && err.message ? err.message : err})\n`);
    });
    tails.set(this, settled);
    return settled;
  };
  serialized.__informSerialized = true;
  // The native method is read-only (writable: false) but configurable: plain assignment would be
  // ignored silently in this sloppy-mode file.
  Object.defineProperty(proto, 'send', { value: serialized, writable: false, enumerable: false, configurable: true });
  return proto.send === serialized;
}

module.exports = { serializeSends, flushed };
