/**
 * Notebook 09 (a): real published transcripts. The GSM8K paper's four GPT-3 solvers on the 1,319
 * GSM8K test questions (`../shared/datasets/gsm8k/example_model_solutions.jsonl`) replayed as a
 * four-expert consortium: graded by our GSM8K grader (compared with the authors' is_correct),
 * the orchestrator trained on their SOLO answers (no chains exist: nobody read another's answer;
 * a chain's later steps fall back to the solo grades), then relational vs intrinsic importance and
 * masking. The 1,319 items are split by prompt hash (validation joins train).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashingEncoder } from '../encoders/hashing';
import { loadConsortium } from '../experts/consortium';
import { collectResponses, generateTranscripts } from '../experts/generate';
import { GSM8K_SOLVERS, importGsm8kSolutions, labelAgreement, type LabelAgreement } from '../experts/import-gsm8k-solutions';
import { listCheckpoints } from '../orchestrator/checkpoint';
import { loadRoutingDataset, saveRoutingDataset, type RoutingDataset } from '../orchestrator/dataset';
import { buildRoutingDataset } from '../orchestrator/from-consortium';
import { disposeModel } from '../orchestrator/model';
import { ResumeRefusedError, trainOrchestrator } from '../orchestrator/train';
import { runProbes, type RunProbesResult } from '../probes/run-probes';
import { defaultOfficialDir, loadTaskItems } from '../tasks/task-source';
import { itemPrompt, splitOfPrompt } from '../tasks/split-ids';
import type { Gsm8kItem } from '../tasks/types';
import { liveLine } from './display';
import type { FindingRow } from './paper-findings';
import { paperRunsRoot } from './paper-plan';
import { markTrainedByThisCode, trainedByThisCode } from './paper-runs';

/** Where the published solutions are expected. */
export function gsm8kSolutionsFile(officialDir = defaultOfficialDir()): string {
  return path.join(officialDir, 'gsm8k', 'example_model_solutions.jsonl');
}

/** Why part (a) cannot run here, or null when it can. */
export function gsm8kSolutionsMissing(file = gsm8kSolutionsFile()): string | null {
  if (fs.existsSync(file)) return null;
  return (
    `${file} is absent, so part (a) is skipped. It is the GSM8K paper's example_model_solutions.jsonl ` +
    '(github.com/openai/grade-school-math, grade_school_math/data/example_model_solutions.jsonl) next to the official ' +
    'GSM8K test.jsonl in ../shared/datasets/gsm8k/ (or set INFORM_DATASETS_DIR to a folder holding gsm8k/).'
  );
}

export interface SolversRunSpec {
  epochs: number;
  hidden: number;
  seed: number;
  /** items to use (default all 1,319) */
  limit?: number;
}

export interface SolversRun {
  dir: string;
  label: string;
  expertIds: string[];
  items: Gsm8kItem[];
  split: Record<string, 'train' | 'test'>;
  agreement: LabelAgreement[];
  dataset: RoutingDataset;
  probes: RunProbesResult;
}

/** Imports, grades, trains and probes (each step reused while its inputs are on disk). */
export async function ensureSolversRun(spec: SolversRunSpec, file = gsm8kSolutionsFile()): Promise<SolversRun> {
  const missing = gsm8kSolutionsMissing(file);
  if (missing) throw new Error(missing);
  const sel = loadTaskItems({ tasks: ['gsm8k'], source: 'official', splits: ['test'] });
  const all = sel.items.filter((it): it is Gsm8kItem => it.task === 'gsm8k');
  const dir = path.join(paperRunsRoot(), `gsm8k-gpt3-solvers-n${spec.limit ?? all.length}-s${spec.seed}`);
  const line = liveLine();
  const imported = importGsm8kSolutions({ file, runDir: dir, items: all });
  const items = imported.items.slice(0, spec.limit ?? imported.items.length);
  const split: Record<string, 'train' | 'test'> = Object.fromEntries(items.map((it) => [it.id, splitOfPrompt(itemPrompt(it)) === 'test' ? 'test' : 'train']));
  const consortium = loadConsortium(imported.configFile);
  const expertIds = consortium.experts.map((e) => e.id);
  try {
    // Grades by our GSM8K grader, stored next to the answers (nothing is generated: replay).
    await generateTranscripts({ consortium, items, run: dir, onProgress: (p) => line.update(`GPT-3 solvers: graded ${p.done}/${p.total}`) });
    const rows = collectResponses(dir, consortium, items);
    const agreement = expertIds.map((id, k) => labelAgreement(id, rows.map((r) => ({ label: imported.labels[id][r.item.id], graded: r.responses[k].correct === true }))));
    const { dataset, probes } = await trainAndProbe({ dir, consortiumName: consortium.name, simulated: false, rows, split, dataSource: sel.dataSource, spec, maskExperts: expertIds, say: (t) => line.update(`GPT-3 solvers: ${t}`) });
    const nTest = items.filter((it) => split[it.id] === 'test').length;
    line.done(`GPT-3 solvers: ${items.length} items (${items.length - nTest} train + ${nTest} test), ${spec.epochs} epochs`);
    const label = `REAL published transcripts: the GSM8K paper's four GPT-3 solvers (${expertIds.join(', ')}) on ${items.length} GSM8K test questions (${items.length - nTest} train + ${nTest} held-out by prompt hash), SOLO answers only (no chains were ever run); orchestrator seed ${spec.seed}, ${spec.epochs} epochs, d = ${spec.hidden}`;
    return { dir, label, expertIds, items, split, agreement, dataset, probes };
  } finally {
    await consortium.dispose();
  }
}


/** Routing dataset (reused when on disk), training (resumed when checkpoints exist) and the structure + masking probes. */
export async function trainAndProbe(opts: {
  dir: string;
  consortiumName: string;
  simulated: boolean;
  rows: ReturnType<typeof collectResponses>;
  split: Record<string, 'train' | 'test'>;
  dataSource: string;
  spec: { epochs: number; hidden: number; seed: number };
  maskExperts: string[];
  say: (text: string) => void;
}): Promise<{ dataset: RoutingDataset; probes: RunProbesResult }> {
  const { dir, spec, split } = opts;
  const dsFile = path.join(dir, 'dataset.jsonl');
  let dataset: RoutingDataset;
  if (fs.existsSync(dsFile)) dataset = loadRoutingDataset(dsFile);
  else {
    opts.say(`encoding ${opts.rows.length} items`);
    const built = await buildRoutingDataset({ rows: opts.rows, encoder: hashingEncoder(), meta: { consortium: opts.consortiumName, simulated: opts.simulated, task: 'gsm8k', dataSource: opts.dataSource, pairs: 'none' } });
    dataset = { ...built, items: built.items.map((it) => ({ ...it, split: split[it.id] })) };
    saveRoutingDataset(dataset, dsFile);
  }
  // Checkpoints from other orchestrator code are trained again (as ensurePaperRun does), so the
  // committed figures always come from the checked-out code.
  const sameCode = trainedByThisCode(dir);
  if (!sameCode || listCheckpoints(dir).length < spec.epochs + 1) {
    const train = (resume: boolean) =>
      trainOrchestrator({
        dataset,
        runDir: dir,
        resume,
        progressBar: false,
        model: { hidden: spec.hidden },
        train: { epochs: spec.epochs, seed: spec.seed },
        onProgress: (r) => opts.say(`train step ${r.step + 1}/${r.totalSteps} (epoch ${r.epoch}/${spec.epochs})`),
      });
    let trained;
    try {
      trained = await train(sameCode);
    } catch (e) {
      if (!(e instanceof ResumeRefusedError)) throw e;
      trained = await train(false);
    }
    disposeModel(trained.model);
    markTrainedByThisCode(dir);
  }
  const probes = await runProbes({
    runDir: dir,
    dataset,
    probes: ['structure', 'masking'],
    maskExperts: opts.maskExperts,
    onProgress: (p) => opts.say(`probes ${p.done}/${p.total} (${p.probe}${p.epoch === null ? '' : ` epoch ${p.epoch}`}${p.reused ? ', stored' : ''})`),
  });
  return { dataset, probes };
}

/**
 * Part (b): the same pipeline on live backends from a consortium config. Without a config, two
 * llama-cpp experts on the project's tiny random GGUF (written by `writeGguf`): the real path end to
 * end, with MEANINGLESS numbers (random weights).
 */
export async function ensureLiveRun(opts: { configFile: string; items: number; spec: SolversRunSpec; dir?: string }): Promise<SolversRun> {
  const sel = loadTaskItems({ tasks: ['gsm8k'], source: 'bundled', limitPerTask: opts.items * 2, splits: ['train', 'test'] });
  const gsm = sel.items.filter((it): it is Gsm8kItem => it.task === 'gsm8k');
  // a quarter held out, at least one item
  const nTest = Math.max(1, Math.round(opts.items / 4));
  const items = [...gsm.filter((it) => sel.splitOf[it.id] !== 'test').slice(0, opts.items - nTest), ...gsm.filter((it) => sel.splitOf[it.id] === 'test').slice(0, nTest)];
  const split: Record<string, 'train' | 'test'> = Object.fromEntries(items.map((it) => [it.id, sel.splitOf[it.id] === 'test' ? 'test' : 'train']));
  const consortium = loadConsortium(opts.configFile);
  const expertIds = consortium.experts.map((e) => e.id);
  const dir = opts.dir ?? path.join(paperRunsRoot(), `live-${path.basename(opts.configFile).replace(/\.(ya?ml|json)$/i, '')}-n${items.length}-s${opts.spec.seed}`);
  const line = liveLine();
  try {
    await generateTranscripts({ consortium, items, run: dir, onProgress: (p) => line.update(`live: answers ${p.done}/${p.total} (${p.generated} new)`) });
    const rows = collectResponses(dir, consortium, items);
    const { dataset, probes } = await trainAndProbe({ dir, consortiumName: consortium.name, simulated: consortium.simulated, rows, split, dataSource: sel.dataSource, spec: opts.spec, maskExperts: expertIds.slice(0, 1), say: (t) => line.update(`live: ${t}`) });
    line.done(`live: ${items.length} items, ${expertIds.length} experts, ${opts.spec.epochs} epoch(s)`);
    const label = `LIVE consortium ${consortium.name} (${expertIds.join(', ')}) from ${opts.configFile} on ${items.length} GSM8K items from ${sel.dataSource}; ${opts.spec.epochs} epoch(s), d = ${opts.spec.hidden}`;
    return { dir, label, expertIds, items, split, agreement: [], dataset, probes };
  } finally {
    await consortium.dispose();
  }
}

/** A consortium config of `n` llama-cpp experts on one GGUF (the tiny test model by default). */
export function ggufConsortiumYaml(modelPath: string, n = 2, maxTokens = 24): string {
  const experts = Array.from({ length: n }, (_, i) => `  - { id: L${i + 1}, backend: llama-cpp, model: tiny random llama, modelPath: ${JSON.stringify(modelPath)}, temperature: ${(0.3 + 0.4 * i).toFixed(1)}, maxTokens: ${maxTokens} }`);
  return ['name: tiny-gguf', 'description: two llama-cpp experts on a tiny random GGUF (meaningless answers; exercises the real path)', 'experts:', ...experts, ''].join('\n');
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : Number.NaN);

/** The grader against the authors' labels, per solver. */
export function agreementRows(run: Pick<SolversRun, 'agreement'>): FindingRow[] {
  return run.agreement.map((a) => ({
    expert: a.expertId,
    solver: GSM8K_SOLVERS.find((s) => s.id === a.expertId)?.key ?? a.expertId,
    items: a.n,
    'both correct': a.bothCorrect,
    'grader correct, label wrong': a.graderOnly,
    'grader wrong, label correct': a.labelOnly,
    'both wrong': a.bothWrong,
    agreement: r4(a.agreement),
    'accuracy (authors)': r4(a.labelAccuracy),
    'accuracy (our grader)': r4(a.graderAccuracy),
  }));
}

/** Relational vs intrinsic importance and usage per expert, per probed epoch (held-out items). */
export function importanceRows(run: Pick<SolversRun, 'probes' | 'expertIds'>): FindingRow[] {
  return run.probes.epochs.flatMap((e) => {
    const s = e.structure?.summaries.find((x) => x.task === 'all') ?? e.structure?.summaries[0];
    if (!s) return [];
    return run.expertIds.map((id, k) => ({ epoch: e.epoch, expert: id, 'relational u_j': r4(s.relational[k]), 'intrinsic I': r4(s.intrinsic[k]), 'usage (calls on held-out items)': r4(s.usage[k]), 'first expert share': r4(s.firstCounts[k] / Math.max(1, s.nItems)) }));
  });
}

/** Masking each solver at the last epoch: conditional KLs and the accuracy change. */
export function solverMaskingRows(run: Pick<SolversRun, 'probes'>): FindingRow[] {
  const last = run.probes.epochs[run.probes.epochs.length - 1];
  return (last?.masking ?? []).filter((m) => m.task === 'all' || m.task === 'gsm8k').map((m) => ({
    epoch: last.epoch,
    task: m.task,
    masked: m.target,
    items: m.nItems,
    'KL sequence (conditional)': r4(m.klSequence),
    'KL routing (conditional)': r4(m.klRouting),
    'accuracy without': r4(m.maskedAccuracy),
    'accuracy change': r4(m.accuracyChange),
    'accuracy from': m.accuracySource,
  }));
}
