/**
 * Mixture-of-Agents analyses (seed 001, Li et al. "Rethinking Mixture-of-Agents"): proposers
 * answer a task independently, an aggregator expert reads all their answers and writes the final
 * one.
 * - Self-MoA: K samples of ONE expert (different seeds); Mixed-MoA: K different experts.
 * - Self-MoA-Seq: a sliding window — the aggregator reads `window` answers at a time, its own
 *   running synthesis first, so any number of samples fits a bounded context.
 * - Per configuration: quality q (mean graded accuracy of the proposals), diversity d (Vendi score
 *   of the proposals' encodings, averaged over items) and the aggregated accuracy t; across
 *   configurations the regression t = alpha q + beta d + gamma with R^2 and coefficient p-values.
 * Generations go through whatever experts are given: wrap them with `withStore` so a re-run makes
 * no new generation.
 */
import type { Expert, Generation } from '../experts/types';
import type { TaskItem } from '../tasks/types';
import { ols, type OlsResult } from '../stats/ols';
import { vendiScore } from '../stats/vendi-score';
import { Rng } from '../orchestrator/rng';

const AGGREGATE = [
  'You are the aggregator of a team of language models. Several experts answered the task below independently; their responses follow.',
  'Synthesise them into one answer of higher quality: weigh them critically (some may be wrong), keep what is right, fix what is wrong, and do not simply copy the majority.',
  'Finish with your own complete final answer in the format the task asks for.',
].join(' ');

/** The aggregator's prompt: instructions, the numbered responses, then the task. */
export function aggregatePrompt(taskText: string, responses: readonly { expertId: string; text: string }[]): string {
  if (responses.length === 0) throw new Error('aggregatePrompt: no responses to aggregate');
  const blocks = responses.map((r, i) => `<<< response ${i + 1}\n${r.text.trim()}\n>>> end of response ${i + 1}`);
  return `${AGGREGATE}\n\n${blocks.join('\n\n')}\n\nTask:\n${taskText}`;
}

/** A MoA configuration: which proposers (expert ids, repeats = several samples), who aggregates. */
export interface MoaConfig {
  name: string;
  kind: 'self' | 'mixed' | 'self-seq';
  proposers: string[];
  aggregator: string;
  /** Self-MoA-Seq window: answers the aggregator reads per step (>= 2), its running synthesis included */
  window?: number;
}

/** One configuration on one item. */
export interface MoaRun {
  itemId: string;
  task: string;
  config: string;
  proposals: { expertId: string; seed: number; text: string }[];
  finalText: string;
  aggregatorCalls: number;
}

/** Options shared by runs. */
export interface MoaRunOptions {
  /** the task text given to proposers and aggregator (default: the caller formats it) */
  taskText: (item: TaskItem) => string;
  /** the standalone prompt of a proposer */
  proposerPrompt: (item: TaskItem) => string;
  /** base seed: proposal j of an expert uses seed base + j (the j-th sample of that expert) */
  seed?: number;
}

async function call(expert: Expert, prompt: string, item: TaskItem, seed: number, previous?: { expertId: string; text: string }[]): Promise<Generation> {
  return expert.generate(prompt, { item, seed, ...(previous ? { previous } : {}) });
}

/** Runs one MoA configuration on one item. */
export async function runMoa(experts: readonly Expert[], cfg: MoaConfig, item: TaskItem, opts: MoaRunOptions): Promise<MoaRun> {
  const byId = new Map(experts.map((e) => [e.id, e]));
  const get = (id: string) => {
    const e = byId.get(id);
    if (!e) throw new Error(`MoA config '${cfg.name}': no expert '${id}' (have ${[...byId.keys()].join(', ')})`);
    return e;
  };
  if (cfg.proposers.length === 0) throw new Error(`MoA config '${cfg.name}': no proposers`);
  const base = opts.seed ?? 0;
  const seen = new Map<string, number>();
  const proposals: MoaRun['proposals'] = [];
  for (const id of cfg.proposers) {
    const j = seen.get(id) ?? 0;
    seen.set(id, j + 1);
    const g = await call(get(id), opts.proposerPrompt(item), item, base + j);
    proposals.push({ expertId: id, seed: base + j, text: g.text });
  }
  const agg = get(cfg.aggregator);
  const taskText = opts.taskText(item);
  const asPrev = (p: { expertId: string; text: string }) => ({ expertId: p.expertId, text: p.text });
  let finalText: string;
  let calls = 0;
  if (cfg.kind === 'self-seq') {
    const w = cfg.window ?? 3;
    if (!(Number.isInteger(w) && w >= 2)) throw new Error(`MoA config '${cfg.name}': window must be an integer >= 2 (got ${w})`);
    // first step: the first w proposals; each later step: the running synthesis + the next w - 1
    let current = proposals.slice(0, w).map(asPrev);
    let next = w;
    for (;;) {
      const g = await call(agg, aggregatePrompt(taskText, current), item, base, current);
      calls++;
      if (next >= proposals.length) {
        finalText = g.text;
        break;
      }
      current = [{ expertId: cfg.aggregator, text: g.text }, ...proposals.slice(next, next + w - 1).map(asPrev)];
      next += w - 1;
    }
  } else {
    const prev = proposals.map(asPrev);
    finalText = (await call(agg, aggregatePrompt(taskText, prev), item, base, prev)).text;
    calls = 1;
  }
  return { itemId: item.id, task: item.task, config: cfg.name, proposals, finalText, aggregatorCalls: calls };
}

/**
 * The default configurations for K proposals: Self-MoA of each expert, Self-MoA-Seq of each
 * expert (2K samples, window 3), and `nMixed` seeded Mixed-MoA draws of K distinct experts.
 */
export function defaultMoaConfigs(expertIds: readonly string[], aggregator: string, opts: { k?: number; nMixed?: number; seed?: number } = {}): MoaConfig[] {
  const k = opts.k ?? 3;
  if (k > expertIds.length) throw new Error(`MoA: k = ${k} proposers but only ${expertIds.length} experts for Mixed-MoA`);
  const rng = new Rng(opts.seed ?? 0);
  const self = expertIds.map((id) => ({ name: `self:${id}`, kind: 'self' as const, proposers: new Array<string>(k).fill(id), aggregator }));
  const seq = expertIds.map((id) => ({ name: `self-seq:${id}`, kind: 'self-seq' as const, proposers: new Array<string>(2 * k).fill(id), aggregator, window: 3 }));
  const mixed: MoaConfig[] = [];
  const seen = new Set<string>();
  for (let tries = 0; mixed.length < (opts.nMixed ?? expertIds.length) && tries < 1000; tries++) {
    const pick = rng.shuffle([...expertIds]).slice(0, k).sort();
    const key = pick.join('+');
    if (seen.has(key)) continue;
    seen.add(key);
    mixed.push({ name: `mixed:${key}`, kind: 'mixed', proposers: pick, aggregator });
  }
  return [...self, ...seq, ...mixed];
}

/** Graded and encoded runs of one configuration, summarised. */
export interface MoaConfigSummary {
  config: string;
  kind: MoaConfig['kind'];
  nItems: number;
  /** q: mean graded accuracy of the proposals */
  quality: number;
  /** d: mean over items of the Vendi score of the proposals' encodings */
  diversity: number;
  /** t: accuracy of the aggregated answer */
  accuracy: number;
}

/** Summarises graded runs: `proposalCorrect[r][j]`, `finalCorrect[r]` and proposal encodings `enc[r][j]`. */
export function summariseMoa(runs: readonly MoaRun[], configs: readonly MoaConfig[], proposalCorrect: readonly (readonly number[])[], finalCorrect: readonly number[], enc: readonly (readonly (readonly number[])[])[]): MoaConfigSummary[] {
  if (proposalCorrect.length !== runs.length || finalCorrect.length !== runs.length || enc.length !== runs.length) throw new Error('summariseMoa: one grade list and encoding list per run');
  return configs.map((cfg) => {
    const idx = runs.map((r, i) => (r.config === cfg.name ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) throw new Error(`summariseMoa: no runs of '${cfg.name}'`);
    const mean = (f: (i: number) => number) => idx.reduce((a, i) => a + f(i), 0) / idx.length;
    return {
      config: cfg.name,
      kind: cfg.kind,
      nItems: idx.length,
      quality: mean((i) => proposalCorrect[i].reduce((a, b) => a + b, 0) / proposalCorrect[i].length),
      diversity: mean((i) => vendiScore(enc[i].map((v) => [...v]))),
      accuracy: mean((i) => finalCorrect[i]),
    };
  });
}

/** The regression t = alpha q + beta d + gamma over configurations. */
export interface MoaRegression {
  alpha: number;
  beta: number;
  gamma: number;
  rSquared: number;
  pAlpha: number;
  pBeta: number;
  pGamma: number;
  n: number;
  fit: OlsResult;
}

export function moaRegression(summaries: readonly MoaConfigSummary[]): MoaRegression {
  if (summaries.length < 4) throw new Error(`moaRegression: ${summaries.length} configurations; need at least 4 for 3 coefficients and a residual`);
  const fit = ols(summaries.map((s) => [s.quality, s.diversity]), summaries.map((s) => s.accuracy), { names: ['quality', 'diversity'] });
  const coef = (name: string) => fit.terms.find((t) => t.name === name);
  const q = coef('quality');
  const d = coef('diversity');
  const g = coef('intercept');
  if (!q || !d || !g) throw new Error(`moaRegression: unexpected terms ${fit.names.join(', ')}`);
  return { alpha: q.estimate, beta: d.estimate, gamma: g.estimate, rSquared: fit.rSquared, pAlpha: q.pValue, pBeta: d.pValue, pGamma: g.pValue, n: summaries.length, fit };
}

/** Everything the MoA probe produces. */
export interface MoaProbeResult {
  runs: MoaRun[];
  summaries: MoaConfigSummary[];
  /** null when there are too few configurations or the fit is degenerate (the reason in `note`) */
  regression: MoaRegression | null;
  note?: string;
}

/**
 * Runs every configuration on every item, grades proposals and aggregated answers with `grade`,
 * encodes the proposals with `encode` (an Encoder's encode, ideally cached), and fits the
 * regression. `onProgress(done, total)` after each run.
 */
export async function moaProbe(
  experts: readonly Expert[],
  items: readonly TaskItem[],
  configs: readonly MoaConfig[],
  opts: MoaRunOptions & {
    grade: (item: TaskItem, text: string) => Promise<boolean>;
    encode: (texts: string[]) => Promise<Float32Array[]>;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<MoaProbeResult> {
  const runs: MoaRun[] = [];
  const proposalCorrect: number[][] = [];
  const finalCorrect: number[] = [];
  const enc: number[][][] = [];
  const total = items.length * configs.length;
  for (const cfg of configs) {
    for (const item of items) {
      const r = await runMoa(experts, cfg, item, opts);
      runs.push(r);
      const pc: number[] = [];
      for (const p of r.proposals) pc.push((await opts.grade(item, p.text)) ? 1 : 0);
      proposalCorrect.push(pc);
      finalCorrect.push((await opts.grade(item, r.finalText)) ? 1 : 0);
      enc.push((await opts.encode(r.proposals.map((p) => p.text))).map((v) => Array.from(v)));
      opts.onProgress?.(runs.length, total);
    }
  }
  const summaries = summariseMoa(runs, configs, proposalCorrect, finalCorrect, enc);
  try {
    return { runs, summaries, regression: moaRegression(summaries) };
  } catch (e) {
    return { runs, summaries, regression: null, note: (e as Error).message };
  }
}
