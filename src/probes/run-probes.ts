/**
 * The probe pass over a run folder: for each checkpointed epoch, the structure, masking and
 * ablation probes (and, when the run has a consortium and transcripts, prompt perturbations),
 * then the series over epochs (Tables 8, 10, 11; Figures 2-11) and the epoch-free cascade and
 * mixture-of-agents analyses. Masking and ablation accuracies come from chains run for real
 * through the consortium when the context has a `chainRunner`, else from the routing dataset (a
 * labelled fallback: `accuracy.source` 'data'). Everything is written under <run>/probes/ as JSON + CSV and reused
 * while its inputs are unchanged (see probe-cache.ts).
 *
 * Layout:
 *   <run>/probes/epoch-<n>/{structure,masking,ablations,perturbations}.json  (inputs + result)
 *   <run>/probes/epoch-<n>/{experts,structure,collab,masking,ablations,perturbations}.csv
 *   <run>/probes/series/{structure,experts,masking,ablations,perturbations,paired,table8}.csv, paired.json
 *   <run>/probes/{cascade,moa}.json + .csv
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointDir, listCheckpoints, loadOrchestratorModel } from '../orchestrator/checkpoint';
import { itemsOfSplit, loadRoutingDataset, type RoutingDataset, type RoutingItem, type Split } from '../orchestrator/dataset';
import { disposeModel, type OrchestratorModel } from '../orchestrator/model';
import { rowsToCsv } from '../plots/csv';
import { tConfidenceInterval } from '../stats/t-confidence-interval';
import type { PerturbationName } from '../tasks/perturb';
import { ablationProbe, type AblationSummary } from './ablations';
import { dataChainRunner, type AccuracySource, type ChainRunner, type ChainRunStats } from './chain-runner';
import { cascadeProbe, type CascadeItem, type CascadeSettings, type CascadeSummary } from './cascade';
import { maskingProbes, pairedOverEpochs, type MaskingSummary, type MaskTarget, type PairedComparison } from './masking';
import type { MoaProbeResult } from './moa';
import { perturbationShift, type PerturbationSummary, type PerturbedSet } from './perturbations';
import { BackgroundWrites, checkpointFingerprint, itemsFingerprint, probesCodeVersion, readCached, type ProbeInputs } from './probe-cache';
import { disposeEncoded, encodeItems, type EncodedItems } from './routing-read';
import { structureProbe, type StructureResult } from './structure';
import { integratedProbe, type IntegratedSummary } from './integrated';
import { causalSummaries, type CausalSummary } from './causal';
import { ablationRows, cascadeRows, causalRows, collabRows, expertRows, integratedRows, maskingRows, moaRows, pairedRows, perturbationRows, structureRows, type Row } from './tables';

export const PROBE_NAMES = ['structure', 'masking', 'ablations', 'perturbations', 'cascade', 'moa', 'integrated', 'causal'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];
/** Probes that need only checkpoints and the routing dataset. */
export const CHECKPOINT_PROBES: readonly ProbeName[] = ['structure', 'masking', 'ablations'];

/** Progress of a pass: one step per (epoch, probe) and per epoch-free probe. */
export interface ProbeProgress {
  done: number;
  total: number;
  epoch: number | null;
  probe: ProbeName;
  /** true when the output was reused from disk */
  reused: boolean;
}

/**
 * What the consortium-dependent probes need; `loadRunContext` (run-context.ts) builds it from a
 * run folder written by `inform generate`.
 */
export interface ProbeContext {
  /** perturbed routing items (built once; the store caches their generations) */
  perturbed?: () => Promise<PerturbedSet[]>;
  /** cascade items (token entropies and grades of the solo answers) */
  cascadeItems?: () => Promise<CascadeItem[]>;
  /** runs the MoA analysis */
  moa?: () => Promise<MoaProbeResult>;
  /**
   * runs masked and ablated chains through the consortium and the store (`consortiumChainRunner`);
   * absent (or a 'data' runner) = accuracies graded from the routing dataset, labelled as such
   */
  chainRunner?: ChainRunner;
  /** a fingerprint of what the context reads (consortium, store), part of the cache inputs */
  fingerprint: string;
}

export interface RunProbesOptions {
  runDir: string;
  /** epochs to probe (default: every checkpoint of the run) */
  epochs?: number[];
  /** probes to run (default: the checkpoint probes, plus perturbations and cascade when a context is given) */
  probes?: readonly ProbeName[];
  /** data split the probes read (default 'test', the held-out items) */
  split?: Split | 'all';
  /** the routing dataset (default <run>/dataset.jsonl) */
  dataset?: RoutingDataset;
  /** further experts (ids) to mask, e.g. a planted hub and critical expert; pairs are compared over epochs in order */
  maskExperts?: string[];
  /** static sequence of the ablation (expert ids; default the first three experts) */
  staticSequence?: string[];
  batchSize?: number;
  /**
   * the longest chain the probes roll out (default N): the horizon of the recipe the run was
   * trained with (`trainingRecipe('content').infer.maxSteps` is 2), so the probes read the chains
   * inference takes
   */
  maxSteps?: number;
  /** consortium-dependent inputs (perturbations, cascade, MoA) */
  context?: ProbeContext;
  cascade?: Partial<CascadeSettings>;
  perturbations?: readonly PerturbationName[];
  /** quadrature points of the 'integrated' probe (default 16) */
  integratedSteps?: number;
  /** recompute even when stored outputs match */
  force?: boolean;
  onProgress?: (p: ProbeProgress) => void;
}

/** The probes of one epoch. */
export interface EpochProbes {
  epoch: number;
  structure?: StructureResult;
  masking?: MaskingSummary[];
  ablations?: AblationSummary[];
  perturbations?: PerturbationSummary[];
  /** integrated intrinsic importance (opt-in probe 'integrated', integrated.ts) */
  integrated?: { steps: number; summaries: IntegratedSummary[] };
  /** causal importance: every expert masked in turn (opt-in probe 'causal', causal.ts) */
  causal?: CausalSummary[];
  reused: ProbeName[];
  computed: ProbeName[];
}

export interface RunProbesResult {
  runDir: string;
  split: Split | 'all';
  expertIds: string[];
  epochs: EpochProbes[];
  /** Table 11 (and any maskExperts pairs): paired over training epochs (epoch >= 1) */
  paired: PairedComparison[];
  /** Table 8: top-intrinsic masking KL, mean and 95% t interval over training epochs, per task */
  table8: Row[];
  cascade?: { settings: CascadeSettings; summaries: CascadeSummary[] };
  moa?: MoaProbeResult;
  /**
   * how masking and ablation accuracies were scored in this pass: 'run' (chains run through the
   * consortium; stats count this pass's work, zero when every table was reused) or 'data' (fallback)
   */
  accuracy: { source: AccuracySource; note: string; stats: ChainRunStats };
  /** every file written or reused */
  files: string[];
}

function expertIndex(ids: readonly string[], id: string, what: string): number {
  const k = ids.indexOf(id);
  if (k < 0) throw new Error(`probes: ${what} '${id}' is not an expert of this run (experts: ${ids.join(', ')})`);
  return k;
}

/**
 * Runs the probe pass. Its files are written in the background while it computes (atomic writes
 * on the file system's threads); it returns, or throws, once every write has landed.
 */
export async function runProbes(opts: RunProbesOptions): Promise<RunProbesResult> {
  const writes = new BackgroundWrites();
  try {
    const result = await probePass(opts, writes);
    await writes.settle();
    return result;
  } catch (e) {
    await writes.settle().catch(() => undefined); // keep what was computed; report the pass's own error
    throw e;
  }
}

async function probePass(opts: RunProbesOptions, writes: BackgroundWrites): Promise<RunProbesResult> {
  const runDir = path.resolve(opts.runDir);
  const split = opts.split ?? 'test';
  const datasetFile = path.join(runDir, 'dataset.jsonl');
  if (!opts.dataset && !fs.existsSync(datasetFile)) throw new Error(`probes: ${datasetFile} does not exist (train the run first: inform train --run ${opts.runDir})`);
  const dataset = opts.dataset ?? loadRoutingDataset(datasetFile);
  const items = itemsOfSplit(dataset, split);
  if (items.length === 0) throw new Error(`probes: split '${split}' of ${opts.dataset ? 'the dataset' : datasetFile} has no items`);
  const ids = dataset.expertIds;
  const available = listCheckpoints(runDir);
  if (available.length === 0) throw new Error(`probes: ${runDir} has no checkpoints (run inform train --run ${opts.runDir})`);
  const epochs = opts.epochs ?? available;
  for (const e of epochs) if (!available.includes(e)) throw new Error(`probes: epoch ${e} has no checkpoint in ${runDir} (available: ${available.join(', ')})`);
  const probes = opts.probes ?? [...CHECKPOINT_PROBES, ...(opts.context ? (['perturbations', 'cascade'] as const) : [])];
  for (const p of probes) if (!PROBE_NAMES.includes(p)) throw new Error(`probes: unknown probe '${p}' (known: ${PROBE_NAMES.join(', ')})`);
  if (!opts.context && probes.some((p) => p === 'perturbations' || p === 'cascade' || p === 'moa')) {
    throw new Error(`probes: ${probes.filter((p) => ['perturbations', 'cascade', 'moa'].includes(p)).join(', ')} need the run's consortium and transcripts (a run folder filled by inform generate)`);
  }
  const maskIdx = (opts.maskExperts ?? []).map((id) => expertIndex(ids, id, 'mask expert'));
  const staticSequence = opts.staticSequence?.map((id) => expertIndex(ids, id, 'static-sequence expert'));
  const needsStructure = probes.includes('structure') || probes.includes('masking') || probes.includes('integrated') || probes.includes('causal');
  const epochProbes = probes.filter((p) => p === 'structure' || p === 'masking' || p === 'ablations' || p === 'perturbations' || p === 'integrated' || p === 'causal');
  const total = epochs.length * epochProbes.length + (probes.includes('cascade') ? 1 : 0) + (probes.includes('moa') ? 1 : 0);
  let done = 0;
  const progress = (epoch: number | null, probe: ProbeName, reused: boolean) => opts.onProgress?.({ done: ++done, total, epoch, probe, reused });

  const root = path.join(runDir, 'probes');
  const files: string[] = [];
  const writeCsv = (file: string, rows: Row[]) => {
    if (rows.length === 0) return;
    writes.write(file, rowsToCsv(rows));
    files.push(file);
  };
  // maxSteps joins the cache inputs only when given, so tables written without it stay valid
  const common = { code: probesCodeVersion(), items: itemsFingerprint(items), split, batchSize: opts.batchSize ?? 64, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) };
  let perturbed: PerturbedSet[] | null = null;
  const runner = opts.context?.chainRunner ?? dataChainRunner(opts.context ? 'graded from the routing dataset (the context cannot run chains)' : undefined);
  const statsBefore = { ...runner.stats };
  // the accuracy source is an input of the masking and ablation tables: a data-graded table is not reused once chains can run
  const accuracyInputs = { accuracy: runner.source, ...(runner.source === 'run' ? { chainsFrom: opts.context!.fingerprint } : {}) };

  const out: EpochProbes[] = [];
  for (const epoch of epochs) {
    const dir = path.join(root, `epoch-${epoch}`);
    const ckpt = checkpointFingerprint(checkpointDir(runDir, epoch));
    const res: EpochProbes = { epoch, reused: [], computed: [] };
    let model: OrchestratorModel | null = null;
    const getModel = () => (model ??= loadOrchestratorModel({ runDir, epoch }).model);
    // the unmasked representations of the items, encoded once for every probe of this epoch
    let encoded: EncodedItems | undefined;
    const getEncoded = () => (encoded ??= encodeItems(getModel(), items, { batchSize: opts.batchSize }));
    const step = async <T>(probe: ProbeName, inputs: ProbeInputs, compute: () => T | Promise<T>): Promise<T> => {
      const file = path.join(dir, `${probe}.json`);
      const full = { ...common, checkpoint: ckpt, probe, ...inputs };
      const cached = opts.force ? undefined : readCached<T>(file, full);
      files.push(file);
      if (cached !== undefined) {
        res.reused.push(probe);
        return cached;
      }
      const value = await compute();
      writes.writeCached(file, full, value);
      res.computed.push(probe);
      return value;
    };
    try {
      if (needsStructure) {
        res.structure = await step('structure', {}, () => structureProbe(getModel(), items, ids, { batchSize: opts.batchSize, maxSteps: opts.maxSteps, encoded: getEncoded() }));
        if (probes.includes('structure')) progress(epoch, 'structure', res.reused.includes('structure'));
        writeCsv(path.join(dir, 'experts.csv'), expertRows(epoch, res.structure.summaries, ids));
        writeCsv(path.join(dir, 'structure.csv'), structureRows(epoch, res.structure.summaries));
        writeCsv(path.join(dir, 'collab.csv'), collabRows(epoch, res.structure.summaries, ids));
      }
      if (probes.includes('masking') || probes.includes('causal')) {
        // 'causal' masks every expert by index; maskingProbes reads each masked expert once, whichever targets name it
        const indices = probes.includes('causal') ? [...new Set([...maskIdx, ...ids.map((_, i) => i)])] : maskIdx;
        const targets: MaskTarget[] = [{ kind: 'top-intrinsic' }, { kind: 'top-relational' }, ...indices.map((expert) => ({ kind: 'index' as const, expert }))];
        res.masking = await step('masking', { targets, ...accuracyInputs }, () => maskingProbes(getModel(), items, res.structure!, targets, { batchSize: opts.batchSize, maxSteps: opts.maxSteps, runner, encoded: getEncoded() }));
        if (probes.includes('masking')) progress(epoch, 'masking', res.reused.includes('masking'));
        writeCsv(path.join(dir, 'masking.csv'), maskingRows(epoch, res.masking, ids));
        if (probes.includes('causal')) {
          res.causal = causalSummaries(res.masking, ids.length);
          progress(epoch, 'causal', res.reused.includes('masking'));
          writeCsv(path.join(dir, 'causal.csv'), causalRows(epoch, res.causal, ids));
        }
      }
      if (probes.includes('integrated')) {
        const steps = opts.integratedSteps ?? 16;
        res.integrated = await step('integrated', { steps }, () => integratedProbe(getModel(), items, res.structure!.read, { batchSize: opts.batchSize, maxSteps: opts.maxSteps, encoded: getEncoded(), steps }));
        progress(epoch, 'integrated', res.reused.includes('integrated'));
        writeCsv(path.join(dir, 'integrated.csv'), integratedRows(epoch, res.integrated.summaries, ids));
      }
      if (probes.includes('ablations')) {
        res.ablations = await step('ablations', { staticSequence: staticSequence ?? null, ...accuracyInputs }, () =>
          ablationProbe(getModel(), items, { batchSize: opts.batchSize, maxSteps: opts.maxSteps, staticSequence, full: res.structure?.read, encoded: getEncoded(), runner }),
        );
        progress(epoch, 'ablations', res.reused.includes('ablations'));
        writeCsv(path.join(dir, 'ablations.csv'), ablationRows(epoch, res.ablations, ids));
      }
      if (probes.includes('perturbations')) {
        const file = path.join(dir, 'perturbations.json');
        const inputs = { ...common, checkpoint: ckpt, probe: 'perturbations', context: opts.context!.fingerprint, perturbations: opts.perturbations ?? null };
        let value = opts.force ? undefined : readCached<PerturbationSummary[]>(file, inputs);
        files.push(file);
        if (value === undefined) {
          perturbed ??= await opts.context!.perturbed!();
          const sets = opts.perturbations ? perturbed.filter((s) => opts.perturbations!.includes(s.perturbation)) : perturbed;
          value = perturbationShift(getModel(), items, sets, { batchSize: opts.batchSize, maxSteps: opts.maxSteps });
          writes.writeCached(file, inputs, value);
          res.computed.push('perturbations');
        } else res.reused.push('perturbations');
        res.perturbations = value;
        progress(epoch, 'perturbations', res.reused.includes('perturbations'));
        writeCsv(path.join(dir, 'perturbations.csv'), perturbationRows(epoch, value));
      }
    } finally {
      disposeEncoded(encoded);
      if (model) disposeModel(model);
    }
    out.push(res);
  }

  // Series over epochs.
  const series = path.join(root, 'series');
  const cat = (f: (e: EpochProbes) => Row[]) => out.flatMap(f);
  writeCsv(path.join(series, 'structure.csv'), cat((e) => (e.structure ? structureRows(e.epoch, e.structure.summaries) : [])));
  writeCsv(path.join(series, 'experts.csv'), cat((e) => (e.structure ? expertRows(e.epoch, e.structure.summaries, ids) : [])));
  writeCsv(path.join(series, 'integrated.csv'), cat((e) => (e.integrated ? integratedRows(e.epoch, e.integrated.summaries, ids) : [])));
  writeCsv(path.join(series, 'causal.csv'), cat((e) => (e.causal ? causalRows(e.epoch, e.causal, ids) : [])));
  writeCsv(path.join(series, 'masking.csv'), cat((e) => (e.masking ? maskingRows(e.epoch, e.masking, ids) : [])));
  writeCsv(path.join(series, 'ablations.csv'), cat((e) => (e.ablations ? ablationRows(e.epoch, e.ablations, ids) : [])));
  writeCsv(path.join(series, 'perturbations.csv'), cat((e) => (e.perturbations ? perturbationRows(e.epoch, e.perturbations) : [])));
  const { paired, table8 } = maskingSeries(out.filter((e) => e.epoch >= 1), ids, maskIdx);
  writeCsv(path.join(series, 'paired.csv'), pairedRows(paired));
  writeCsv(path.join(series, 'table8.csv'), table8);
  if (paired.length) {
    writes.write(path.join(series, 'paired.json'), JSON.stringify(paired, null, 1));
    files.push(path.join(series, 'paired.json'));
  }

  // Epoch-free analyses of the consortium.
  let cascade: RunProbesResult['cascade'];
  if (probes.includes('cascade')) {
    const file = path.join(root, 'cascade.json');
    const inputs = { code: common.code, context: opts.context!.fingerprint, settings: opts.cascade ?? null, items: items.map((it) => it.id) };
    cascade = opts.force ? undefined : readCached<NonNullable<RunProbesResult['cascade']>>(file, inputs);
    const reused = cascade !== undefined;
    if (!cascade) {
      const ci = await opts.context!.cascadeItems!();
      cascade = cascadeProbe(ci, opts.cascade);
      writes.writeCached(file, inputs, cascade);
    }
    files.push(file);
    writeCsv(path.join(root, 'cascade.csv'), cascadeRows(cascade.summaries, ids));
    progress(null, 'cascade', reused);
  }
  let moa: MoaProbeResult | undefined;
  if (probes.includes('moa')) {
    const file = path.join(root, 'moa.json');
    const inputs = { code: common.code, context: opts.context!.fingerprint, items: items.map((it) => it.id) };
    moa = opts.force ? undefined : readCached<MoaProbeResult>(file, inputs);
    const reused = moa !== undefined;
    if (!moa) {
      moa = await opts.context!.moa!();
      writes.writeCached(file, inputs, moa);
    }
    files.push(file);
    writeCsv(path.join(root, 'moa.csv'), moaRows(moa.summaries));
    progress(null, 'moa', reused);
  }
  const stats: ChainRunStats = {
    chainsGraded: runner.stats.chainsGraded - statsBefore.chainsGraded,
    storeCalls: runner.stats.storeCalls - statsBefore.storeCalls,
    newGenerations: runner.stats.newGenerations - statsBefore.newGenerations,
  };
  const accuracy = { source: runner.source, note: runner.note, stats };
  return { runDir, split, expertIds: ids, epochs: out, paired, table8, ...(cascade ? { cascade } : {}), ...(moa ? { moa } : {}), accuracy, files };
}

/**
 * Table 11 (top-intrinsic vs top-relational masking, routing and sequence KL, paired by epoch,
 * Wilcoxon + paired t) and Table 8 (top-intrinsic masking KL, mean and 95% t interval over
 * epochs), per task; plus every ordered pair of `maskIdx` experts.
 */
export function maskingSeries(epochs: readonly EpochProbes[], ids: readonly string[], maskIdx: readonly number[] = []): { paired: PairedComparison[]; table8: Row[] } {
  const withMasking = epochs.filter((e) => e.masking && e.masking.length);
  if (withMasking.length === 0) return { paired: [], table8: [] };
  const tasks = [...new Set(withMasking[0].masking!.map((m) => m.task))];
  const ep = withMasking.map((e) => e.epoch);
  const val = (task: string, target: string, measure: 'klRouting' | 'klSequence') =>
    withMasking.map((e) => {
      const m = e.masking!.find((x) => x.task === task && x.target === target);
      if (!m) throw new Error(`probes: epoch ${e.epoch} has no '${target}' masking for '${task}'`);
      return m[measure];
    });
  const paired: PairedComparison[] = [];
  const table8: Row[] = [];
  for (const task of tasks) {
    for (const measure of ['klRouting', 'klSequence'] as const) {
      if (ep.length >= 2) paired.push(pairedOverEpochs(task, measure, 'top-intrinsic', 'top-relational', ep, val(task, 'top-intrinsic', measure), val(task, 'top-relational', measure)));
      for (let a = 0; a < maskIdx.length; a++) {
        for (let b = a + 1; b < maskIdx.length; b++) {
          const xa = `expert-${maskIdx[a]}`;
          const yb = `expert-${maskIdx[b]}`;
          if (ep.length >= 2) paired.push({ ...pairedOverEpochs(task, measure, ids[maskIdx[a]], ids[maskIdx[b]], ep, val(task, xa, measure), val(task, yb, measure)) });
        }
      }
    }
    const ci = (v: number[]) => (v.length >= 2 ? tConfidenceInterval(v) : { mean: v[0], halfWidth: Number.NaN });
    const seq = ci(val(task, 'top-intrinsic', 'klSequence'));
    const rou = ci(val(task, 'top-intrinsic', 'klRouting'));
    table8.push({ task, epochs: ep.join(' '), klSequenceMean: seq.mean, klSequenceCi95: seq.halfWidth, klRoutingMean: rou.mean, klRoutingCi95: rou.halfWidth });
  }
  return { paired, table8 };
}
