/**
 * Filling a run's transcript store: every expert's standalone answer to every item (what the
 * orchestrator reads) and, on request, ordered pairs' answers "j after i" (what the utility of a
 * chain is trained on), graded by the real graders, each generation and grade written once.
 * A second run over the same store generates nothing. `collectResponses` then reads the per-item
 * table the orchestrator needs, from the store only.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { goldSolutionText, gradeResponse } from '../tasks/index';
import type { TaskItem, TaskName } from '../tasks/types';
import { chainPrompt, standalonePrompt } from './chain';
import type { Consortium } from './consortium';
import { formatTaskPrompt } from './task-prompt';
import { storeKeyOf } from './store/key';
import { withStore } from './store/stored-expert';
import { TranscriptStore } from './store/transcript-store';
import type { JsonlLogOptions } from './store/jsonl-log';
import type { Expert } from './types';

/** Grades a response; the default is the tasks area's `gradeResponse`. */
export type Grader = (item: TaskItem, text: string) => Promise<boolean>;

/** Version tag of the default graders; part of every grade's key. */
export const DEFAULT_GRADER_ID = 'graders-v1';

export interface GenerateProgress {
  done: number;
  total: number;
  generated: number;
  reused: number;
  elapsedMs: number;
  /** estimated milliseconds left, from the pace of the answers that needed work (a generation or a grading); null before any */
  etaMs: number | null;
}

export interface GenerateTranscriptsOptions {
  /** a loaded consortium, or a plain list of experts */
  consortium: Consortium | readonly Expert[];
  items: readonly TaskItem[];
  /** run directory (the store is opened and closed here) or an already open store */
  run: string | TranscriptStore;
  /** grade every answer (default true) */
  grade?: boolean;
  grader?: Grader;
  graderId?: string;
  /** concurrent generations (default 1; raise it for endpoints) */
  concurrency?: number;
  /** concurrent gradings (default: the number of CPUs; HumanEval grading runs Python) */
  gradeConcurrency?: number;
  onProgress?: (p: GenerateProgress) => void;
  signal?: AbortSignal;
  /** passed to the store when `run` is a directory */
  storeOptions?: JsonlLogOptions;
  /** ordered pairs "j after i" to generate after the standalone answers (default 'none') */
  pairs?: PairSelection;
}

/** Counts of the pair phase. */
export interface PairSummary {
  total: number;
  generated: number;
  reused: number;
  graded: number;
  correct: number;
}

export interface ExpertSummary {
  expertId: string;
  generated: number;
  reused: number;
  graded: number;
  correct: number;
}

export interface GenerateSummary {
  total: number;
  generated: number;
  reused: number;
  /** grades computed in this run (HumanEval grades run the tests) */
  graded: number;
  ms: number;
  /** standalone answers only (the pairs are counted in `pairs`) */
  perExpert: ExpertSummary[];
  perTask: Partial<Record<TaskName, { items: number }>>;
  /** the pair phase ("j after i"); total 0 with pairs 'none' */
  pairs: PairSummary;
}

function expertsOf(c: Consortium | readonly Expert[]): Expert[] {
  if (Array.isArray(c)) return [...c];
  const cons = c as Consortium;
  return cons.oracle ? [...cons.experts, cons.oracle] : [...cons.experts];
}

/** Runs `worker` over `jobs` with at most `n` in flight; stops on the first error. */
async function pool<T>(jobs: readonly T[], n: number, worker: (job: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const lane = async () => {
    while (failed === null && next < jobs.length) {
      signal?.throwIfAborted();
      const job = jobs[next++];
      try {
        await worker(job);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, lane));
  if (failed !== null) throw failed;
}

/** A limiter: at most `n` of the functions given to it run at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Which ordered pairs "j after i" (j answers with i's standalone response in its prompt) to
 * generate per item: none, K of the N(N-1) drawn per item (seeded by the item id, so a re-run
 * draws the same), or all.
 */
export type PairSelection = 'none' | 'all' | { sample: number };

/** Parses `none`, `all` or `sample:K` (the --pairs flag); throws naming the accepted forms. */
export function parsePairSelection(text: string): PairSelection {
  if (text === 'none' || text === 'all') return text;
  const m = /^sample:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { sample: Number(m[1]) };
  throw new Error(`--pairs must be none, all or sample:K with K >= 1, got '${text}'`);
}

/** The selection as text (`none`, `all`, `sample:K`). */
export function formatPairSelection(p: PairSelection): string {
  return typeof p === 'string' ? p : `sample:${p.sample}`;
}

/** The ordered pairs [i, j] (i != j, expert indices) selected for one item. */
export function pairsForItem(itemId: string, nExperts: number, sel: PairSelection): Array<[number, number]> {
  if (sel === 'none') return [];
  const all: Array<[number, number]> = [];
  for (let i = 0; i < nExperts; i++) for (let j = 0; j < nExperts; j++) if (i !== j) all.push([i, j]);
  if (sel === 'all' || sel.sample >= all.length) return all;
  // Fisher-Yates with a generator seeded by the item id: the same K pairs on every run
  let x = createHash('sha256').update(itemId).digest().readUInt32LE(0) || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  for (let k = all.length - 1; k > 0; k--) {
    const r = Math.floor(next() * (k + 1));
    [all[k], all[r]] = [all[r], all[k]];
  }
  return all.slice(0, sel.sample).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** How many generation requests `generateTranscripts` makes for these settings (before the store answers any). */
export function plannedCalls(nExperts: number, hasOracle: boolean, items: readonly { id: string }[], pairs: PairSelection = 'none'): { solo: number; pairs: number; total: number } {
  const solo = items.length * (nExperts + (hasOracle ? 1 : 0));
  const pairCount = items.reduce((n, it) => n + pairsForItem(it.id, nExperts, pairs).length, 0);
  return { solo, pairs: pairCount, total: solo + pairCount };
}

/** The prompt and options of "expert j after i": exactly step 2 of `runChain([i, j])`. */
export function pairRequest(item: TaskItem, previous: { expertId: string; text: string }): { prompt: string; previous: { expertId: string; text: string }[] } {
  return { prompt: chainPrompt(formatTaskPrompt(item), previous), previous: [previous] };
}

/**
 * Generates (or reuses) and grades every expert's standalone answer to every item, then (with
 * `pairs`) each selected ordered pair's answer "j after i". Generation runs `concurrency` at a
 * time; grading overlaps with it, `gradeConcurrency` at a time.
 */
export async function generateTranscripts(opts: GenerateTranscriptsOptions): Promise<GenerateSummary> {
  const ownStore = typeof opts.run === 'string';
  const store = typeof opts.run === 'string' ? TranscriptStore.open(opts.run, opts.storeOptions) : opts.run;
  const grader = opts.grader ?? ((item: TaskItem, text: string) => gradeResponse(item, text));
  const graderId = opts.grader ? opts.graderId ?? 'custom' : opts.graderId ?? DEFAULT_GRADER_ID;
  const experts = expertsOf(opts.consortium);
  const nMembers = Array.isArray(opts.consortium) ? experts.length : (opts.consortium as Consortium).experts.length; // the oracle joins no pair
  const wrapped = experts.map((e) => (e.backend === 'replay' ? e : withStore(e, store)));
  const perExpert = new Map<string, ExpertSummary>(experts.map((e) => [e.id, { expertId: e.id, generated: 0, reused: 0, graded: 0, correct: 0 }]));
  const pairSel = opts.pairs ?? 'none';
  type Job = { item: TaskItem; k: number; after?: number };
  const soloJobs: Job[] = [];
  for (const item of opts.items) for (let k = 0; k < experts.length; k++) soloJobs.push({ item, k });
  const pairJobs: Job[] = [];
  for (const item of opts.items) for (const [i, j] of pairsForItem(item.id, nMembers, pairSel)) pairJobs.push({ item, k: j, after: i });
  const total = soloJobs.length + pairJobs.length;
  const pairSum: PairSummary = { total: pairJobs.length, generated: 0, reused: 0, graded: 0, correct: 0 };
  const start = Date.now();
  let done = 0;
  let generated = 0;
  let reused = 0;
  let graded = 0;
  let worked = 0; // finished answers that needed a generation or a grading
  const report = () => {
    const elapsedMs = Date.now() - start;
    const left = total - done;
    const etaMs = left === 0 ? 0 : worked === 0 ? null : (elapsedMs / worked) * left;
    opts.onProgress?.({ done, total, generated, reused, elapsedMs, etaMs });
  };
  const finish = (didWork: boolean) => {
    done++;
    if (didWork) worked++;
    report();
  };
  const gradeSlot = limiter(Math.max(1, opts.gradeConcurrency ?? os.cpus().length));
  // Gradings run beside the generation pool; each one's failure is caught here at once (an
  // unobserved rejection would end the process) and stops the pool before its next job.
  const grading: Promise<void>[] = [];
  let gradeFailure: { error: unknown } | null = null;
  const run = async ({ item, k, after }: Job) => {
    if (gradeFailure) throw gradeFailure.error;
    const expert = wrapped[k];
    const signal = opts.signal ? { signal: opts.signal } : {};
    let prompt = standalonePrompt(item);
    let previous: { expertId: string; text: string }[] | undefined;
    if (after !== undefined) {
      // the predecessor's standalone answer (already stored by the solo phase)
      const first = await wrapped[after].generate(prompt, { item, ...signal });
      ({ prompt, previous } = pairRequest(item, { expertId: experts[after].id, text: first.text }));
    }
    const key = storeKeyOf(experts[k] as Expert & { recorded?: Expert }, prompt, previous ? { previous } : {});
    const had = expert.backend === 'replay' || store.get(key) !== undefined;
    const gen = await expert.generate(prompt, { item, ...(previous ? { previous } : {}), ...signal });
    const sum = after === undefined ? perExpert.get(expert.id)! : pairSum;
    if (had) {
      reused++;
      sum.reused++;
    } else {
      generated++;
      sum.generated++;
    }
    if (opts.grade === false) return finish(!had);
    const stored = store.getGrade(key, item.id, graderId, gen.text);
    if (stored !== undefined) {
      if (stored) sum.correct++;
      return finish(!had);
    }
    grading.push(
      gradeSlot(async () => {
        const correct = await grader(item, gen.text);
        store.putGrade(key, item.id, graderId, gen.text, correct);
        graded++;
        sum.graded++;
        if (correct) sum.correct++;
        finish(true);
      }).catch((e: unknown) => {
        gradeFailure ??= { error: e };
      }),
    );
  };
  try {
    await pool(soloJobs, opts.concurrency ?? 1, run, opts.signal);
    await pool(pairJobs, opts.concurrency ?? 1, run, opts.signal);
    await Promise.all(grading);
    if (gradeFailure) throw (gradeFailure as { error: unknown }).error;
  } finally {
    // let gradings already started write their result before the store closes
    await Promise.allSettled(grading);
    if (ownStore) store.close();
  }
  const perTask: GenerateSummary['perTask'] = {};
  for (const item of opts.items) perTask[item.task] = { items: (perTask[item.task]?.items ?? 0) + 1 };
  return { total, generated, reused, graded, ms: Date.now() - start, perExpert: [...perExpert.values()], perTask, pairs: pairSum };
}

/** One expert's recorded answer to an item. */
export interface ExpertResponse {
  expertId: string;
  text: string;
  /** graded correctness of exactly this text; null when it was never graded (a run generated without grading) */
  correct: boolean | null;
  tokenEntropies?: number[];
}

/** What the orchestrator needs for one item. */
export interface ResponseRow {
  item: TaskItem;
  /** the task text (the input the prompt encoding e_x is computed from) */
  prompt: string;
  /** one entry per expert, in consortium order */
  responses: ExpertResponse[];
  /**
   * the distillation target o*: the consortium's oracle expert's answer (the simulated presets'
   * oracle is a stronger simulated model with a set accuracy), or the gold solution text when
   * asked for (`oracle: 'gold'`) or when the consortium has no oracle (`oracleSource` says which)
   */
  oracleText: string;
  /** where `oracleText` came from */
  oracleSource?: 'expert' | 'gold';
  /** the gold solution text */
  goldText: string;
  /**
   * pairs[i][j]: expert j's answer with expert i's standalone answer in its prompt ("j after i"),
   * graded; null on the diagonal and where that pair was not generated or not graded. Absent when
   * collectResponses was asked for no pairs.
   */
  pairs?: (ExpertResponse | null)[][];
}

/** Thrown when the store lacks an answer that `collectResponses` needs. */
export class MissingTranscriptError extends Error {
  constructor(
    readonly expertId: string,
    readonly itemId: string,
    readonly key: string,
    storeDir: string,
  ) {
    super(`${storeDir}: no transcript of expert ${expertId} for item ${itemId} (key ${key}); run generateTranscripts / \`inform generate\` first`);
    this.name = 'MissingTranscriptError';
  }
}

/**
 * The per-item table from a run's store (never generates): prompt text, each expert's response
 * and graded correctness, the oracle/gold text, and (unless `pairs: false`) every stored, graded
 * pair answer "j after i".
 */
export function collectResponses(
  run: string | TranscriptStore,
  consortium: Consortium | readonly Expert[],
  items: readonly TaskItem[],
  opts: { graderId?: string; oracle?: 'expert' | 'gold'; pairs?: boolean } = {},
): ResponseRow[] {
  const store = typeof run === 'string' ? TranscriptStore.open(run, { readOnly: true }) : run;
  const graderId = opts.graderId ?? DEFAULT_GRADER_ID;
  const experts: Expert[] = Array.isArray(consortium) ? [...consortium] : [...(consortium as Consortium).experts];
  // the gold text as o* only when asked for explicitly (or when there is no oracle expert)
  const oracle = opts.oracle === 'gold' || Array.isArray(consortium) ? undefined : (consortium as Consortium).oracle;
  const read = (e: Expert, item: TaskItem) => {
    const key = storeKeyOf(e as Expert & { recorded?: Expert }, standalonePrompt(item));
    const rec = store.get(key);
    if (!rec) throw new MissingTranscriptError(e.id, item.id, key, store.dir);
    return { key, rec };
  };
  return items.map((item) => {
    const responses = experts.map((e): ExpertResponse => {
      const { key, rec } = read(e, item);
      return {
        expertId: e.id,
        text: rec.text,
        correct: store.getGrade(key, item.id, graderId, rec.text) ?? null,
        ...(rec.tokenEntropies ? { tokenEntropies: rec.tokenEntropies } : {}),
      };
    });
    const goldText = goldSolutionText(item);
    // every ordered pair whose answer the store holds (generated by --pairs), graded
    const pairs =
      opts.pairs === false
        ? undefined
        : experts.map((_, i) =>
            experts.map((ej, j): ExpertResponse | null => {
              if (i === j) return null;
              const req = pairRequest(item, { expertId: experts[i].id, text: responses[i].text });
              const key = storeKeyOf(ej as Expert & { recorded?: Expert }, req.prompt, { previous: req.previous });
              const rec = store.get(key);
              const correct = rec ? store.getGrade(key, item.id, graderId, rec.text) : undefined;
              return rec && correct !== undefined ? { expertId: ej.id, text: rec.text, correct } : null;
            }),
          );
    return { item, prompt: formatTaskPrompt(item), responses, oracleText: oracle ? read(oracle, item).rec.text : goldText, oracleSource: oracle ? 'expert' : 'gold', goldText, ...(pairs ? { pairs } : {}) };
  });
}
