/**
 * The encoding cache: vectors keyed by encoder name + SHA-256 of the text, stored as base64 of
 * little-endian Float32 in a crash-safe JsonlLog (`encodings.jsonl` of a run directory), written
 * once per key like the transcripts.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { JsonlLog, type JsonlLogOptions } from '../experts/store/jsonl-log';
import type { Encoder } from './types';

export const ENCODINGS_FILE = 'encodings.jsonl';

/** Cache key of `text` under `encoderName`. */
export function encodingKey(encoderName: string, text: string): string {
  return `${encoderName}/${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** Float32Array -> base64 of its little-endian bytes. */
export function vectorToBase64(v: Float32Array): string {
  const bytes = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i], i * 4);
  return bytes.toString('base64');
}

/** base64 of little-endian Float32 bytes -> Float32Array. */
export function base64ToVector(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`encoding of ${bytes.length} bytes is not a Float32 vector`);
  const v = new Float32Array(bytes.length / 4);
  for (let i = 0; i < v.length; i++) v[i] = bytes.readFloatLE(i * 4);
  return v;
}

/** The vectors of one run directory, on disk. */
export class EncodingCache {
  private constructor(readonly log: JsonlLog<string>) {}

  /** Opens `<dir>/encodings.jsonl` (or `dir` itself when it ends in .jsonl). */
  static open(dir: string, opts: JsonlLogOptions = {}): EncodingCache {
    const file = dir.endsWith('.jsonl') ? dir : path.join(dir, ENCODINGS_FILE);
    return new EncodingCache(JsonlLog.open<string>(file, opts));
  }

  get size(): number {
    return this.log.size;
  }

  get(encoderName: string, text: string): Float32Array | undefined {
    const b64 = this.log.get(encodingKey(encoderName, text));
    return b64 === undefined ? undefined : base64ToVector(b64);
  }

  put(encoderName: string, text: string, v: Float32Array): boolean {
    return this.log.append(encodingKey(encoderName, text), vectorToBase64(v));
  }

  close(): void {
    this.log.close();
  }
}

/** An encoder whose results go through `cache`; `stats` counts texts really encoded and reused. */
export interface CachedEncoder extends Encoder {
  readonly stats: { encoded: number; reused: number };
}

/** Wraps `encoder`: cached texts are read back, the rest are encoded in one batch and stored. */
export function cachedEncoder(encoder: Encoder, cache: EncodingCache): CachedEncoder {
  const stats = { encoded: 0, reused: 0 };
  return {
    name: encoder.name,
    dim: encoder.dim,
    stats,
    async encode(texts: string[]): Promise<Float32Array[]> {
      const out: (Float32Array | undefined)[] = texts.map((t) => cache.get(encoder.name, t));
      const missing: number[] = [];
      const seen = new Map<string, number>(); // encode a text repeated within the batch once
      out.forEach((v, i) => {
        if (v) stats.reused++;
        else if (!seen.has(texts[i])) {
          seen.set(texts[i], missing.length);
          missing.push(i);
        }
      });
      if (missing.length > 0) {
        const fresh = await encoder.encode(missing.map((i) => texts[i]));
        if (fresh.length !== missing.length) throw new Error(`encoder ${encoder.name} returned ${fresh.length} vectors for ${missing.length} texts`);
        missing.forEach((i, j) => {
          if (fresh[j].length !== encoder.dim) throw new Error(`encoder ${encoder.name} returned a vector of length ${fresh[j].length}, expected ${encoder.dim}`);
          cache.put(encoder.name, texts[i], fresh[j]);
          stats.encoded++;
        });
        out.forEach((v, i) => {
          if (!v) out[i] = fresh[seen.get(texts[i]) as number];
        });
      }
      return out as Float32Array[];
    },
    dispose: encoder.dispose ? () => (encoder.dispose as () => Promise<void>)() : undefined,
  };
}
