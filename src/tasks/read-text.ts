/** Reading dataset files as text (plain or gzip-compressed), with a clear error when missing. */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { IssueSink } from './dataset-error';

/** Reads a UTF-8 file; `.gz` files are decompressed. Strips a leading byte-order mark. */
export function readTextFile(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: cannot read dataset file (${code ?? String(e)})`);
  }
  if (file.endsWith('.gz') || (buf[0] === 0x1f && buf[1] === 0x8b)) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new Error(`${file}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** One non-blank line of a JSONL file with its 1-based line number. */
export interface NumberedLine {
  line: number;
  text: string;
}

/** Splits text into non-blank lines, keeping each line's 1-based number. */
export function numberedLines(text: string): NumberedLine[] {
  const out: NumberedLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '') out.push({ line: i + 1, text: lines[i] });
  }
  return out;
}

/** One JSONL line parsed as JSON, with its 1-based line number. */
export interface JsonLine {
  line: number;
  raw: unknown;
}

/**
 * Parses each non-blank line of JSONL text; a line that is not JSON is reported to `sink`
 * (naming file and line) and left out, so loaders only see parsed values.
 */
export function jsonLines(text: string, file: string, sink: IssueSink): JsonLine[] {
  const out: JsonLine[] = [];
  for (const { line, text: src } of numberedLines(text)) {
    try {
      out.push({ line, raw: JSON.parse(src) });
    } catch (e) {
      sink.fail({ file, line, unit: 'line', message: `invalid JSON (${(e as Error).message})` });
    }
  }
  return out;
}
