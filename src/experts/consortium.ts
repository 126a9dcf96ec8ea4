/**
 * Consortium configs: a JSON or YAML file naming the experts (and optionally an oracle), each with
 * a `backend` and that backend's fields, validated by a zod union discriminated on `backend`.
 *
 *   name: homogeneous
 *   defaults: { backend: llama-cpp, topP: 0.7 }      # merged under every expert entry
 *   experts:
 *     - { id: E1, model: LLaMA 3.1 8B, modelPath: ../../models/x.gguf, temperature: 8.0e-6 }
 *   oracle: { ... }                                   # optional, one expert entry
 *
 * Errors name the file, the line (YAML and JSON) and the field: a missing file, an unknown
 * backend, an unknown (misspelt) field, a temperature outside [0, 2], a missing GGUF, model directory or replay run (checked at
 * load time), duplicate ids.
 * Relative paths (`modelPath`, replay `run`, ...) are resolved against the config's directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { createLlamaCppExpert, llamaCppSpec } from './backends/llama-cpp';
import { createOpenAiExpert, openAiSpec } from './backends/openai';
import { createTransformersExpert, transformersSpec } from './backends/transformers';
import { createReplayExpert, replaySpec } from './backends/replay';
import { createSimulatedExpert, type SimulatedExpert } from './simulated/expert';
import { simulatedSpec, simulatedSpecIssues, type SimulatedSpec } from './simulated/spec';
import { plantedTruth, type PlantedTruth } from './simulated/truth';
import { TRANSCRIPTS_FILE } from './store/transcript-store';
import type { Expert } from './types';

/** Every backend's entry schema, joined on `backend`. */
export const expertSpec = z.discriminatedUnion('backend', [llamaCppSpec, openAiSpec, transformersSpec, simulatedSpec, replaySpec]);
export type ExpertSpec = z.infer<typeof expertSpec>;

/** The fields each backend's entry knows (a field outside them is a typo, not a setting). */
const KNOWN_FIELDS: Record<ExpertSpec['backend'], Set<string>> = {
  'llama-cpp': new Set(Object.keys(llamaCppSpec.shape)),
  openai: new Set(Object.keys(openAiSpec.shape)),
  transformers: new Set(Object.keys(transformersSpec.shape)),
  simulated: new Set(Object.keys(simulatedSpec.shape)),
  replay: new Set(Object.keys(replaySpec.shape)),
};

const consortiumFileSpec = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    defaults: z.record(z.unknown()).optional(),
    experts: z.array(z.record(z.unknown())).min(1),
    oracle: z.record(z.unknown()).optional(),
  })
  .strict();

/** A validated config, with its location (for resolving relative paths). */
export interface ConsortiumConfig {
  name: string;
  description?: string;
  file: string;
  configDir: string;
  experts: ExpertSpec[];
  oracle?: ExpertSpec;
}

/** A config error: `where` is "file:line" when the line is known, else the file. */
export class ConsortiumConfigError extends Error {
  constructor(
    readonly where: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${where}: ${field ? field + ': ' : ''}${detail}`);
    this.name = 'ConsortiumConfigError';
  }
}

/** The built-in simulated presets, each a YAML file in data/consortia/. */
export const SIMULATED_PRESETS = ['homogeneous', 'heterogeneous', 'planted-hub', 'hub-critical', 'null', 'cascade', 'moa'] as const;
export type SimulatedPresetName = (typeof SIMULATED_PRESETS)[number];

/** The directory of the shipped consortium configs (data/consortia). */
export const CONSORTIA_DIR = path.resolve(__dirname, '..', '..', 'data', 'consortia');

/**
 * Resolves a `--consortium` argument: an existing file path, or a simulated preset name
 * ("planted-hub" or "simulated:planted-hub") -> data/consortia/simulated-<name>.yaml.
 */
export function resolveConsortiumPath(nameOrPath: string): string {
  if (fs.existsSync(nameOrPath) && fs.statSync(nameOrPath).isFile()) return path.resolve(nameOrPath);
  const preset = nameOrPath.replace(/^simulated[:-]/, '');
  if ((SIMULATED_PRESETS as readonly string[]).includes(preset)) return path.join(CONSORTIA_DIR, `simulated-${preset}.yaml`);
  const looksLikePath = /[/\\]|\.(ya?ml|json)$/i.test(nameOrPath);
  throw new Error(
    looksLikePath
      ? `consortium config not found: ${path.resolve(nameOrPath)}`
      : `unknown consortium "${nameOrPath}": not a file, and not a simulated preset (${SIMULATED_PRESETS.join(', ')})`,
  );
}

function fieldName(p: (string | number)[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Parses the file's text into plain data plus a function giving the line of a field path. */
function parseText(file: string, text: string): { data: unknown; lineOf: (p: (string | number)[]) => number | undefined } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line;
    throw new ConsortiumConfigError(line ? `${file}:${line}` : file, '', `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const lineOf = (p: (string | number)[]): number | undefined => {
    for (let k = p.length; k > 0; k--) {
      const node = doc.getIn(p.slice(0, k), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { data: doc.toJS(), lineOf };
}

function describeIssue(issue: z.ZodIssue, entry: Record<string, unknown>): string {
  const key = issue.path[issue.path.length - 1];
  if (issue.code === 'invalid_union_discriminator') {
    return `unknown backend ${JSON.stringify(entry.backend)} (expected one of: ${issue.options.map(String).join(', ')})`;
  }
  if (key === 'temperature' && (issue.code === 'too_big' || issue.code === 'too_small' || issue.code === 'invalid_type')) {
    const t = entry.temperature;
    // JSON.stringify writes NaN and Infinity (YAML .nan, .inf) as null
    return `temperature must be a number in [0, 2], got ${typeof t === 'number' && !Number.isFinite(t) ? String(t) : JSON.stringify(t)}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`;
  return issue.message;
}

/** Fields of each backend that name files or directories, resolved against the config's directory. */
function resolvePaths(spec: ExpertSpec, configDir: string): ExpertSpec {
  if (spec.backend === 'llama-cpp') return { ...spec, modelPath: path.resolve(configDir, spec.modelPath) };
  if (spec.backend === 'transformers') return { ...spec, modelDir: path.resolve(configDir, spec.modelDir) };
  if (spec.backend === 'replay') return { ...spec, run: path.resolve(configDir, spec.run) };
  return spec;
}

/** Files that must exist for an expert to run: reported at load time, not at first use. */
function requiredFiles(spec: ExpertSpec): { field: string; file: string }[] {
  if (spec.backend === 'llama-cpp') return [{ field: 'modelPath', file: spec.modelPath }];
  if (spec.backend === 'transformers') return [{ field: 'modelDir', file: spec.modelDir }];
  if (spec.backend === 'replay') return [{ field: 'run', file: path.join(spec.run, TRANSCRIPTS_FILE) }];
  return [];
}

/** What an expert id may be: no whitespace, no commas (`--chain E1,E3` splits on them). */
const EXPERT_ID = /^[^\s,]+$/;

/** Every `dependsOn.on` of a simulated expert must name another expert of the consortium. */
function checkDependencies(experts: ExpertSpec[], ids: Map<string, number>, at: (p: (string | number)[]) => string): void {
  experts.forEach((e, i) => {
    if (e.backend !== 'simulated' || !e.dependsOn) return;
    const deps = Array.isArray(e.dependsOn) ? e.dependsOn : [e.dependsOn];
    deps.forEach((d, k) => {
      const base: (string | number)[] = Array.isArray(e.dependsOn) ? ['experts', i, 'dependsOn', k, 'on'] : ['experts', i, 'dependsOn', 'on'];
      (Array.isArray(d.on) ? d.on : [d.on]).forEach((on, j) => {
        const p = Array.isArray(d.on) ? [...base, j] : base;
        if (on === e.id) throw new ConsortiumConfigError(at(p), fieldName(p), `expert ${e.id} cannot depend on itself`);
        if (!ids.has(on)) throw new ConsortiumConfigError(at(p), fieldName(p), `expert ${e.id} depends on "${on}", which is not an expert of this consortium (${[...ids.keys()].join(', ')})`);
      });
    });
  });
}

export interface LoadConsortiumOptions {
  /** check that model files exist (default true); false to inspect a config for another machine */
  checkFiles?: boolean;
}

/** Reads and validates a consortium config file (or preset name). */
export function loadConsortiumConfig(nameOrPath: string, opts: LoadConsortiumOptions = {}): ConsortiumConfig {
  const file = resolveConsortiumPath(nameOrPath);
  const configDir = path.dirname(file);
  const { data, lineOf } = parseText(file, fs.readFileSync(file, 'utf8'));
  const at = (p: (string | number)[]) => {
    const line = lineOf(p);
    return line ? `${file}:${line}` : file;
  };
  const top = consortiumFileSpec.safeParse(data);
  if (!top.success) {
    const issue = top.error.issues[0];
    const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    throw new ConsortiumConfigError(at(issue.path), fieldName(issue.path), detail);
  }
  const defaults = top.data.defaults ?? {};
  const anyBackend = new Set(Object.values(KNOWN_FIELDS).flatMap((f) => [...f]));
  const unknownDefaults = Object.keys(defaults).filter((k) => !anyBackend.has(k));
  if (unknownDefaults.length > 0) {
    const p = ['defaults', unknownDefaults[0]];
    throw new ConsortiumConfigError(at(p), fieldName(p), `unknown field(s) ${unknownDefaults.join(', ')} (no backend has them)`);
  }
  const parseEntry = (raw: Record<string, unknown>, where: (string | number)[]): ExpertSpec => {
    const entry = { ...defaults, ...raw };
    const r = expertSpec.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0];
      const p = [...where, ...issue.path];
      throw new ConsortiumConfigError(at(p), fieldName(p), describeIssue(issue, entry));
    }
    // An entry's own fields must belong to its backend (defaults may serve several backends and are checked below).
    const unknown = Object.keys(raw).filter((k) => !KNOWN_FIELDS[r.data.backend].has(k));
    if (unknown.length > 0) {
      const p = [...where, unknown[0]];
      throw new ConsortiumConfigError(at(p), fieldName(p), `unknown field(s) ${unknown.join(', ')} for backend ${r.data.backend}`);
    }
    if (r.data.backend === 'simulated') {
      const issue = simulatedSpecIssues(r.data)[0];
      if (issue) {
        const p = [...where, ...issue.path];
        throw new ConsortiumConfigError(at(p), fieldName(p), `expert ${r.data.id}: ${issue.message}`);
      }
    }
    const spec = resolvePaths(r.data, configDir);
    if (opts.checkFiles !== false) {
      for (const { field, file: f } of requiredFiles(spec)) {
        if (!fs.existsSync(f)) {
          const p = [...where, field];
          throw new ConsortiumConfigError(at(p), fieldName(p), `expert ${spec.id}: no file at ${f} (relative paths are resolved against ${configDir})`);
        }
      }
    }
    return spec;
  };
  const experts = top.data.experts.map((e, i) => parseEntry(e, ['experts', i]));
  const seen = new Map<string, number>();
  experts.forEach((e, i) => {
    // `--chain E1,E3` and the chain display split ids on commas and spaces
    if (!EXPERT_ID.test(e.id)) throw new ConsortiumConfigError(at(['experts', i, 'id']), fieldName(['experts', i, 'id']), `expert id ${JSON.stringify(e.id)} must not contain spaces or commas (it could not be named in --chain)`);
    const first = seen.get(e.id);
    if (first !== undefined) throw new ConsortiumConfigError(at(['experts', i, 'id']), fieldName(['experts', i, 'id']), `duplicate expert id "${e.id}" (also experts[${first}])`);
    seen.set(e.id, i);
  });
  checkDependencies(experts, seen, at);
  const oracle = top.data.oracle ? parseEntry(top.data.oracle, ['oracle']) : undefined;
  if (oracle && !EXPERT_ID.test(oracle.id)) throw new ConsortiumConfigError(at(['oracle', 'id']), 'oracle.id', `expert id ${JSON.stringify(oracle.id)} must not contain spaces or commas`);
  // the oracle's answers and summaries are kept by id too, so it must not reuse an expert's id
  const clash = oracle ? seen.get(oracle.id) : undefined;
  if (oracle && clash !== undefined) throw new ConsortiumConfigError(at(['oracle', 'id']), 'oracle.id', `duplicate expert id "${oracle.id}" (also experts[${clash}])`);
  return { name: top.data.name, description: top.data.description, file, configDir, experts, ...(oracle ? { oracle } : {}) };
}

/** Builds the Expert of one validated spec. */
export function createExpert(spec: ExpertSpec, ctx: { configDir: string }): Expert {
  switch (spec.backend) {
    case 'llama-cpp':
      return createLlamaCppExpert(spec, ctx);
    case 'openai':
      return createOpenAiExpert(spec, ctx);
    case 'transformers':
      return createTransformersExpert(spec, ctx);
    case 'simulated':
      return createSimulatedExpert(spec);
    case 'replay':
      return createReplayExpert(spec, ctx);
  }
}

/** A ready consortium: its experts (in config order), optional oracle, and its config. */
export interface Consortium {
  name: string;
  config: ConsortiumConfig;
  experts: Expert[];
  oracle?: Expert;
  /** true when every expert is simulated (outputs must say so) */
  simulated: boolean;
  dispose(): Promise<void>;
}

/** Loads a config (file or preset name) and builds its experts. */
export function loadConsortium(nameOrPath: string, opts: LoadConsortiumOptions = {}): Consortium {
  const config = loadConsortiumConfig(nameOrPath, opts);
  const ctx = { configDir: config.configDir };
  const experts = config.experts.map((s) => createExpert(s, ctx));
  const oracle = config.oracle ? createExpert(config.oracle, ctx) : undefined;
  return {
    name: config.name,
    config,
    experts,
    ...(oracle ? { oracle } : {}),
    simulated: experts.every((e) => e.backend === 'simulated'),
    async dispose() {
      for (const e of [...experts, ...(oracle ? [oracle] : [])]) await e.dispose?.();
    },
  };
}

/** One row per expert for display: what it is and, for a simulated one, all its parameters. */
export interface ExpertRow {
  id: string;
  backend: Expert['backend'];
  model: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed?: number;
  /** present for simulated experts: family, skill, noise, cues, chain behaviour, dependency */
  simulated?: ReturnType<SimulatedExpert['describe']>;
}

/** The experts of a consortium as plain rows (for tables in notebooks and reports). */
export function describeExperts(c: Pick<Consortium, 'experts'>): ExpertRow[] {
  return c.experts.map((e) => {
    const described = (e as Partial<SimulatedExpert>).describe;
    return {
      id: e.id,
      backend: e.backend,
      model: e.model,
      temperature: e.params.temperature,
      topP: e.params.topP,
      maxTokens: e.params.maxTokens,
      ...(e.params.seed === undefined ? {} : { seed: e.params.seed }),
      ...(e.backend === 'simulated' && typeof described === 'function' ? { simulated: described.call(e) } : {}),
    };
  });
}

/** The planted ground truth of a consortium's simulated experts (throws if it has none). */
export function consortiumTruth(c: Pick<Consortium, 'config' | 'name'>): PlantedTruth {
  const specs = c.config.experts.filter((e): e is SimulatedSpec => e.backend === 'simulated');
  if (specs.length === 0) throw new Error(`consortium ${c.name} has no simulated experts, so no planted truth`);
  return plantedTruth(specs);
}
