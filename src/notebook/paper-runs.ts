/**
 * Shared training runs of the paper notebooks: `ensurePaperRun(spec)` generates the consortium's
 * graded answers (standalone and ordered pairs), builds the routing dataset, trains the
 * orchestrator with a checkpoint per epoch and runs the probes; every step is cached on disk and
 * reused while its inputs are unchanged, so the first notebook trains and the others read.
 *
 * Layout (root = runs/paper, see paper-plan.ts):
 *   <root>/<preset>-<task>/          transcripts.jsonl, grades.jsonl (the consortium's answers do
 *                                    not depend on the orchestrator's seed, so seeds share them),
 *                                    dataset.jsonl + dataset.key.json (routing dataset and its inputs)
 *   <root>/<preset>-<task>-s<seed>/  dataset.jsonl (what was trained on), checkpoints/epoch-N/,
 *                                    probes/ (runProbes' tables), paper-run.json (summary)
 *
 * Reuse: the transcript store makes a re-run generate nothing; the dataset is rebuilt only when
 * its key (items, consortium config, pairs, encoder, grader) changes; training resumes from the
 * checkpoints and starts over when they came from other settings or data (their fingerprint);
 * runProbes reuses its tables while checkpoint, items and code are unchanged.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashingEncoder } from '../encoders/hashing';
import { loadConsortium, SIMULATED_PRESETS, type Consortium, type SimulatedPresetName } from '../experts/consortium';
import { collectResponses, DEFAULT_GRADER_ID, formatPairSelection, generateTranscripts } from '../experts/generate';
import { perturbationTruth } from '../experts/simulated/perturbation-truth';
import { presetTruth, simulatedPresetSpecs } from '../experts/simulated/presets';
import type { SimulatedSpec } from '../experts/simulated/spec';
import type { PlantedTruth } from '../experts/simulated/truth';
import { withStore } from '../experts/store/stored-expert';
import { TranscriptStore } from '../experts/store/transcript-store';
import { checkpointDir, listCheckpoints } from '../orchestrator/checkpoint';
import { loadRoutingDataset, routingDatasetFingerprint, saveRoutingDataset, type RoutingDataset } from '../orchestrator/dataset';
import { buildRoutingDataset } from '../orchestrator/from-consortium';
import { disposeModel } from '../orchestrator/model';
import { ResumeRefusedError, trainOrchestrator, type EpochReport } from '../orchestrator/train';
import { consortiumChainRunner } from '../probes/chain-runner';
import { buildPerturbedItems } from '../probes/perturbations';
import { checkpointFingerprint, probesCodeVersion } from '../probes/probe-cache';
import { runProbes, type ProbeName, type RunProbesResult } from '../probes/run-probes';
import { loadTaskItems } from '../tasks/task-source';
import type { TaskItem } from '../tasks/types';
import { liveLine } from './display';
import { paperRunDir, paperRunsRoot, paperRunSpecs, type PaperPlan, type PaperRunSpec } from './paper-plan';

/** Probes run by default on every paper run (cascade and MoA are epoch-free; 07/08 ask for them). */
export const PAPER_PROBES: readonly ProbeName[] = ['structure', 'masking', 'ablations', 'perturbations'];

/** Seconds spent per step, and whether each step's result came from disk. */
export interface PaperRunTimings {
  generate: number;
  dataset: number;
  train: number;
  probes: number;
  total: number;
}

export interface PaperRun {
  spec: PaperRunSpec;
  /** the seed's run folder (checkpoints, probes) */
  dir: string;
  /** the preset/task folder (transcripts, routing dataset) */
  transcriptsDir: string;
  consortium: { name: string; simulated: boolean; experts: string[] };
  /** loadTaskItems' line: which data the items came from */
  dataSource: string;
  /** items per split */
  items: { train: number; test: number };
  /** one line for every output: consortium (simulated or not), task, data, sizes */
  label: string;
  dataset: RoutingDataset;
  /** the per-epoch reports stored in the checkpoints (epoch 0 = untrained) */
  epochs: EpochReport[];
  probes: RunProbesResult;
  /** planted truth of a simulated preset (null for a config path or a real consortium) */
  truth: PlantedTruth | null;
  /**
   * planted effect of each prompt perturbation on the held-out items (perturbationTruth of the
   * preset's experts, same perturbation seed as the probe): kinds by expected accuracy drop, and the drops
   */
  plantedPerturbations: { ranking: string[]; drop: Record<string, number> } | null;
  /** what this call computed (false = reused from disk) */
  computed: { generations: number; dataset: boolean; trainedEpochs: number; probes: string[] };
  seconds: PaperRunTimings;
}

export interface EnsurePaperRunOptions {
  /** probes to run (default PAPER_PROBES) */
  probes?: readonly ProbeName[];
  /** runs root (default runs/paper) */
  root?: string;
  /** one progress line (text replaced as work goes on) */
  onProgress?: (text: string) => void;
  /** recompute the probe tables even when stored */
  forceProbes?: boolean;
}

const LABEL: Record<string, string> = { gsm8k: 'GSM8K', mmlu: 'MMLU', humaneval: 'HumanEval' };

function isPreset(name: string): name is SimulatedPresetName {
  return (SIMULATED_PRESETS as readonly string[]).includes(name);
}

function sha(value: unknown): string {
  return crypto.createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The preset/task folder holding the transcripts shared by every seed. */
export function paperTranscriptsDir(spec: Pick<PaperRunSpec, 'preset' | 'task'>, root = paperRunsRoot()): string {
  return paperRunDir({ ...spec, seed: 0 }, root).replace(/-s0$/, '');
}

/** Per-epoch reports from the checkpoint manifests (no weights are read). */
export function checkpointReports(runDir: string): EpochReport[] {
  return listCheckpoints(runDir).map((e) => JSON.parse(fs.readFileSync(path.join(checkpointDir(runDir, e), 'manifest.json'), 'utf8')).metrics as EpochReport);
}

type LoadedItems = { items: TaskItem[]; split: Record<string, 'train' | 'test'>; dataSource: string };
/** Item selections already loaded in this process (the official GSM8K file is read and checked once). */
const loadedItems = new Map<string, LoadedItems>();

function loadItems(spec: PaperRunSpec): LoadedItems {
  const key = JSON.stringify([spec.task, spec.limitPerTask, spec.dataSeed ?? 0, spec.source ?? 'auto']);
  const known = loadedItems.get(key);
  if (known) return known;
  // Train and test only (75/25): the orchestrator has no early stopping to spend a validation split on.
  const sel = loadTaskItems({ tasks: [spec.task], limitPerTask: spec.limitPerTask, seed: spec.dataSeed ?? 0, source: spec.source ?? 'auto', splits: ['train', 'test'] });
  const split: Record<string, 'train' | 'test'> = {};
  for (const it of sel.items) split[it.id] = sel.splitOf[it.id] === 'test' ? 'test' : 'train';
  const out = { items: sel.items, split, dataSource: sel.dataSource };
  loadedItems.set(key, out);
  return out;
}

/** Bump to invalidate every stored slim probe table (a change of what slimProbes keeps). */
const PAPER_PROBES_VERSION = 1;
/** The probe tables of a paper run as the notebooks read them. */
export const PAPER_PROBES_FILE = 'paper-probes.json';

/**
 * The probe result without the per-item reads (C and s of every item, per-item intrinsic
 * importance): the summaries, masking, ablations, perturbations and paired tests that the
 * notebooks show. The full outputs stay under <run>/probes/ (runProbes' own files).
 */
function slimProbes(r: RunProbesResult): RunProbesResult {
  return {
    ...r,
    epochs: r.epochs.map((e) => ({
      ...e,
      ...(e.structure ? { structure: { ...e.structure, read: { ...e.structure.read, C: [], s: [], chains: [] }, intrinsicPerItem: [] } } : {}),
      reused: [],
      computed: [],
    })),
  };
}

function readPaperProbes(file: string, key: string): RunProbesResult | undefined {
  try {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: string; probes?: RunProbesResult };
    return stored.key === key ? stored.probes : undefined;
  } catch {
    return undefined; // missing or unreadable: recompute
  }
}

function writeAtomicText(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** The file recording which orchestrator code trained a run's checkpoints. */
const TRAIN_CODE_FILE = 'train-code.txt';
let trainCode: string | null = null;

/**
 * A tag of the code that trains: every file of src/orchestrator. Checkpoints trained by other code
 * are trained again, so the committed figures always come from the checked-out code.
 */
export function orchestratorCodeVersion(): string {
  if (trainCode) return trainCode;
  const dir = path.join(__dirname, '..', 'orchestrator');
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).filter((x) => /\.(ts|js|cjs)$/.test(x)).sort()) {
    h.update(f);
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  trainCode = h.digest('hex').slice(0, 12);
  return trainCode;
}

/** Records that the checkpoints in `dir` were trained by the checked-out orchestrator code. */
export function markTrainedByThisCode(dir: string): void {
  fs.writeFileSync(path.join(dir, TRAIN_CODE_FILE), orchestratorCodeVersion());
}

/** True when `dir`'s checkpoints were trained by the checked-out orchestrator code. */
export function trainedByThisCode(dir: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, TRAIN_CODE_FILE), 'utf8') === orchestratorCodeVersion();
  } catch {
    return false;
  }
}

/** True when the newest checkpoint is the spec's last epoch, trained with its settings on this data by this code. */
function trainingDone(dir: string, spec: PaperRunSpec, datasetFingerprint: string): boolean {
  if (!trainedByThisCode(dir)) return false;
  const epochs = listCheckpoints(dir);
  if (epochs.length === 0 || epochs[epochs.length - 1] !== spec.epochs) return false;
  try {
    const m = JSON.parse(fs.readFileSync(path.join(checkpointDir(dir, spec.epochs), 'manifest.json'), 'utf8')) as {
      modelConfig?: { hidden?: number };
      trainConfig?: { epochs?: number; seed?: number };
      dataset?: { fingerprint?: string };
    };
    return m.modelConfig?.hidden === spec.hidden && m.trainConfig?.epochs === spec.epochs && m.trainConfig?.seed === spec.seed && m.dataset?.fingerprint === datasetFingerprint;
  } catch {
    return false;
  }
}

function plantedPerturbationsOf(specs: SimulatedSpec[], test: TaskItem[], spec: PaperRunSpec): PaperRun['plantedPerturbations'] {
  const t = perturbationTruth(specs, test, spec.seed);
  const effects = t.effects[spec.task];
  if (!effects) return null;
  return { ranking: [...(t.ranking[spec.task] ?? [])], drop: Object.fromEntries(Object.entries(effects).map(([k, e]) => [k, e.drop])) };
}

/** Makes sure one paper run exists (generating, training and probing only what is missing) and returns it. */
export async function ensurePaperRun(spec: PaperRunSpec, opts: EnsurePaperRunOptions = {}): Promise<PaperRun> {
  const t0 = Date.now();
  const root = opts.root ?? paperRunsRoot();
  const dir = paperRunDir(spec, root);
  const base = paperTranscriptsDir(spec, root);
  const say = opts.onProgress ?? (() => {});
  const name = path.basename(dir);
  const seconds: PaperRunTimings = { generate: 0, dataset: 0, train: 0, probes: 0, total: 0 };
  const lap = (() => {
    let t = Date.now();
    return () => {
      const now = Date.now();
      const s = (now - t) / 1000;
      t = now;
      return s;
    };
  })();

  const { items, split, dataSource } = loadItems(spec);
  const consortium: Consortium = loadConsortium(spec.preset);
  const ids = consortium.experts.map((e) => e.id);
  const truth = isPreset(spec.preset) ? presetTruth(spec.preset) : null;
  const nTest = items.filter((it) => split[it.id] === 'test').length;
  const label = `${consortium.simulated ? 'SIMULATED consortium' : 'consortium'} ${consortium.name} (${ids.length} experts) on ${LABEL[spec.task] ?? spec.task}: ${items.length - nTest} train + ${nTest} test items from ${dataSource}; orchestrator seed ${spec.seed}, ${spec.epochs} epochs, d = ${spec.hidden}, pairs ${formatPairSelection(spec.pairs)}`;
  fs.mkdirSync(base, { recursive: true });
  // The store is opened only when something must be generated or read (its lock is per process).
  let store: TranscriptStore | null = null;
  const openStore = () => (store ??= TranscriptStore.open(base));
  try {
    const configText = consortium.config.file && fs.existsSync(consortium.config.file) ? fs.readFileSync(consortium.config.file, 'utf8') : JSON.stringify(consortium.config);
    const encoder = hashingEncoder();
    const key = { version: 1, items: items.map((it) => [it.id, split[it.id]]), consortium: sha(configText), pairs: formatPairSelection(spec.pairs), encoder: encoder.name, grader: DEFAULT_GRADER_ID };
    const keyFile = path.join(base, 'dataset.key.json');
    const dsFile = path.join(base, 'dataset.jsonl');
    // A routing dataset with this key was built from a complete, graded store: nothing to generate.
    const datasetCurrent = fs.existsSync(keyFile) && fs.existsSync(dsFile) && fs.readFileSync(keyFile, 'utf8') === JSON.stringify(key);

    // 1. Answers: standalone, oracle and pairs, graded; the store makes a re-run generate nothing.
    let generations = 0;
    if (!datasetCurrent) {
      const gen = await generateTranscripts({
        consortium,
        items,
        run: openStore(),
        pairs: spec.pairs,
        onProgress: (p) => say(`${name}: answers ${p.done}/${p.total} (${p.generated} new, ${p.reused} stored)`),
      });
      generations = gen.generated;
    }
    seconds.generate = lap();

    // 2. Routing dataset, rebuilt only when its inputs change, read only when needed.
    let dataset: RoutingDataset | null = null;
    if (!datasetCurrent) {
      say(`${name}: encoding ${items.length} items`);
      const rows = collectResponses(openStore(), consortium, items);
      const built = await buildRoutingDataset({
        rows,
        encoder,
        meta: { consortium: consortium.name, simulated: consortium.simulated, preset: spec.preset, task: spec.task, dataSource, pairs: formatPairSelection(spec.pairs) },
      });
      dataset = { ...built, items: built.items.map((it) => ({ ...it, split: split[it.id] })) };
      saveRoutingDataset(dataset, dsFile);
      fs.writeFileSync(path.join(base, 'dataset.fingerprint'), routingDatasetFingerprint(dataset));
      fs.writeFileSync(keyFile, JSON.stringify(key));
    }
    const getDataset = (): RoutingDataset => (dataset ??= loadRoutingDataset(dsFile));
    const fpFile = path.join(base, 'dataset.fingerprint');
    const fp = fs.existsSync(fpFile) ? fs.readFileSync(fpFile, 'utf8') : routingDatasetFingerprint(getDataset());
    const builtDataset = !datasetCurrent;
    seconds.dataset = lap();

    // 3. Training: skipped when the last checkpoint is this spec's on this data; else resumes
    // from the checkpoints, and starts over when they came from other settings or data.
    fs.mkdirSync(dir, { recursive: true });
    const runDs = path.join(dir, 'dataset.jsonl');
    const runFp = path.join(dir, 'dataset.fingerprint');
    if (!fs.existsSync(runDs) || !fs.existsSync(runFp) || fs.readFileSync(runFp, 'utf8') !== fp) {
      saveRoutingDataset(getDataset(), runDs);
      fs.writeFileSync(runFp, fp);
    }
    let trainedEpochs = 0;
    if (!trainingDone(dir, spec, fp)) {
      const ds = getDataset();
      const train = async (resume: boolean) =>
        trainOrchestrator({
          dataset: ds,
          runDir: dir,
          resume,
          progressBar: false,
          model: { hidden: spec.hidden },
          train: { epochs: spec.epochs, seed: spec.seed },
          onProgress: (r) => say(`${name}: train step ${r.step + 1}/${r.totalSteps} (epoch ${r.epoch}/${spec.epochs}) loss ${r.total.toFixed(3)}`),
        });
      let trained;
      const sameCode = trainedByThisCode(dir);
      if (!sameCode && listCheckpoints(dir).length > 0) say(`${name}: stored checkpoints came from other orchestrator code; training again`);
      try {
        trained = await train(sameCode);
      } catch (e) {
        if (!(e instanceof ResumeRefusedError)) throw e;
        say(`${name}: stored checkpoints came from other settings or data; training again`);
        trained = await train(false);
      }
      disposeModel(trained.model);
      markTrainedByThisCode(dir);
      trainedEpochs = trained.epochs.filter((e) => e.epoch > 0).length;
    }
    seconds.train = lap();

    // 4. Probes over every epoch; perturbed prompts go through the shared store. The tables the
    // notebooks read are kept in one file, reused while checkpoints, data and probe code match.
    const test = items.filter((it) => split[it.id] === 'test');
    const experts = () => consortium.experts.map((e) => withStore(e, openStore()));
    const expected = truth?.expected[spec.task];
    const maskExperts = expected ? [expected.hub, ...(expected.critical && expected.critical !== expected.hub ? [expected.critical] : [])] : [];
    const probeList = opts.probes ?? PAPER_PROBES;
    const contextFingerprint = sha([key, 'paper-runs-context-v1']);
    const probeKey = JSON.stringify({
      version: PAPER_PROBES_VERSION,
      code: probesCodeVersion(),
      checkpoints: listCheckpoints(dir).map((e) => [e, checkpointFingerprint(checkpointDir(dir, e))]),
      dataset: key,
      probes: probeList,
      maskExperts,
      seed: spec.seed,
    });
    const probesFile = path.join(dir, PAPER_PROBES_FILE);
    let probes = opts.forceProbes ? undefined : readPaperProbes(probesFile, probeKey);
    let computedProbes: string[] = [];
    if (!probes) {
      const ds = getDataset();
      const full = await runProbes({
        runDir: dir,
        dataset: ds,
        probes: probeList,
        maskExperts,
        force: opts.forceProbes,
        context: {
          fingerprint: contextFingerprint,
          // masking and ablation accuracies: chains run through the consortium and the shared store
          chainRunner: consortiumChainRunner({ expertIds: ds.expertIds, experts: consortium.experts, store: openStore(), items: test }),
          perturbed: () => buildPerturbedItems(test, ds.items, experts(), encoder, { seed: spec.seed, onProgress: (d, t) => say(`${name}: perturbed answers ${d}/${t}`) }),
        },
        onProgress: (p) => say(`${name}: probes ${p.done}/${p.total} (${p.probe}${p.epoch === null ? '' : ` epoch ${p.epoch}`}${p.reused ? ', stored' : ''})`),
      });
      computedProbes = [...new Set(full.epochs.flatMap((e) => e.computed))];
      probes = slimProbes(full);
      writeAtomicText(probesFile, JSON.stringify({ key: probeKey, probes }));
    }
    seconds.probes = lap();
    seconds.total = (Date.now() - t0) / 1000;

    const run: PaperRun = {
      spec,
      dir,
      transcriptsDir: base,
      consortium: { name: consortium.name, simulated: consortium.simulated, experts: ids },
      dataSource,
      items: { train: items.length - nTest, test: nTest },
      label,
      get dataset() {
        return getDataset();
      },
      epochs: checkpointReports(dir),
      probes,
      truth,
      plantedPerturbations: isPreset(spec.preset) ? plantedPerturbationsOf(simulatedPresetSpecs(spec.preset), test, spec) : null,
      computed: { generations, dataset: builtDataset, trainedEpochs, probes: computedProbes },
      seconds,
    };
    fs.writeFileSync(path.join(dir, 'paper-run.json'), JSON.stringify({ spec, label, dataSource, computed: run.computed, seconds }, null, 1) + '\n');
    return run;
  } finally {
    (store as TranscriptStore | null)?.close();
    await consortium.dispose();
  }
}

export interface EnsurePaperRunsOptions extends Omit<EnsurePaperRunOptions, 'onProgress'> {
  /** show one live line (default: true); a function receives the text instead */
  progress?: boolean | ((text: string) => void);
}

/** Every run of a plan (default PAPER_PLAN), in order, with one live progress line. */
export async function ensurePaperRuns(plan: Partial<PaperPlan> = {}, opts: EnsurePaperRunsOptions = {}): Promise<PaperRun[]> {
  const specs = paperRunSpecs(plan);
  // At most one redraw a second: tslab does not serialise its ZeroMQ sends, so every display
  // update is a chance to collide with a status message (see docs/notebooks.md).
  const line = opts.progress === false || typeof opts.progress === 'function' ? null : liveLine({ intervalMs: 1000 });
  const say = typeof opts.progress === 'function' ? opts.progress : (t: string) => line?.update(t);
  const out: PaperRun[] = [];
  const t0 = Date.now();
  try {
    for (const [i, spec] of specs.entries()) {
      out.push(await ensurePaperRun(spec, { ...opts, onProgress: (t) => say(`run ${i + 1}/${specs.length} ${t}`) }));
    }
  } finally {
    const trained = out.reduce((a, r) => a + r.computed.trainedEpochs, 0);
    const generated = out.reduce((a, r) => a + r.computed.generations, 0);
    line?.done(`${out.length}/${specs.length} paper runs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${generated} answers generated, ${trained} epochs trained now (the rest read from ${paperRunsRoot()})`);
  }
  // Let the final update leave the kernel before the cell's idle status is published.
  if (line) await new Promise((r) => setTimeout(r, 100));
  return out;
}
