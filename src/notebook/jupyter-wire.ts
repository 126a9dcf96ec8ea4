/**
 * The Jupyter messaging wire format (protocol 5.3), as pure functions.
 *
 * A message on a ZeroMQ socket is a list of frames:
 *   [routing ids…, "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers…]
 * where hmac is HMAC-SHA256 (hex) over the four JSON frames with the connection's key.
 */
import * as crypto from 'node:crypto';

export const DELIMITER = '<IDS|MSG>';
export const PROTOCOL_VERSION = '5.3';

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One decoded message. `parent_header` is `{}` when the message has no parent. */
export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** HMAC-SHA256 hex digest over the JSON frames; '' when the key is empty (signing disabled). */
export function sign(key: string, frames: Array<string | Buffer>): string {
  if (!key) return '';
  const h = crypto.createHmac('sha256', key);
  for (const f of frames) h.update(f);
  return h.digest('hex');
}

/** Builds a new message with a fresh msg_id for `session`. */
export function makeMessage<C>(msgType: string, content: C, session: string, parent: Partial<MessageHeader> = {}): JupyterMessage<C> {
  return {
    header: {
      msg_id: crypto.randomUUID(),
      session,
      username: 'inform',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: parent,
    metadata: {},
    content,
    buffers: [],
  };
}

/** Serialises a message into signed frames (without routing ids: a Dealer adds none). */
export function encodeMessage(key: string, msg: JupyterMessage<unknown>): Array<string | Buffer> {
  const body = [JSON.stringify(msg.header), JSON.stringify(msg.parent_header), JSON.stringify(msg.metadata), JSON.stringify(msg.content)];
  return [DELIMITER, sign(key, body), ...body, ...msg.buffers];
}

/**
 * Parses received frames and checks their signature (constant-time compare). Throws on a missing
 * delimiter, a bad signature or malformed JSON, naming the frame.
 */
export function decodeMessage(key: string, frames: Buffer[]): JupyterMessage {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (at < 0) throw new Error('jupyter message without the <IDS|MSG> delimiter');
  if (frames.length < at + 6) throw new Error(`jupyter message has ${frames.length - at - 1} frames after the delimiter, expected at least 5`);
  const signature = frames[at + 1].toString();
  const body = frames.slice(at + 2, at + 6);
  const expected = sign(key, body);
  if (key && (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected)))) {
    throw new Error('jupyter message with an invalid HMAC signature');
  }
  const names = ['header', 'parent_header', 'metadata', 'content'];
  const parsed = body.map((b, i) => {
    try {
      return JSON.parse(b.toString('utf8'));
    } catch (e) {
      throw new Error(`jupyter message: ${names[i]} frame is not JSON (${(e as Error).message})`);
    }
  });
  return {
    header: parsed[0] as MessageHeader,
    parent_header: parsed[1] as Partial<MessageHeader>,
    metadata: parsed[2] as Record<string, unknown>,
    content: parsed[3] as Record<string, unknown>,
    buffers: frames.slice(at + 6),
  };
}
