/**
 * How the masking and ablation probes score a chain (issue 10: "the change in accuracy with chains
 * run for real"). Two sources, always named in the outputs (`accuracySource`):
 *
 * - 'run' (`consortiumChainRunner`): each chain goes through the run's consortium wrapped by the
 *   transcript store, with the orchestrator evaluation's own runner (`runAndGrade`,
 *   src/orchestrator/chain-eval.ts); steps already stored are read, the rest generated once and
 *   cached; the final response is graded by the task's grader (grades cached in the store too).
 *   A second pass over the same chains generates nothing.
 * - 'data' (`dataChainRunner`): the fallback when no chain can be generated (no consortium, or a
 *   replay consortium): the chain graded from the routing dataset (`gradeChainFromData`: a
 *   one-expert chain by its solo grade, a longer one by its last generated pair, else the last
 *   expert's solo grade). This is an approximation, not a chain that was run.
 */
import { runAndGrade } from '../orchestrator/chain-eval';
import type { RoutingItem } from '../orchestrator/dataset';
import { gradeChainFromData } from '../orchestrator/evaluate';
import { DEFAULT_GRADER_ID, type Grader } from '../experts/generate';
import { withStore, type StoredExpert } from '../experts/store/stored-expert';
import type { TranscriptStore } from '../experts/store/transcript-store';
import type { Expert } from '../experts/types';
import { gradeResponse } from '../tasks/grade-response';
import type { TaskItem } from '../tasks/types';

export type AccuracySource = 'run' | 'data';

/** Counts of a runner's work so far (a 'data' runner runs nothing). */
export interface ChainRunStats {
  /** distinct (item, chain) pairs graded */
  chainsGraded: number;
  /** generate() calls that went through the store, and how many were new generations */
  storeCalls: number;
  newGenerations: number;
}

/** Scores chains (expert indices of the routing dataset) on routing items: 1 solved, 0 not. */
export interface ChainRunner {
  source: AccuracySource;
  /** why this source (e.g. the reason for the data fallback) */
  note: string;
  grade(items: readonly RoutingItem[], chains: readonly (readonly number[])[]): Promise<number[]>;
  readonly stats: ChainRunStats;
}

/** Scores one chain on one item from the data (1 solved, 0 not). */
export type ChainGrader = (item: RoutingItem, chain: readonly number[]) => number;
/** The last expert's graded solo answer (ignores what the chain passed it). */
export const finalExpertGrade: ChainGrader = (item, chain) => item.correct[chain[chain.length - 1]];
/** The chain graded from the data as the orchestrator's data evaluation does (`gradeChainFromData`). */
export const dataChainGrade: ChainGrader = (item, chain) => gradeChainFromData(item, [...chain]);

/** The labelled fallback: grades from the routing dataset, runs nothing. */
export function dataChainRunner(note = 'graded from the routing dataset (no consortium to run chains)', grade: ChainGrader = dataChainGrade): ChainRunner {
  const stats: ChainRunStats = { chainsGraded: 0, storeCalls: 0, newGenerations: 0 };
  return {
    source: 'data',
    note,
    stats,
    async grade(items, chains) {
      checkLengths(items, chains);
      stats.chainsGraded += chains.length;
      return items.map((it, n) => grade(it, chains[n]));
    },
  };
}

function checkLengths(items: readonly RoutingItem[], chains: readonly (readonly number[])[]): void {
  if (items.length !== chains.length) throw new Error(`chain runner: ${items.length} items but ${chains.length} chains`);
  chains.forEach((c, n) => {
    if (c.length === 0) throw new Error(`chain runner: the chain of item ${items[n].id} is empty`);
  });
}

export interface ConsortiumChainRunnerOptions {
  /** the routing dataset's expert ids (chain indices refer to them) */
  expertIds: readonly string[];
  /** the consortium's members (plain; the runner wraps them with the store) */
  experts: readonly Expert[];
  store: TranscriptStore;
  /** the task items behind the routing items' ids */
  items: readonly TaskItem[];
  grader?: Grader;
  graderId?: string;
}

/**
 * Runs chains for real through the store-wrapped consortium. Grades are memoised per (item, chain)
 * within the runner, so the probes of one pass (baseline, masked reads, ablations that pick the same
 * chain) run each distinct chain once; across passes the store makes them free.
 */
export function consortiumChainRunner(opts: ConsortiumChainRunnerOptions): ChainRunner {
  const byId = new Map(opts.experts.map((e) => [e.id, e]));
  const stored: StoredExpert[] = opts.expertIds.map((id) => {
    const e = byId.get(id);
    if (!e) throw new Error(`chain runner: the routing dataset's expert ${id} is not in the consortium (${[...byId.keys()].join(', ')})`);
    return withStore(e, opts.store);
  });
  const taskItems = new Map(opts.items.map((it) => [it.id, it]));
  const grader = opts.grader ?? ((item: TaskItem, text: string) => gradeResponse(item, text));
  const graderId = opts.grader ? opts.graderId ?? 'custom' : opts.graderId ?? DEFAULT_GRADER_ID;
  const memo = new Map<string, number>();
  const stats: ChainRunStats = { chainsGraded: 0, storeCalls: 0, newGenerations: 0 };
  const keyOf = (id: string, chain: readonly number[]) => `${id}\u0000${chain.join(',')}`;
  return {
    source: 'run',
    note: 'chains run through the consortium and the transcript store; final responses graded by the task graders',
    stats,
    async grade(items, chains) {
      checkLengths(items, chains);
      const todo = new Map<string, { item: TaskItem; chain: number[] }>();
      items.forEach((it, n) => {
        const chain = chains[n];
        chain.forEach((e) => {
          if (!(Number.isInteger(e) && e >= 0 && e < stored.length)) throw new Error(`chain runner: chain [${chain}] of item ${it.id} names expert index ${e}, not in 0..${stored.length - 1}`);
        });
        const key = keyOf(it.id, chain);
        if (memo.has(key) || todo.has(key)) return;
        const item = taskItems.get(it.id);
        if (!item) throw new Error(`chain runner: no task item with id ${it.id} (the run's items do not cover the probed split)`);
        todo.set(key, { item, chain: [...chain] });
      });
      if (todo.size > 0) {
        const work = [...todo.entries()];
        const r = await runAndGrade(work.map(([, w]) => w.chain), work.map(([, w]) => w.item), stored, opts.store, grader, graderId, () => {});
        work.forEach(([key], n) => memo.set(key, r.correct[n] ? 1 : 0));
        stats.chainsGraded += work.length;
        stats.storeCalls += r.storeCalls;
        stats.newGenerations += r.newGenerations;
      }
      return items.map((it, n) => memo.get(keyOf(it.id, chains[n]))!);
    },
  };
}
