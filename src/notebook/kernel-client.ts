/**
 * A minimal Jupyter client over ZeroMQ: shell and control on Dealer sockets, iopub on a Subscriber.
 * It sends requests, matches replies and iopub messages to requests by parent msg_id, and knows
 * when an execution is complete (execute_reply received and iopub status back to idle).
 */
import * as crypto from 'node:crypto';
import * as zmq from 'zeromq';
import type { ConnectionInfo } from './kernel-process';
import { decodeMessage, encodeMessage, makeMessage, type JupyterMessage } from './jupyter-wire';

/** Content of an execute_reply (the fields we use). */
export interface ExecuteReply {
  status: 'ok' | 'error' | 'abort' | string;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

type Listener = (msg: JupyterMessage) => void;

/** One connection to a running kernel. Create with `KernelClient.connect`. */
export class KernelClient {
  readonly session = crypto.randomUUID();
  private readonly replyWaiters = new Map<string, Listener>();
  private readonly iopubListeners = new Map<string, Listener>();
  private closed = false;
  /** protocol errors seen while reading (bad signatures etc.); reported, never thrown from pumps */
  readonly problems: string[] = [];

  private constructor(
    private readonly conn: ConnectionInfo,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
  ) {}

  /** Connects all three sockets (ZeroMQ connects lazily: the kernel may still be starting). */
  static connect(conn: ConnectionInfo): KernelClient {
    const url = (port: number) => `${conn.transport}://${conn.ip}:${port}`;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(url(conn.shell_port));
    control.connect(url(conn.control_port));
    iopub.connect(url(conn.iopub_port));
    iopub.subscribe();
    const client = new KernelClient(conn, shell, control, iopub);
    client.pump(shell, (m) => client.onReply(m));
    client.pump(control, (m) => client.onReply(m));
    client.pump(iopub, (m) => client.onIopub(m));
    return client;
  }

  private async pump(sock: zmq.Dealer | zmq.Subscriber, handle: Listener): Promise<void> {
    try {
      for await (const frames of sock) {
        let msg: JupyterMessage;
        try {
          msg = decodeMessage(this.conn.key, frames as Buffer[]);
        } catch (e) {
          this.problems.push((e as Error).message);
          continue;
        }
        handle(msg);
      }
    } catch (e) {
      if (!this.closed) this.problems.push(`socket read failed: ${(e as Error).message}`);
    }
  }

  private onReply(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    const waiter = id ? this.replyWaiters.get(id) : undefined;
    if (waiter) {
      this.replyWaiters.delete(id!);
      waiter(msg);
    }
  }

  private onIopub(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    const listener = id ? this.iopubListeners.get(id) : undefined;
    if (listener) listener(msg);
  }

  /** Sends a request; resolves with its reply. Listens to iopub for it while `onIopub` is given. */
  request(channel: 'shell' | 'control', msgType: string, content: unknown, onIopub?: Listener): { msgId: string; reply: Promise<JupyterMessage> } {
    if (this.closed) throw new Error('kernel client is closed');
    const msg = makeMessage(msgType, content, this.session);
    const msgId = msg.header.msg_id;
    if (onIopub) this.iopubListeners.set(msgId, onIopub);
    const reply = new Promise<JupyterMessage>((resolve) => this.replyWaiters.set(msgId, resolve));
    const sock = channel === 'shell' ? this.shell : this.control;
    sock.send(encodeMessage(this.conn.key, msg)).catch((e: Error) => this.problems.push(`send ${msgType} failed: ${e.message}`));
    return { msgId, reply };
  }

  /** Stops routing iopub messages for a finished request. */
  forget(msgId: string): void {
    this.iopubListeners.delete(msgId);
    this.replyWaiters.delete(msgId);
  }

  /**
   * Waits until the kernel answers kernel_info_request on shell AND its status for one of those
   * requests arrives on iopub (a subscriber misses what was published before it joined, so
   * executing before this would lose a cell's first outputs). Returns the kernel_info_reply content.
   */
  async waitReady(timeoutMs: number, abort: Promise<string>): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let info: Record<string, unknown> | null = null;
    let iopubSeen = false;
    let aborted: string | null = null;
    abort.then((why) => (aborted = why));
    const sent: string[] = [];
    try {
      while (!(info && iopubSeen)) {
        if (aborted) throw new Error(`kernel ended before it was ready (${aborted})`);
        if (Date.now() > deadline) throw new Error(`kernel did not answer within ${Math.round(timeoutMs / 1000)} s`);
        const { msgId, reply } = this.request('shell', 'kernel_info_request', {}, () => (iopubSeen = true));
        sent.push(msgId);
        reply.then((m) => (info = m.content));
        await new Promise((r) => setTimeout(r, info ? 100 : 250));
      }
    } finally {
      for (const id of sent) this.forget(id);
    }
    return info!;
  }

  /**
   * Runs `code`; `onIopub` sees every iopub message of this execution. Resolves with the
   * execute_reply content once the reply arrived and the kernel published idle for it.
   */
  execute(code: string, onIopub: Listener): { msgId: string; done: Promise<ExecuteReply> } {
    let idle!: () => void;
    const becameIdle = new Promise<void>((r) => (idle = r));
    const { msgId, reply } = this.request(
      'shell',
      'execute_request',
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      (m) => {
        if (m.header.msg_type === 'status' && m.content.execution_state === 'idle') idle();
        else onIopub(m);
      },
    );
    const done = Promise.all([reply, becameIdle]).then(([r]) => {
      this.forget(msgId);
      return r.content as unknown as ExecuteReply;
    });
    return { msgId, done };
  }

  /** Asks the kernel to shut down (control channel); resolves true if it replied in time. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    const { reply } = this.request('control', 'shutdown_request', { restart: false });
    const timer = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
    return Promise.race([reply.then(() => true), timer]);
  }

  /** Closes the sockets (pending waits are dropped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.replyWaiters.clear();
    this.iopubListeners.clear();
    for (const s of [this.shell, this.control, this.iopub]) s.close();
  }
}
