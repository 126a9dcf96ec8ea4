/**
 * The training loop: Adam with warmup + cosine learning rate, global-norm clipping, Gumbel
 * temperature decay, adaptive top-k, dropout — all noise drawn from one seeded RNG — with a
 * checkpoint after every epoch and resume from the newest one.
 *
 * Per step it reports all eight loss terms (`onProgress`), per epoch the mean terms plus held-out
 * metrics (`onEpoch`); a terminal gets a progress bar, a notebook cell a live progress line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cliProgress from 'cli-progress';
import { ensureBackend, tf, type BackendChoice } from './backend';
import { checkpointDir, latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { resolveModelConfig, resolveTrainConfig, type ModelConfig, type ModelConfigInput, type TrainConfig, type TrainConfigInput } from './config';
import { disposeBatch, itemsOfSplit, routingDatasetFingerprint, toBatch, validateRoutingDataset, type RoutingDataset, type RoutingItem } from './dataset';
import { inNotebook, liveLine } from '../notebook/display';
import { evaluateModel, type EvaluationResult, type InferOptions } from './evaluate';
import { oracleTargetsOfItems } from './loss-kernel';
import { compositeLoss, LOSS_NAMES, type LossName } from './losses';
import { createModel, disposeModel, forward, readParameters, type OrchestratorModel } from './model';
import { adamStep, createAdamState, disposeAdamState, readAdamState, type AdamState } from './adam';
import { Rng } from './rng';
import { advanceSchedule, initialSchedule, learningRateAt, type ScheduleState } from './schedule';
import { acquireFileLock } from '../experts/store/file-lock';

/** What one optimisation step reports. */
export interface StepReport {
  epoch: number;
  /** 0-based step within the whole run */
  step: number;
  totalSteps: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  lr: number;
  tau: number;
  k: number;
  /** gradient norm before clipping */
  gradNorm: number;
  /** mean over the batch of max_i s_i(x) */
  confidence: number;
  total: number;
  terms: Record<LossName, number>;
}

/** What one epoch reports (also stored in its checkpoint's manifest). */
export interface EpochReport {
  /** 1-based epoch number */
  epoch: number;
  epochs: number;
  /** mean over the epoch's steps; null for epoch 0 (the untrained model, before any step) */
  trainLoss: { total: number; terms: Record<LossName, number> } | null;
  schedule: ScheduleState;
  /** held-out metrics (the test split, or the training items when there is no test split) */
  eval: Omit<EvaluationResult, 'chains'>;
  /** per-step reports of the epoch */
  steps: StepReport[];
  seconds: number;
  checkpoint: string | null;
}

export interface TrainOptions {
  dataset: RoutingDataset;
  /** run directory: checkpoints go to <runDir>/checkpoints/epoch-<n>/; absent: nothing is written */
  runDir?: string;
  /** model settings (inputDim and nExperts come from the dataset) */
  model?: Omit<ModelConfigInput, 'inputDim' | 'nExperts'>;
  train?: TrainConfigInput;
  /** tfjs backend; default: the best available */
  backend?: BackendChoice;
  /**
   * continue from the newest checkpoint in runDir (default true); false starts over and first
   * removes runDir's existing checkpoints, so no epoch of an earlier run is left beside the new ones
   */
  resume?: boolean;
  /** stop (after checkpointing) once this many epochs are done in total — to split a run across sessions */
  stopAfterEpoch?: number;
  /**
   * show progress: a bar on stderr in a terminal, a live line (one output rewritten in place)
   * inside a notebook (default: when stderr is a TTY or the code runs in a notebook cell)
   */
  progressBar?: boolean;
  /** called after every optimisation step (e.g. to update a live line in a notebook) */
  onProgress?: (r: StepReport) => void;
  /** called after every epoch, epoch 0 (untrained) included, once its checkpoint is written */
  onEpoch?: (r: EpochReport) => void;
  /** how each epoch's held-out evaluation infers chains (default: evaluateModel's, chains up to N); a recipe's horizon goes here */
  infer?: InferOptions;
}

export interface TrainResult {
  model: OrchestratorModel;
  modelConfig: ModelConfig;
  trainConfig: TrainConfig;
  schedule: ScheduleState;
  /** reports of the epochs run by this call, starting with epoch 0 (untrained) on a fresh run */
  epochs: EpochReport[];
  /** epoch the run resumed from (0 = fresh) */
  resumedFrom: number;
  backend: BackendChoice;
}

/** The fields of `given` that differ from `saved` (for a resume with conflicting settings). */
function conflicts(given: Record<string, unknown>, saved: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(given)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) =>
      v && typeof v === 'object' ? conflicts(v as Record<string, unknown>, (saved[k] ?? {}) as Record<string, unknown>, `${prefix}${k}.`) : v === saved[k] ? [] : [`${prefix}${k} (${JSON.stringify(v)} vs saved ${JSON.stringify(saved[k])})`],
    );
}

/** Draws an inverted-dropout mask [B, N, d] from the RNG. */
function dropoutMask(rng: Rng, B: number, N: number, d: number, p: number): tf.Tensor3D | undefined {
  if (p <= 0) return undefined;
  const keep = 1 / (1 - p);
  return tf.tensor3d(rng.fill(B * N * d, (r) => (r.uniform() < p ? 0 : keep)), [B, N, d]);
}

export interface StepOutcome {
  total: number;
  terms: Record<LossName, number>;
  confidence: number;
  gradNorm: number;
}

/**
 * One optimisation step on `items`: draws dropout and Gumbel noise from `rng`, computes the loss
 * and its gradients, clips and applies Adam. Exported for the benchmark; `trainOrchestrator` is
 * the normal entry point.
 */
export function trainStep(model: OrchestratorModel, adam: AdamState, items: RoutingItem[], sched: ScheduleState, lr: number, tc: TrainConfig, rng: Rng): StepOutcome {
  const { nExperts: N, hidden: d, dropout } = model.config;
  const batch = toBatch(items, model.config.inputDim);
  const B = items.length;
  const mask = dropoutMask(rng, B, N, d, dropout);
  const steps = Math.min(Math.max(sched.k, tc.minRolloutSteps), N);
  const gumbel = tf.tensor3d(rng.fill(B * steps * N, (r) => r.gumbel()), [B, steps, N]);
  const names = Object.keys(model.params);
  const byVarName = new Map(names.map((n) => [model.params[n].name, n]));
  // The eight terms and the selection confidence, kept out of the gradient scope to be read after.
  const kept: { monitor?: tf.Tensor1D } = {};
  const owned: tf.Tensor[] = [gumbel, ...(mask ? [mask] : [])];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const cache = forward(model, batch, { steps, tau: sched.tau, gumbel, dropoutMask: mask });
      const { total, vector } = compositeLoss(cache, batch, { weights: tc.weights, topK: sched.k, lengthAlpha: tc.lengthAlpha ?? 1 / N, distillation: tc.distillation, utility: tc.utility, exploration: tc.utilityExploration, lengthPenalty: model.config.lengthPenalty, oracleTargets: oracleTargetsOfItems(items, model.config.inputDim) });
      kept.monitor = tf.keep(tf.concat([vector, tf.reshape(tf.mean(tf.max(cache.s, -1)), [1])]) as tf.Tensor1D);
      return total;
    }, names.map((n) => model.params[n]));
    owned.push(value, ...Object.values(grads).filter((g) => g != null));
    const monitor = kept.monitor!;
    const named: Record<string, tf.Tensor> = {};
    for (const [varName, g] of Object.entries(grads)) named[byVarName.get(varName)!] = g;
    const gradNorm = adamStep(model.params, named, adam, lr, { beta1: tc.adamBeta1, beta2: tc.adamBeta2, eps: tc.adamEps, clipNorm: tc.clipNorm });
    const vals = monitor.dataSync();
    const total = value.dataSync()[0];
    const terms = Object.fromEntries(LOSS_NAMES.map((n, i) => [n, vals[i]])) as Record<LossName, number>;
    const confidence = vals[LOSS_NAMES.length];
    if (!Number.isFinite(total)) throw new Error(`training diverged: loss is ${total} at step ${sched.step}`);
    return { total, terms, confidence, gradNorm };
  } finally {
    // Freed on every path, a thrown step (divergence, a bad batch) included.
    tf.dispose([...owned, ...(kept.monitor ? [kept.monitor] : [])]);
    disposeBatch(batch);
  }
}

/**
 * A run folder's newest checkpoint came from other settings, experts or data, so training cannot
 * continue it. The message names the library's way to start over (`resume: false`); `reason`
 * lets a front end (the CLI's --fresh) say it in its own words.
 */
export class ResumeRefusedError extends Error {
  constructor(
    readonly checkpoint: string,
    readonly reason: string,
  ) {
    super(`cannot resume ${checkpoint}: ${reason} (use another run directory, or start over in it with resume: false)`);
    this.name = 'ResumeRefusedError';
  }
}

/** The lock file of a run folder's trainer (see trainOrchestrator). */
export const TRAIN_LOCK_FILE = 'train.lock';

/**
 * Trains the orchestrator on the dataset's training split (all items when no split is assigned),
 * evaluating on its test split after every epoch. With `runDir`, checkpoints every epoch and,
 * unless `resume: false`, continues from the newest checkpoint there. One trainer per run folder:
 * it holds `<runDir>/train.lock` throughout (a second would resume from, or remove, and then
 * overwrite the first one's checkpoints); a held lock is a LockHeldError naming the holder.
 */
export async function trainOrchestrator(opts: TrainOptions): Promise<TrainResult> {
  if (!opts.runDir) return trainInRun(opts);
  fs.mkdirSync(opts.runDir, { recursive: true });
  const lock = acquireFileLock(path.join(opts.runDir, TRAIN_LOCK_FILE), 'the run folder');
  try {
    return await trainInRun(opts);
  } finally {
    lock.release();
  }
}

async function trainInRun(opts: TrainOptions): Promise<TrainResult> {
  const backend = await ensureBackend(opts.backend);
  const ds = opts.dataset;
  validateRoutingDataset(ds);
  const N = ds.expertIds.length;
  const trainItems = itemsOfSplit(ds, 'train');
  const evalSplit = itemsOfSplit(ds, 'test').length > 0 ? 'test' : 'train';
  if (trainItems.length === 0) throw new Error('trainOrchestrator: the dataset has no training items');
  const datasetRecord = { items: ds.items.length, trainItems: trainItems.length, fingerprint: routingDatasetFingerprint(ds) };

  let modelConfig = resolveModelConfig({ ...(opts.model ?? {}), inputDim: ds.dim, nExperts: N });
  let trainConfig = resolveTrainConfig(opts.train ?? {});
  let schedule = initialSchedule(trainConfig, N);
  let rng = new Rng(trainConfig.seed);
  let model: OrchestratorModel;
  let adam: AdamState;
  let startEpoch = 0;

  const latest = opts.runDir && opts.resume !== false ? latestCheckpoint(opts.runDir) : null;
  if (latest) {
    const ck = loadCheckpoint(latest);
    const clash = [
      ...conflicts((opts.model ?? {}) as Record<string, unknown>, ck.modelConfig as unknown as Record<string, unknown>, 'model.'),
      ...conflicts((opts.train ?? {}) as Record<string, unknown>, ck.trainConfig as unknown as Record<string, unknown>, 'train.'),
    ];
    if (clash.length) throw new ResumeRefusedError(latest, `settings differ from the checkpoint: ${clash.join('; ')}`);
    if (ck.expertIds.join('\u0000') !== ds.expertIds.join('\u0000')) throw new ResumeRefusedError(latest, `it was trained on experts [${ck.expertIds.join(', ')}], given [${ds.expertIds.join(', ')}]`);
    // Other data would change the epoch length and so the learning-rate schedule mid-run.
    if (ck.dataset && ck.dataset.fingerprint !== datasetRecord.fingerprint) {
      const d = (r: typeof datasetRecord) => `${r.items} items, ${r.trainItems} for training, fingerprint ${r.fingerprint}`;
      throw new ResumeRefusedError(latest, `it was trained on other data (${d(ck.dataset)}; given: ${d(datasetRecord)})`);
    }
    modelConfig = ck.modelConfig;
    trainConfig = ck.trainConfig;
    schedule = ck.schedule;
    rng = Rng.fromState(ck.rngState);
    model = createModel(modelConfig, ck.params);
    adam = createAdamState(model.params, ck.adam);
    startEpoch = ck.epoch;
  } else {
    // Starting over: an earlier run's later epochs must not outlive it (latestCheckpoint, probes
    // and a later resume would otherwise read them as this run's).
    if (opts.runDir && opts.resume === false) fs.rmSync(path.dirname(checkpointDir(opts.runDir, 0)), { recursive: true, force: true });
    model = createModel(modelConfig, rng);
    adam = createAdamState(model.params);
  }

  const B = trainConfig.batchSize;
  const stepsPerEpoch = Math.ceil(trainItems.length / B);
  const totalSteps = stepsPerEpoch * trainConfig.epochs;
  const lastEpoch = Math.min(trainConfig.epochs, opts.stopAfterEpoch ?? trainConfig.epochs);
  const notebook = inNotebook();
  const showProgress = opts.progressBar ?? (Boolean(process.stderr.isTTY) || notebook);
  const live = showProgress && notebook ? liveLine() : null;
  const bar = showProgress && !notebook
    ? new cliProgress.SingleBar({ format: 'train |{bar}| {value}/{total} steps | epoch {epoch} | loss {loss} | tau {tau} | k {k}', stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(totalSteps, schedule.step, { epoch: startEpoch + 1, loss: '-', tau: schedule.tau.toFixed(3), k: schedule.k });

  const reports: EpochReport[] = [];
  const finishEpoch = (epoch: number, trainLoss: EpochReport['trainLoss'], steps: StepReport[], t0: number) => {
    const { chains: _chains, ...evalMetrics } = evaluateModel(model, ds, evalSplit, opts.infer);
    const report: EpochReport = { epoch, epochs: trainConfig.epochs, trainLoss, schedule, eval: evalMetrics, steps, seconds: (Date.now() - t0) / 1000, checkpoint: null };
    if (opts.runDir) {
      report.checkpoint = saveCheckpoint(opts.runDir, {
        epoch,
        modelConfig,
        trainConfig,
        schedule,
        rngState: rng.state(),
        expertIds: ds.expertIds,
        params: readParameters(model),
        adam: readAdamState(adam),
        dataset: datasetRecord,
        metrics: report as unknown as Record<string, unknown>,
      });
    }
    reports.push(report);
    opts.onEpoch?.(report);
  };
  // The steps are synchronous; let the event loop run now and then so Ctrl-C handlers, a
  // notebook's interrupt and live output get through (a step is milliseconds, a yield microseconds).
  let lastYield = Date.now();
  const yieldNow = async () => {
    if (Date.now() - lastYield < 50) return;
    await new Promise((r) => setImmediate(r));
    lastYield = Date.now();
  };
  try {
    // Epoch 0 is the untrained model: the "start of training" the probes compare against.
    if (!latest) finishEpoch(0, null, [], Date.now());
    for (let epoch = startEpoch + 1; epoch <= lastEpoch; epoch++) {
      const t0 = Date.now();
      const order = rng.shuffle(trainItems);
      const steps: StepReport[] = [];
      for (let i = 0; i < stepsPerEpoch; i++) {
        const lr = learningRateAt(schedule.step, totalSteps, trainConfig);
        const out = trainStep(model, adam, order.slice(i * B, (i + 1) * B), schedule, lr, trainConfig, rng);
        const report: StepReport = { epoch, step: schedule.step, totalSteps, stepInEpoch: i, stepsPerEpoch, lr, tau: schedule.tau, k: schedule.k, ...out };
        steps.push(report);
        schedule = advanceSchedule(schedule, out.confidence, trainConfig, N);
        opts.onProgress?.(report);
        bar?.update(schedule.step, { epoch, loss: out.total.toFixed(4), tau: schedule.tau.toFixed(3), k: schedule.k });
        live?.update(`train ${schedule.step}/${totalSteps} steps | epoch ${epoch}/${trainConfig.epochs} | loss ${out.total.toFixed(4)} | tau ${schedule.tau.toFixed(3)} | k ${schedule.k}`);
        await yieldNow();
      }
      const mean = (f: (s: StepReport) => number) => steps.reduce((a, s) => a + f(s), 0) / steps.length;
      const terms = Object.fromEntries(LOSS_NAMES.map((n) => [n, mean((s) => s.terms[n])])) as Record<LossName, number>;
      finishEpoch(epoch, { total: mean((s) => s.total), terms }, steps, t0);
      const ev = reports[reports.length - 1].eval;
      live?.update(`train ${schedule.step}/${totalSteps} steps | epoch ${epoch}/${trainConfig.epochs} done | loss ${mean((s) => s.total).toFixed(4)} | held-out acc ${ev.accuracy.toFixed(3)} (${ev.avgCalls.toFixed(2)} calls)`);
    }
  } catch (e) {
    disposeModel(model); // the caller never receives it
    throw e;
  } finally {
    bar?.stop();
    live?.done();
    disposeAdamState(adam);
  }
  return { model, modelConfig, trainConfig, schedule, epochs: reports, resumedFrom: startEpoch, backend };
}
