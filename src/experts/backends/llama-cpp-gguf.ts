/**
 * A small synchronous reader for the metadata header of a GGUF file (v2/v3).
 *
 * Used to validate a model file when a config is loaded (is it GGUF at all?) and to learn facts
 * such as the embedding size before node-llama-cpp (async, heavy) loads the weights. Arrays (the
 * tokenizer vocabulary, ...) are skipped and reported by length only; tensor data is never read.
 */
import * as fs from 'node:fs';

/** A metadata value: scalars as-is, arrays summarised by element type and length. */
export type GgufValue = number | bigint | boolean | string | { arrayOf: number; length: number };

export interface GgufHeader {
  version: number;
  tensorCount: number;
  metadata: Map<string, GgufValue>;
}

// Sizes of the fixed-width GGUF value types, by type id.
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

/** Reads a file front to back in chunks, without loading multi-gigabyte weights. */
class ChunkReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private filePos = 0;
  constructor(private readonly fd: number, private readonly file: string) {}

  /** Absolute offset of the next unread byte (for error messages). */
  get offset(): number {
    return this.filePos - (this.buf.length - this.pos);
  }

  private ensure(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    const rest = this.buf.subarray(this.pos);
    const chunk = Buffer.alloc(Math.max(n - rest.length, 1 << 20));
    const read = fs.readSync(this.fd, chunk, 0, chunk.length, this.filePos);
    this.filePos += read;
    this.buf = Buffer.concat([rest, chunk.subarray(0, read)]);
    this.pos = 0;
    if (this.buf.length < n) throw new Error(`${this.file}: truncated GGUF header at byte ${this.offset}`);
  }

  bytes(n: number): Buffer {
    this.ensure(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(n: number): void {
    while (n > 0) {
      const step = Math.min(n, 1 << 20);
      this.bytes(step);
      n -= step;
    }
  }
  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }
  u64(): number {
    const v = this.bytes(8).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${this.file}: implausible length ${v} at byte ${this.offset - 8}`);
    return Number(v);
  }
  str(): string {
    return this.bytes(this.u64()).toString('utf8');
  }
  scalar(type: number): GgufValue {
    const size = FIXED_SIZE[type];
    if (size === undefined) throw new Error(`${this.file}: unknown GGUF value type ${type} at byte ${this.offset}`);
    const b = this.bytes(size);
    switch (type) {
      case 0: return b.readUInt8(0);
      case 1: return b.readInt8(0);
      case 2: return b.readUInt16LE(0);
      case 3: return b.readInt16LE(0);
      case 4: return b.readUInt32LE(0);
      case 5: return b.readInt32LE(0);
      case 6: return b.readFloatLE(0);
      case 7: return b.readUInt8(0) !== 0;
      case 10: return b.readBigUInt64LE(0);
      case 11: return b.readBigInt64LE(0);
      default: return b.readDoubleLE(0);
    }
  }
}

/** Reads the GGUF header and metadata of `file`; throws a clear error if it is not a GGUF file. */
export function readGgufHeader(file: string): GgufHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const r = new ChunkReader(fd, file);
    const magic = r.bytes(4).toString('latin1');
    if (magic !== 'GGUF') throw new Error(`${file} is not a GGUF file (starts with ${JSON.stringify(magic)}, expected "GGUF")`);
    const version = r.u32();
    if (version < 2 || version > 3) throw new Error(`${file}: unsupported GGUF version ${version} (2 or 3 expected)`);
    const tensorCount = r.u64();
    const kvCount = r.u64();
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = r.str();
      const type = r.u32();
      if (type === STRING) metadata.set(key, r.str());
      else if (type === ARRAY) {
        const elem = r.u32();
        const length = r.u64();
        if (elem === STRING) for (let k = 0; k < length; k++) r.skip(r.u64());
        else if (FIXED_SIZE[elem] !== undefined) r.skip(FIXED_SIZE[elem] * length);
        else throw new Error(`${file}: metadata key ${key} is an array of unsupported type ${elem}`);
        metadata.set(key, { arrayOf: elem, length });
      } else metadata.set(key, r.scalar(type));
    }
    return { version, tensorCount, metadata };
  } finally {
    fs.closeSync(fd);
  }
}

/** The embedding width (`<architecture>.embedding_length`) of a GGUF model. */
export function ggufEmbeddingLength(header: GgufHeader, file: string): number {
  const arch = header.metadata.get('general.architecture');
  const n = typeof arch === 'string' ? header.metadata.get(`${arch}.embedding_length`) : undefined;
  if (typeof n !== 'number' && typeof n !== 'bigint') {
    throw new Error(`${file}: GGUF metadata has no "${String(arch)}.embedding_length"`);
  }
  return Number(n);
}
