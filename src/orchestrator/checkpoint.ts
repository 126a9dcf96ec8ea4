/**
 * Per-epoch checkpoints: <run>/checkpoints/epoch-<n>/ holding
 *   manifest.json   format tag, configs, schedule state, RNG state, Adam step, tensor table
 *                   (name, shape, byte offset), metrics of the epoch
 *   weights.bin     every parameter as raw little-endian float32, in parameterSpecs order
 *   adam.bin        Adam's first moments then second moments, same order
 * Raw float32 bytes and JSON numbers (which round-trip doubles exactly) make a reload bit-for-bit.
 * Every tensor's entry carries the SHA-256 of its bytes (first 128 bits) and each file its byte
 * length (format version 2): a load verifies both, so a checkpoint changed after it was written is
 * refused naming the file and the tensor, instead of resuming on other weights. A tensor holding
 * NaN or Infinity is refused too (the only check a version-1 checkpoint, without sums, gets).
 * A checkpoint is written into a temporary sibling directory and renamed into place, so a run
 * killed mid-write leaves either the previous complete checkpoint or the new one, never half.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { modelConfigSchema, trainConfigSchema, type ModelConfig, type TrainConfig } from './config';
import { createModel, parameterSpecs, type OrchestratorModel } from './model';
import type { RngState } from './rng';
import type { ScheduleState } from './schedule';

export const CHECKPOINT_FORMAT = 'inform-orchestrator-checkpoint';

/** Everything a checkpoint holds, in memory. */
export interface CheckpointData<M = Record<string, unknown>> {
  epoch: number;
  modelConfig: ModelConfig;
  trainConfig: TrainConfig;
  schedule: ScheduleState;
  rngState: RngState;
  /** the consortium the model was trained for */
  expertIds: string[];
  params: Record<string, Float32Array>;
  adam: { t: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> };
  metrics: M;
  /** the data it was trained on (absent in checkpoints written before this field existed) */
  dataset?: CheckpointDataset;
}

/** A checkpoint without its optimizer state: what a model needs to run (probes, evaluation). */
export type CheckpointWeights<M = Record<string, unknown>> = Omit<CheckpointData<M>, 'adam'>;

/** What a checkpoint records about its training data (see `routingDatasetFingerprint`). */
export interface CheckpointDataset {
  items: number;
  trainItems: number;
  fingerprint: string;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
  /** SHA-256 of the tensor's bytes, first 128 bits in hex (absent in version-1 checkpoints) */
  sha256?: string;
}

/** The newest manifest version (2 added the per-tensor checksums and file lengths). */
const CHECKPOINT_VERSION = 2;

function tensorSum(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** Directory of epoch `n`'s checkpoint inside a run directory. */
export function checkpointDir(runDir: string, epoch: number): string {
  return path.join(runDir, 'checkpoints', `epoch-${epoch}`);
}

function packTensors(values: Array<Record<string, Float32Array>>, specs: Array<{ name: string; shape: number[] }>, prefixes: string[]): { buf: Buffer; table: TensorEntry[] } {
  const table: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  values.forEach((group, g) => {
    for (const spec of specs) {
      const v = group[spec.name];
      if (!v) throw new Error(`checkpoint: missing tensor '${prefixes[g]}${spec.name}'`);
      const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      table.push({ name: prefixes[g] + spec.name, shape: spec.shape, offset, length: v.length, sha256: tensorSum(b) });
      chunks.push(Buffer.from(b)); // copy: the view may share memory with a larger buffer
      offset += b.length;
    }
  });
  return { buf: Buffer.concat(chunks), table };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes half-written checkpoint folders (`.epoch-<n>.tmp-<pid>-...`) of writers that no longer run. */
function removeStaleTemporaries(parent: string): void {
  for (const name of fs.readdirSync(parent)) {
    const m = /^\.epoch-\d+\.tmp-(\d+)-/.exec(name);
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/** Writes epoch `data.epoch`'s checkpoint atomically; returns its directory. */
export function saveCheckpoint(runDir: string, data: CheckpointData): string {
  const final = checkpointDir(runDir, data.epoch);
  const parent = path.dirname(final);
  fs.mkdirSync(parent, { recursive: true });
  removeStaleTemporaries(parent); // left by a run killed mid-write
  const tmp = path.join(parent, `.epoch-${data.epoch}.tmp-${process.pid}-${Date.now()}`);
  fs.mkdirSync(tmp);
  const specs = parameterSpecs(data.modelConfig);
  const weights = packTensors([data.params], specs, ['']);
  const adam = packTensors([data.adam.m, data.adam.v], specs, ['m:', 'v:']);
  const manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    epoch: data.epoch,
    modelConfig: data.modelConfig,
    trainConfig: data.trainConfig,
    schedule: data.schedule,
    rngState: data.rngState,
    expertIds: data.expertIds,
    adamStep: data.adam.t,
    weights: { file: 'weights.bin', bytes: weights.buf.length, tensors: weights.table },
    adam: { file: 'adam.bin', bytes: adam.buf.length, tensors: adam.table },
    ...(data.dataset ? { dataset: data.dataset } : {}),
    metrics: data.metrics,
  };
  const write = (name: string, content: Buffer) => {
    const fd = fs.openSync(path.join(tmp, name), 'w');
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  };
  write('weights.bin', weights.buf);
  write('adam.bin', adam.buf);
  write('manifest.json', Buffer.from(JSON.stringify(manifest, null, 1))); // written last: its presence marks completeness
  if (fs.existsSync(final)) {
    const old = `${tmp}.old`;
    fs.renameSync(final, old);
    fs.renameSync(tmp, final);
    fs.rmSync(old, { recursive: true, force: true });
  } else fs.renameSync(tmp, final);
  return final;
}

/**
 * Reads the tensors of one binary file. `bytes` (version 2) is the file's length as written; the
 * tensors' sums are checked where the manifest has them.
 */
function unpack(file: string, spec: { tensors: TensorEntry[]; bytes?: number }, where: string): Record<string, Float32Array> {
  const buf = fs.readFileSync(file);
  const out: Record<string, Float32Array> = {};
  const damaged = `the file was changed or damaged after it was written; delete this checkpoint folder to go back to the previous epoch`;
  let end = 0;
  for (const e of spec.tensors) {
    const stop = e.offset + e.length * 4;
    if (stop > buf.length) throw new Error(`${where}: tensor '${e.name}' runs past the end of ${path.basename(file)} (${stop} > ${buf.length} bytes)`);
    const copy = new Uint8Array(buf.subarray(e.offset, stop)); // aligned copy
    if (e.sha256 !== undefined && tensorSum(copy) !== e.sha256) {
      throw new Error(`${file}: tensor '${e.name}' (bytes ${e.offset}-${stop - 1}) does not match its checksum in manifest.json: ${damaged}`);
    }
    const values = new Float32Array(copy.buffer);
    // x * 0 is 0 for every finite x and NaN for NaN and +-Infinity: one branch-free pass, then a search only when it fails
    let zero = 0;
    for (let i = 0; i < values.length; i++) zero += values[i] * 0;
    let bad = -1;
    for (let i = 0; zero !== 0 && i < values.length && bad < 0; i++) if (!Number.isFinite(values[i])) bad = i;
    if (bad >= 0) throw new Error(`${file}: tensor '${e.name}' holds ${values[bad]} at index ${bad}: not a usable checkpoint`);
    out[e.name] = values;
    end = Math.max(end, stop);
  }
  if (spec.bytes !== undefined && buf.length !== spec.bytes) {
    const what = buf.length > end ? `${buf.length - end} bytes after the last tensor` : `${buf.length} bytes`;
    throw new Error(`${file}: ${what} (manifest.json says the file has ${spec.bytes}): ${damaged}`);
  }
  return out;
}

const tensorEntrySchema = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{32}$/).optional() });
const binaryFileSchema = z.object({ file: z.string(), bytes: z.number().int().nonnegative().optional(), tensors: z.array(tensorEntrySchema) });
const manifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.union([z.literal(1), z.literal(CHECKPOINT_VERSION)]),
  epoch: z.number().int().nonnegative(),
  modelConfig: modelConfigSchema,
  trainConfig: trainConfigSchema,
  schedule: z.object({ step: z.number().int().nonnegative(), tau: z.number(), k: z.number().int().positive(), confidence: z.number() }),
  rngState: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  expertIds: z.array(z.string()),
  adamStep: z.number().int().nonnegative(),
  weights: binaryFileSchema,
  adam: binaryFileSchema,
  dataset: z.object({ items: z.number().int().nonnegative(), trainItems: z.number().int().nonnegative(), fingerprint: z.string() }).optional(),
  metrics: z.record(z.unknown()),
});

/**
 * manifest.json, as written by saveCheckpoint: the checkpoint's fields, with the tensors replaced
 * by where they sit in the binary files.
 */
interface Manifest extends Omit<CheckpointData, 'params' | 'adam'> {
  format: string;
  version: number;
  adamStep: number;
  weights: { file: string; bytes?: number; tensors: TensorEntry[] };
  adam: { file: string; bytes?: number; tensors: TensorEntry[] };
}

/**
 * Checkpoints written before `selectionReadsH`, `distillation` and `minRolloutSteps` existed were
 * trained with r . h_i in the score (their weights hold 'select.r'), encoder-space distillation
 * and rollouts down to one step: keep that meaning
 * instead of reading them with today's defaults.
 */
function withPreFlagDefaults(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const m = raw as { modelConfig?: Record<string, unknown>; trainConfig?: Record<string, unknown>; weights?: { tensors?: Array<{ name?: unknown }> } };
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (m.modelConfig && typeof m.modelConfig === 'object' && !('selectionReadsH' in m.modelConfig)) {
    const hasR = Array.isArray(m.weights?.tensors) && m.weights!.tensors!.some((t) => t?.name === 'select.r');
    out.modelConfig = { ...m.modelConfig, selectionReadsH: hasR };
  }
  if (m.trainConfig && typeof m.trainConfig === 'object') {
    // before minRolloutSteps, a rollout was as long as the adaptive top-k (down to 1)
    const pre = { ...('distillation' in m.trainConfig ? {} : { distillation: 'encoder-mse' }), ...('minRolloutSteps' in m.trainConfig ? {} : { minRolloutSteps: 1 }), ...('utility' in m.trainConfig ? {} : { utility: 'rollout', utilityExploration: 0 }) };
    if (Object.keys(pre).length) out.trainConfig = { ...m.trainConfig, ...pre };
  }
  return out;
}

/**
 * Reads a checkpoint directory; errors name the file and what is wrong. With `{ optimizer: false }`
 * Adam's moments (twice the weights' bytes) are neither read nor checked: a model that only runs
 * does not need them.
 */
export function loadCheckpoint<M = Record<string, unknown>>(dir: string): CheckpointData<M>;
export function loadCheckpoint<M = Record<string, unknown>>(dir: string, opts: { optimizer: false }): CheckpointWeights<M>;
export function loadCheckpoint<M = Record<string, unknown>>(dir: string, opts: { optimizer?: boolean } = {}): CheckpointData<M> | CheckpointWeights<M> {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error(`${dir}: not a checkpoint (no manifest.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new Error(`${manifestPath}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(withPreFlagDefaults(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${manifestPath}: field '${issue.path.join('.')}': ${issue.message}`);
  }
  // Asserted to the plain interface: tslab compiles without strictNullChecks, where zod's
  // inferred types have every property optional.
  const m = parsed.data as Manifest;
  if (m.version >= 2) {
    // a version-2 manifest vouches for every byte: a sum or a length missing is a damaged manifest
    for (const [key, f] of [['weights', m.weights], ['adam', m.adam]] as const) {
      if (f.bytes === undefined) throw new Error(`${manifestPath}: field '${key}.bytes': required in a version-${m.version} checkpoint`);
      const i = f.tensors.findIndex((t) => t.sha256 === undefined);
      if (i >= 0) throw new Error(`${manifestPath}: field '${key}.tensors.${i}.sha256': required in a version-${m.version} checkpoint`);
    }
  }
  const params = unpack(path.join(dir, m.weights.file), m.weights, manifestPath);
  const specs = parameterSpecs(m.modelConfig);
  const expectSized = (label: string, name: string, v: Float32Array | undefined, shape: number[]) => {
    if (!v || v.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${manifestPath}: ${label} of '${name}' missing or of the wrong size`);
  };
  for (const s of specs) expectSized('weights', s.name, params[s.name], s.shape);
  const weights: CheckpointWeights<M> = {
    epoch: m.epoch,
    modelConfig: m.modelConfig,
    trainConfig: m.trainConfig,
    schedule: m.schedule,
    rngState: m.rngState,
    expertIds: m.expertIds,
    params,
    metrics: m.metrics as M,
    ...(m.dataset ? { dataset: m.dataset } : {}),
  };
  if (opts.optimizer === false) return weights;
  const moments = unpack(path.join(dir, m.adam.file), m.adam, manifestPath);
  const am: Record<string, Float32Array> = {};
  const av: Record<string, Float32Array> = {};
  for (const s of specs) {
    expectSized('Adam m', s.name, moments['m:' + s.name], s.shape);
    expectSized('Adam v', s.name, moments['v:' + s.name], s.shape);
    am[s.name] = moments['m:' + s.name];
    av[s.name] = moments['v:' + s.name];
  }
  return { ...weights, adam: { t: m.adamStep, m: am, v: av } };
}

/** Epoch numbers of the complete checkpoints in a run directory, ascending. */
export function listCheckpoints(runDir: string): number[] {
  const dir = path.join(runDir, 'checkpoints');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => /^epoch-(\d+)$/.exec(name))
    .filter((x): x is RegExpExecArray => x !== null && fs.existsSync(path.join(dir, x[0], 'manifest.json')))
    .map((x) => Number(x[1]))
    .sort((a, b) => a - b);
}

/** Directory of the newest complete checkpoint, or null. */
export function latestCheckpoint(runDir: string): string | null {
  const epochs = listCheckpoints(runDir);
  return epochs.length ? checkpointDir(runDir, epochs[epochs.length - 1]) : null;
}

/** A checkpoint directory, a run directory (its newest checkpoint), or a run and an epoch. */
export type CheckpointRef = string | { runDir: string; epoch: number };

/** Turns the ways of naming a checkpoint into its directory. */
export function resolveCheckpointDir(ref: CheckpointRef): string {
  if (typeof ref !== 'string') return checkpointDir(ref.runDir, ref.epoch);
  if (fs.existsSync(path.join(ref, 'manifest.json'))) return ref;
  const latest = latestCheckpoint(ref);
  if (!latest) throw new Error(`${ref}: neither a checkpoint nor a run directory with checkpoints`);
  return latest;
}

/**
 * Loads a checkpoint as a ready model (what probes start from), with the checkpoint's contents
 * but Adam's moments (see loadCheckpoint).
 * Free the model with `disposeModel` when done.
 */
export function loadOrchestratorModel<M = Record<string, unknown>>(ref: CheckpointRef): { model: OrchestratorModel; checkpoint: CheckpointWeights<M>; dir: string } {
  const dir = resolveCheckpointDir(ref);
  const checkpoint = loadCheckpoint<M>(dir, { optimizer: false });
  return { model: createModel(checkpoint.modelConfig, checkpoint.params), checkpoint, dir };
}
