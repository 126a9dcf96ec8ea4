/**
 * Notebook 08 (seed 001, "Rethinking Mixture-of-Agents"): Self-MoA (K samples of one expert) vs
 * Mixed-MoA (K different experts) with one aggregator, Self-MoA-Seq (sliding-window aggregation of
 * 2K samples), quality q, Vendi diversity d and accuracy t per configuration, and the regression
 * t = alpha q + beta d + gamma (`moaProbe`, `moaRegression` in src/probes). The planted truth is
 * `moaTruth` (src/experts): bounds on each configuration's aggregated accuracy. Answers go through a
 * transcript store and the probe's result is kept as JSON, so a warm run generates nothing.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedEncoder, EncodingCache } from '../encoders/cache';
import { hashingEncoder } from '../encoders/hashing';
import { standalonePrompt } from '../experts/chain';
import { loadConsortium, SIMULATED_PRESETS, type SimulatedPresetName } from '../experts/consortium';
import { moaTruth, type MoaTruth } from '../experts/simulated/moa-truth';
import { simulatedPresetSpecs } from '../experts/simulated/presets';
import { withStore } from '../experts/store/stored-expert';
import { TranscriptStore } from '../experts/store/transcript-store';
import { formatTaskPrompt } from '../experts/task-prompt';
import { defaultMoaConfigs, moaProbe, type MoaConfig, type MoaProbeResult } from '../probes/moa';
import { gradeResponse } from '../tasks/grade-response';
import { loadTaskItems } from '../tasks/task-source';
import type { TaskName } from '../tasks/types';
import { liveLine } from './display';
import type { FindingRow } from './paper-findings';
import { presetLabel } from './paper-findings-07';
import { paperRunsRoot } from './paper-plan';
import { PAPER_MOA } from './paper-values';

export interface MoaRunSpec {
  /** a simulated preset name or a consortium config path */
  preset: string;
  task: TaskName;
  /** held-out items each configuration runs on */
  items: number;
  /** the aggregator expert (it does not propose) */
  aggregator: string;
  /** proposers per configuration (K) */
  k: number;
  /** Mixed-MoA draws of K distinct proposers */
  nMixed: number;
  /** proposers to draw from (default every expert but the aggregator) */
  proposers?: string[];
  seed?: number;
}

export interface MoaPaperRun {
  spec: MoaRunSpec;
  label: string;
  configs: MoaConfig[];
  result: MoaProbeResult;
  /** planted bounds per configuration (Self-MoA and Mixed-MoA; Self-MoA-Seq has none); null without a planted truth */
  truth: Record<string, MoaTruth> | null;
  /** expert id -> model name: a Mixed-MoA whose proposers are one model (S1+S2+S3) is a Self-MoA in disguise */
  models: Record<string, string>;
  computed: boolean;
}

const isPreset = (p: string): p is SimulatedPresetName => (SIMULATED_PRESETS as readonly string[]).includes(p);
const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);

/** Planted accuracy bounds of every one-shot configuration, or null (no truth, or no aggregating expert). */
export function moaTruthOf(preset: string, configs: readonly MoaConfig[], task: TaskName): Record<string, MoaTruth> | null {
  if (!isPreset(preset)) return null;
  const specs = new Map(simulatedPresetSpecs(preset).map((s) => [s.id, s]));
  const out: Record<string, MoaTruth> = {};
  try {
    for (const c of configs) {
      if (c.kind === 'self-seq') continue;
      out[c.name] = moaTruth(c.proposers.map((id) => specs.get(id)!), specs.get(c.aggregator)!, task);
    }
  } catch {
    return null; // e.g. the null preset: correlated attempts, no aggregating expert
  }
  return out;
}

/** Runs (or reads back) the MoA probe of one consortium. */
export async function ensureMoaRun(spec: MoaRunSpec): Promise<MoaPaperRun> {
  const consortium = loadConsortium(spec.preset);
  const ids = consortium.experts.map((e) => e.id);
  if (!ids.includes(spec.aggregator)) throw new Error(`MoA: aggregator '${spec.aggregator}' is not an expert of ${consortium.name} (experts: ${ids.join(', ')})`);
  const proposers = spec.proposers ?? ids.filter((id) => id !== spec.aggregator);
  const bad = proposers.find((id) => !ids.includes(id));
  if (bad) throw new Error(`MoA: proposer '${bad}' is not an expert of ${consortium.name}`);
  const configs = defaultMoaConfigs(proposers, spec.aggregator, { k: spec.k, nMixed: spec.nMixed, seed: spec.seed ?? 0 });
  const sel = loadTaskItems({ tasks: [spec.task], limitPerTask: spec.items * 5, seed: spec.seed ?? 0, splits: ['test'] });
  const items = sel.items.slice(0, spec.items);
  const dir = path.join(paperRunsRoot(), 'moa', `${presetLabel(spec.preset)}-${spec.task}`);
  fs.mkdirSync(dir, { recursive: true });
  const configText = consortium.config.file && fs.existsSync(consortium.config.file) ? fs.readFileSync(consortium.config.file, 'utf8') : JSON.stringify(consortium.config);
  const code = sha(['probes/moa.ts', 'notebook/paper-findings-08.ts'].map((f) => fs.readFileSync(path.join(__dirname, '..', f), 'utf8')).join('\n'));
  const key = JSON.stringify({ version: 1, consortium: sha(configText), configs, items: items.map((it) => it.id), seed: spec.seed ?? 0, code });
  const file = path.join(dir, 'moa-result.json');
  const label = `${consortium.simulated ? 'SIMULATED consortium' : 'consortium'} ${consortium.name}: ${configs.length} configurations (aggregator ${spec.aggregator}, K = ${spec.k}) on ${items.length} held-out ${spec.task} items from ${sel.dataSource}`;
  const truth = moaTruthOf(spec.preset, configs, spec.task);
  const models = Object.fromEntries(consortium.config.experts.map((e) => [e.id, e.model ?? e.id]));
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; result: MoaProbeResult };
    if (saved.key === key) {
      await consortium.dispose();
      return { spec, label, configs, result: saved.result, truth, models, computed: false };
    }
  }
  const store = TranscriptStore.open(dir);
  const cache = EncodingCache.open(path.join(dir, 'encodings'));
  const encoder = cachedEncoder(hashingEncoder(), cache);
  const line = liveLine();
  try {
    const experts = consortium.experts.map((e) => withStore(e, store));
    const result = await moaProbe(experts, items, configs, {
      taskText: formatTaskPrompt,
      proposerPrompt: standalonePrompt,
      seed: spec.seed ?? 0,
      grade: (it, text) => gradeResponse(it, text),
      encode: (texts) => encoder.encode(texts),
      onProgress: (d, t) => line.update(`${presetLabel(spec.preset)}: MoA runs ${d}/${t}`),
    });
    line.done(`${presetLabel(spec.preset)}: ${result.runs.length} MoA runs`);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify({ key, result }));
    fs.renameSync(tmp, file);
    return { spec, label, configs, result, truth, models, computed: true };
  } finally {
    cache.close();
    store.close();
    await consortium.dispose();
  }
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : Number.NaN);
const p3 = (p: number) => (Number.isFinite(p) ? Number(p.toPrecision(3)) : Number.NaN);
const yn = (b: boolean) => (b ? 'yes' : 'no');
const KIND: Record<MoaConfig['kind'], string> = { self: 'Self-MoA', mixed: 'Mixed-MoA', 'self-seq': 'Self-MoA-Seq' };

/** Per configuration: kind, proposers, q, d, t, planted bounds and whether t lies within them (± 2 SE). */
export function moaConfigRows(run: MoaPaperRun): FindingRow[] {
  return run.result.summaries.map((s) => {
    const cfg = run.configs.find((c) => c.name === s.config)!;
    const t = run.truth?.[s.config];
    const se = Math.sqrt(Math.max(s.accuracy * (1 - s.accuracy), 0.25 / s.nItems) / s.nItems);
    return {
      preset: presetLabel(run.spec.preset),
      configuration: s.config,
      kind: s.kind === 'mixed' && !isTrulyMixed(run, s.config) ? 'Mixed-MoA of one model' : KIND[s.kind],
      proposers: cfg.proposers.join('+'),
      items: s.nItems,
      'quality q': r4(s.quality),
      'diversity d (Vendi)': r4(s.diversity),
      'accuracy t': r4(s.accuracy),
      'planted lower': t ? r4(t.lower) : Number.NaN,
      'planted upper': t ? r4(t.upper) : Number.NaN,
      'within planted bounds (2 SE)': t ? yn(s.accuracy >= t.lower - 2 * se && s.accuracy <= t.upper + 2 * se) : 'not planted',
    };
  });
}

/** True when a configuration's proposers are at least two different models (the article's Mixed-MoA). */
export function isTrulyMixed(run: Pick<MoaPaperRun, 'configs' | 'models'>, config: string): boolean {
  const c = run.configs.find((x) => x.name === config);
  return c !== undefined && c.kind === 'mixed' && new Set(c.proposers.map((id) => run.models[id] ?? id)).size > 1;
}

/**
 * The article's comparison: the best Self-MoA (K samples of one expert) against the best Mixed-MoA
 * of at least two different models (of distinct experts when all are one model), by measured
 * accuracy; Self-MoA-Seq of the same expert beside.
 */
export function moaHeadline(run: MoaPaperRun): { self: string; mixed: string; seq: string | null; selfAccuracy: number; mixedAccuracy: number; seqAccuracy: number | null; soloAccuracy: number; nItems: number } {
  const pick = (ok: (s: MoaPaperRun['result']['summaries'][number]) => boolean) => {
    const c = run.result.summaries.filter(ok);
    if (c.length === 0) throw new Error(`MoA: no configuration of that kind in ${presetLabel(run.spec.preset)}`);
    return c.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  };
  const self = pick((s) => s.kind === 'self');
  // a consortium of one model (the null control) has no mixture of models: distinct experts stand in
  const anyTrulyMixed = run.result.summaries.some((s) => isTrulyMixed(run, s.config));
  const mixed = pick((s) => (anyTrulyMixed ? isTrulyMixed(run, s.config) : s.kind === 'mixed'));
  const expert = run.configs.find((c) => c.name === self.config)!.proposers[0];
  const seq = run.result.summaries.find((s) => s.kind === 'self-seq' && run.configs.find((c) => c.name === s.config)!.proposers[0] === expert) ?? null;
  return { self: self.config, mixed: mixed.config, seq: seq?.config ?? null, selfAccuracy: self.accuracy, mixedAccuracy: mixed.accuracy, seqAccuracy: seq?.accuracy ?? null, soloAccuracy: self.quality, nItems: self.nItems };
}

/** The regression t = alpha q + beta d + gamma, with standardized coefficients and the article's values beside. */
export function moaRegressionRows(runs: readonly MoaPaperRun[]): FindingRow[] {
  return runs.map((run) => {
    const g = run.result.regression;
    const sd = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
    };
    const q = run.result.summaries.map((s) => s.quality);
    const d = run.result.summaries.map((s) => s.diversity);
    return {
      preset: presetLabel(run.spec.preset),
      configurations: run.result.summaries.length,
      alpha: g ? r4(g.alpha) : Number.NaN,
      'p(alpha)': g ? p3(g.pAlpha) : Number.NaN,
      beta: g ? r4(g.beta) : Number.NaN,
      'p(beta)': g ? p3(g.pBeta) : Number.NaN,
      gamma: g ? r4(g.gamma) : Number.NaN,
      'R^2': g ? r4(g.rSquared) : Number.NaN,
      'alpha x sd(q)': g ? r4(g.alpha * sd(q)) : Number.NaN,
      'beta x sd(d)': g ? r4(g.beta * sd(d)) : Number.NaN,
      'article R^2': `about ${PAPER_MOA.regressionR2About}`,
      'article: quality > diversity': yn(PAPER_MOA.qualityOverDiversity),
      note: g ? '' : (run.result.note ?? 'no fit'),
    };
  });
}

/** What the probe read against the planted truth (and, for a control, what must not appear). */
export interface MoaRecovery {
  preset: string;
  planted: boolean;
  /** planted: the best Self-MoA's lower bound exceeds the best Mixed-MoA's upper bound */
  plantedSelfBeatsMixed: boolean | null;
  measuredSelfBeatsMixed: boolean;
  /** share of one-shot configurations whose accuracy lies within the planted bounds (± 2 SE) */
  withinBounds: number | null;
  /** quality's coefficient positive and significant (p < 0.05) */
  qualityEffect: boolean;
  /** the standardized quality effect exceeds the diversity effect */
  qualityOverDiversity: boolean;
}

export function moaRecovery(run: MoaPaperRun): MoaRecovery {
  const h = moaHeadline(run);
  const g = run.result.regression;
  const rows = moaConfigRows(run).filter((r) => r['within planted bounds (2 SE)'] !== 'not planted');
  const t = run.truth;
  const sd = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
  };
  const q = run.result.summaries.map((s) => s.quality);
  const d = run.result.summaries.map((s) => s.diversity);
  return {
    preset: presetLabel(run.spec.preset),
    planted: t !== null,
    plantedSelfBeatsMixed: t ? Math.max(...run.configs.filter((c) => c.kind === 'self').map((c) => t[c.name].lower)) > Math.max(...run.configs.filter((c) => isTrulyMixed(run, c.name)).map((c) => t[c.name].upper)) : null,
    measuredSelfBeatsMixed: h.selfAccuracy > h.mixedAccuracy,
    withinBounds: t ? rows.filter((r) => r['within planted bounds (2 SE)'] === 'yes').length / rows.length : null,
    qualityEffect: g !== null && g.alpha > 0 && g.pAlpha < 0.05,
    qualityOverDiversity: g !== null && Math.abs(g.alpha * sd(q)) > Math.abs(g.beta * sd(d)),
  };
}

export function moaRecoveryRows(runs: readonly MoaPaperRun[]): FindingRow[] {
  return runs.map((run) => {
    const r = moaRecovery(run);
    return {
      preset: r.preset,
      'planted: Self-MoA beats Mixed-MoA': r.plantedSelfBeatsMixed === null ? 'not planted (control)' : yn(r.plantedSelfBeatsMixed),
      'measured: Self-MoA beats Mixed-MoA': yn(r.measuredSelfBeatsMixed),
      'configs within planted bounds': r.withinBounds === null ? Number.NaN : r4(r.withinBounds),
      'quality effect (alpha > 0, p < 0.05)': yn(r.qualityEffect),
      'quality over diversity (standardized)': yn(r.qualityOverDiversity),
      recovered: r.planted ? yn(r.plantedSelfBeatsMixed === r.measuredSelfBeatsMixed && (r.withinBounds ?? 0) >= 0.8) : r.qualityEffect ? 'FALSE POSITIVE (quality effect without aggregation)' : 'correct (no quality effect)',
    };
  });
}

/** One sentence per run, generated from moaRecovery and moaHeadline. */
export function moaStatement(runs: readonly MoaPaperRun[]): string {
  return runs
    .map((run) => {
      const r = moaRecovery(run);
      const h = moaHeadline(run);
      const acc = `best Self-MoA ${h.self} ${r4(h.selfAccuracy)} vs best Mixed-MoA ${h.mixed} ${r4(h.mixedAccuracy)}${h.seq ? `, ${h.seq} ${r4(h.seqAccuracy!)}` : ''} (one sample of that expert: ${r4(h.soloAccuracy)})`;
      if (!r.planted) return `- **${r.preset}** (negative control: exchangeable experts, the aggregator does not aggregate): ${acc}; quality effect ${r.qualityEffect ? '**found: a false positive**' : 'not found, as it should not be'}.`;
      return `- **${r.preset}**: planted Self-MoA ${r.plantedSelfBeatsMixed ? 'beats' : 'does not beat'} Mixed-MoA; measured: ${acc}, ${r.measuredSelfBeatsMixed === r.plantedSelfBeatsMixed ? 'recovered' : 'NOT recovered'}; ${r4((r.withinBounds ?? 0) * 100)}% of configurations within their planted bounds; quality effect ${r.qualityEffect ? 'significant' : 'not significant'}, ${r.qualityOverDiversity ? 'larger' : 'not larger'} than diversity's (standardized).`;
    })
    .join('\n');
}
