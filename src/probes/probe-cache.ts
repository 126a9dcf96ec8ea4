/**
 * Probe outputs on disk and their reuse: each output file records the inputs it was computed
 * from (checkpoint and data fingerprints, probe options, code version); a later pass reuses the
 * file while those inputs are unchanged. Writes are atomic (temporary file, then rename), so a
 * killed pass leaves complete files only and resumes where it stopped.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RoutingItem } from '../orchestrator/dataset';

/**
 * Short sha256 of a checkpoint's manifest and weights (what the model computes with). A manifest
 * that records the weights file's length and every tensor's sha256 (checkpoint version 2) already
 * pins the weights, and loading checks the file against it, so weights.bin is not hashed again
 * (5.6 MB read and hashed once more per epoch at the paper's size); an older manifest without
 * them is hashed with the file.
 */
export function checkpointFingerprint(dir: string): string {
  const h = crypto.createHash('sha256');
  const read = (f: string) => {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new Error(`probes: checkpoint ${dir} has no ${f}`);
    return fs.readFileSync(p);
  };
  const manifest = read('manifest.json');
  h.update('manifest.json');
  h.update(manifest);
  if (!manifestPinsWeights(manifest)) {
    h.update('weights.bin');
    h.update(read('weights.bin'));
  } else if (!fs.existsSync(path.join(dir, 'weights.bin'))) throw new Error(`probes: checkpoint ${dir} has no weights.bin`);
  return h.digest('hex').slice(0, 16);
}

/** Whether a manifest records weights.bin's length and a sha256 for each of its tensors. */
function manifestPinsWeights(manifest: Buffer): boolean {
  try {
    const w = (JSON.parse(manifest.toString('utf8')) as { weights?: { bytes?: unknown; tensors?: Array<{ sha256?: unknown }> } }).weights;
    return !!w && typeof w.bytes === 'number' && Array.isArray(w.tensors) && w.tensors.length > 0 && w.tensors.every((t) => typeof t.sha256 === 'string');
  } catch {
    return false; // not JSON: hash the bytes, and let loading say what is wrong
  }
}

/** Short sha256 of items as the probes read them: ids, tasks, grades and every encoding. */
export function itemsFingerprint(items: readonly RoutingItem[]): string {
  const h = crypto.createHash('sha256');
  for (const it of items) {
    h.update(JSON.stringify([it.id, it.task, it.split ?? 'train', it.correct]));
    h.update(Buffer.from(it.ex.buffer, it.ex.byteOffset, it.ex.byteLength));
    for (const o of it.outputs) h.update(Buffer.from(o.buffer, o.byteOffset, o.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

let codeVersion: string | null = null;

/**
 * A tag of the code the probes compute with: a hash of src/probes/*.ts and the orchestrator's
 * forward pass (model.ts, route-kernel.ts). Any edit there invalidates stored probe outputs.
 */
export function probesCodeVersion(): string {
  if (codeVersion) return codeVersion;
  const h = crypto.createHash('sha256');
  const probesDir = __dirname;
  const files = [
    ...fs.readdirSync(probesDir).filter((f) => f.endsWith('.ts') || f.endsWith('.js')).sort().map((f) => path.join(probesDir, f)),
    ...['model', 'route-kernel'].flatMap((f) => [`${f}.ts`, `${f}.js`]).map((f) => path.join(probesDir, '..', 'orchestrator', f)).filter((f) => fs.existsSync(f)),
  ];
  for (const f of files) {
    h.update(path.basename(f));
    h.update(fs.readFileSync(f));
  }
  codeVersion = h.digest('hex').slice(0, 12);
  return codeVersion;
}

/** What a stored output was computed from. */
export type ProbeInputs = Record<string, unknown>;

interface Stored<T> {
  kind: 'inform-probe-output';
  inputs: ProbeInputs;
  result: T;
}

/** The stored result when `file` exists and was computed from exactly `inputs`; else undefined. */
export function readCached<T>(file: string, inputs: ProbeInputs): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  let data: Stored<T>;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored<T>;
  } catch {
    return undefined; // unreadable: recompute and overwrite
  }
  if (data?.kind !== 'inform-probe-output') return undefined;
  return JSON.stringify(data.inputs) === JSON.stringify(inputs) ? data.result : undefined;
}

/** Writes text atomically (temporary file in the same folder, then rename). */
export function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Atomic writes (as writeAtomic) handed to the file system's own threads: the caller goes on
 * computing while they complete, and `settle()` waits for every write so far, then throws the
 * first that failed. A killed process loses only writes still pending, never half a file.
 */
export class BackgroundWrites {
  private pending: Promise<void>[] = [];
  private failures: unknown[] = [];
  private count = 0;
  /** the last write of each file: a later write of the same file waits for it, so the later one wins */
  private last = new Map<string, Promise<void>>();

  write(file: string, text: string): void {
    const tmp = `${file}.${process.pid}.${++this.count}.tmp`;
    const done = (this.last.get(file) ?? Promise.resolve())
      .then(() => fs.promises.mkdir(path.dirname(file), { recursive: true }))
      .then(() => fs.promises.writeFile(tmp, text))
      .then(() => fs.promises.rename(tmp, file))
      // recorded now, thrown by settle(): a rejection nobody awaits yet would end the process
      .catch((e: unknown) => void this.failures.push(e));
    this.last.set(file, done);
    this.pending.push(done);
  }

  /** Stores a result with its inputs, as writeCached. */
  writeCached<T>(file: string, inputs: ProbeInputs, result: T): void {
    this.write(file, cachedText(inputs, result));
  }

  async settle(): Promise<void> {
    while (this.pending.length) await Promise.all(this.pending.splice(0));
    this.last.clear();
    const [first] = this.failures.splice(0);
    if (first !== undefined) throw first;
  }
}

function cachedText<T>(inputs: ProbeInputs, result: T): string {
  const data: Stored<T> = { kind: 'inform-probe-output', inputs, result };
  return JSON.stringify(data);
}

/** Stores a result with its inputs. */
export function writeCached<T>(file: string, inputs: ProbeInputs, result: T): void {
  writeAtomic(file, cachedText(inputs, result));
}
