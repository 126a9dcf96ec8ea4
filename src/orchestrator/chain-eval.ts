/**
 * Evaluation that runs chains for real (issue 9): the orchestrator's chosen chain, at any length,
 * goes through the consortium's experts wrapped by the transcript store (`runChain` +
 * `withStore`): steps already stored are read, the rest (chains longer than the generated pairs)
 * are generated once and cached. The final output is graded by the task's grader (grades cached
 * in the store as well).
 *
 * Per task, beside the orchestrator (the paper trains and reports per task):
 *   best single     the expert with the best solo accuracy on the TRAIN split of that task (1 call)
 *   no-content      the same trained model, every o_i replaced by expert i's mean train encoding
 *                   (it sees the prompt but no answer), its chains run for real
 *   uniform chain   experts drawn uniformly without repetition, as many as the orchestrator's
 *                   chain has on that item (compute-matched), run for real
 *   plurality vote  the N solo answers read (as the orchestrator reads them), the answer most of
 *                   them give kept (src/tasks/answer-vote.ts; ties to the expert with the better
 *                   train accuracy): agreement alone, no training, N calls
 *   ceiling         per item, whether any solo answer, generated pair, or chain run here was right
 * Calls per item: the orchestrator reads all N solo answers and then makes its chain's further
 * calls (N + length - 1); the vote reads the N solo answers; the other baselines read nothing
 * first (their chain length).
 */
import { runChain } from '../experts/chain';
import { DEFAULT_GRADER_ID, type Grader } from '../experts/generate';
import { withStore, type StoredExpert } from '../experts/store/stored-expert';
import type { TranscriptStore } from '../experts/store/transcript-store';
import type { Expert } from '../experts/types';
import { answerKey, gradeResponse, pluralityChoice } from '../tasks/index';
import type { TaskItem } from '../tasks/types';
import { itemsOfSplit, type RoutingDataset, type RoutingItem, type Split } from './dataset';
import { expertsBySoloAccuracy, inferChains, withMeanOutputs, type InferOptions } from './evaluate';
import type { OrchestratorModel } from './model';
import { Rng } from './rng';

export interface ConsortiumEvalOptions {
  model: OrchestratorModel;
  dataset: RoutingDataset;
  /** evaluated split (default 'test'); baselines are chosen on 'train' */
  split?: Split;
  /** the consortium's members; every id of dataset.expertIds must be among them */
  experts: readonly Expert[];
  /** the run's transcript store (chains read and write it) */
  store: TranscriptStore;
  /** the task items behind the dataset's ids */
  items: readonly TaskItem[];
  grader?: Grader;
  graderId?: string;
  /** inference settings of the orchestrator and the no-content router (argmax by default) */
  infer?: InferOptions;
  /** seed of the uniform random chains (default 0) */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Scores of one policy whose chains were run. */
export interface RunScores {
  accuracy: number;
  /** expert calls per item, as defined in the header */
  callsPerItem: number;
  /** mean chain length */
  meanLength: number;
  /** generate() calls that went through the store, and how many of them were new generations */
  storeCalls: number;
  newGenerations: number;
}

/** One task's table row set. */
export interface TaskEvaluation {
  task: string;
  nItems: number;
  orchestrator: RunScores;
  bestSingle: RunScores & { expertId: string; trainAccuracy: number };
  noContent: RunScores;
  uniformChain: RunScores;
  /** the plurality vote over the N solo answers */
  vote: RunScores;
  /** per item: some solo answer, generated pair or chain run here was right */
  ceiling: number;
  /** the orchestrator's chains (expert indices), in item order */
  chains: number[][];
}

export interface ConsortiumEvaluation {
  split: Split;
  perTask: Record<string, TaskEvaluation>;
}

/**
 * Runs `chains` (expert indices, one per item) for real and grades their final outputs.
 * Exported for the probes (src/probes/chain-runner.ts), which run masked and ablated chains the same way.
 */
export async function runAndGrade(
  chains: number[][],
  items: TaskItem[],
  stored: StoredExpert[],
  store: TranscriptStore,
  grader: Grader,
  graderId: string,
  tick: () => void,
): Promise<{ correct: boolean[]; storeCalls: number; newGenerations: number }> {
  const before = storeCounts(stored);
  const correct: boolean[] = [];
  for (let n = 0; n < chains.length; n++) {
    const item = items[n];
    const result = await runChain(stored, chains[n].map((e) => stored[e].id), item);
    const last = result.steps[result.steps.length - 1];
    const previous = result.steps.slice(0, -1).map((s) => ({ expertId: s.expertId, text: s.generation.text }));
    const key = stored[chains[n][chains[n].length - 1]].keyOf(last.prompt, previous.length ? { previous } : {});
    let grade = store.getGrade(key, item.id, graderId, result.finalText);
    if (grade === undefined) {
      grade = await grader(item, result.finalText);
      store.putGrade(key, item.id, graderId, result.finalText, grade);
    }
    correct.push(grade);
    tick();
  }
  const after = storeCounts(stored);
  const newGenerations = after[0] - before[0];
  return { correct, storeCalls: newGenerations + after[1] - before[1], newGenerations };
}

/** The store calls so far of the wrapped experts: [new generations, reused answers]. */
function storeCounts(stored: readonly StoredExpert[]): [number, number] {
  return stored.reduce<[number, number]>((a, e) => [a[0] + e.stats.generated, a[1] + e.stats.reused], [0, 0]);
}

/** Each item's plurality choice among the N solo answers (read through the store), as one-expert chains. */
async function pluralityVote(items: TaskItem[], stored: StoredExpert[], preference: number[]): Promise<{ chains: number[][]; storeCalls: number; newGenerations: number }> {
  const before = storeCounts(stored);
  const chains: number[][] = [];
  for (const item of items) {
    const keys: (string | null)[] = [];
    for (const e of stored) keys.push(answerKey(item, (await runChain(stored, [e.id], item)).finalText));
    chains.push([pluralityChoice(keys, preference)]);
  }
  const after = storeCounts(stored);
  return { chains, storeCalls: after[0] - before[0] + after[1] - before[1], newGenerations: after[0] - before[0] };
}

function scores(run: { correct: boolean[]; storeCalls: number; newGenerations: number }, chains: number[][], readFirst: number): RunScores {
  const n = chains.length;
  const meanLength = chains.reduce((a, c) => a + c.length, 0) / n;
  return {
    accuracy: run.correct.filter(Boolean).length / n,
    callsPerItem: readFirst > 0 ? readFirst + meanLength - 1 : meanLength,
    meanLength,
    storeCalls: run.storeCalls,
    newGenerations: run.newGenerations,
  };
}

/** Evaluates a trained model per task by running its chains, and the baselines', through the store. */
export async function evaluateOnConsortium(opts: ConsortiumEvalOptions): Promise<ConsortiumEvaluation> {
  const split = opts.split ?? 'test';
  const { dataset, model } = opts;
  const N = dataset.expertIds.length;
  const byId = new Map(opts.experts.map((e) => [e.id, e]));
  const members = dataset.expertIds.map((id) => {
    const e = byId.get(id);
    if (!e) throw new Error(`evaluateOnConsortium: the dataset's expert ${id} is not in the consortium (${[...byId.keys()].join(', ')})`);
    return e;
  });
  const stored = members.map((e) => withStore(e, opts.store));
  const taskItems = new Map(opts.items.map((it) => [it.id, it]));
  const grader = opts.grader ?? ((item: TaskItem, text: string) => gradeResponse(item, text));
  const graderId = opts.grader ? opts.graderId ?? 'custom' : opts.graderId ?? DEFAULT_GRADER_ID;
  const evalItems = itemsOfSplit(dataset, split);
  const trainItems = itemsOfSplit(dataset, 'train');
  if (evalItems.length === 0) throw new Error(`evaluateOnConsortium: split '${split}' has no items`);
  if (trainItems.length === 0) throw new Error('evaluateOnConsortium: no train items to choose the baselines on');
  const tasks = [...new Set(evalItems.map((it) => it.task))];
  const total = evalItems.length * 5;
  let done = 0;
  const tick = () => opts.onProgress?.(++done, total);
  const rng = new Rng(opts.seed ?? 0);
  const perTask: Record<string, TaskEvaluation> = {};
  for (const task of tasks) {
    const items = evalItems.filter((it) => it.task === task);
    const sameTask = trainItems.filter((it) => it.task === task);
    // the baselines are chosen on the task's own train items (all train items if it has none)
    const train = sameTask.length > 0 ? sameTask : trainItems;
    const ranking = expertsBySoloAccuracy(train, N);
    const tItems = items.map((it) => {
      const t = taskItems.get(it.id);
      if (!t) throw new Error(`evaluateOnConsortium: no task item with id ${it.id} among opts.items`);
      return t;
    });
    const run = (chains: number[][]) => runAndGrade(chains, tItems, stored, opts.store, grader, graderId, tick);

    const chains = inferChains(model, items, opts.infer).map((c) => c.chain);
    const orch = await run(chains);
    const best = ranking[0];
    const single = await run(items.map(() => [best]));
    const noContentChains = inferChains(model, withMeanOutputs(items, trainItems), opts.infer).map((c) => c.chain);
    const noContent = await run(noContentChains);
    const uniformChains = chains.map((c) => rng.shuffle(Array.from({ length: N }, (_, e) => e)).slice(0, c.length));
    const uniform = await run(uniformChains);
    const voted = await pluralityVote(tItems, stored, ranking);
    const vote = await run(voted.chains);
    vote.storeCalls += voted.storeCalls;
    vote.newGenerations += voted.newGenerations;

    const anyRight = (it: RoutingItem, n: number) =>
      it.correct.some((c) => c === 1) || (it.pairCorrect ?? []).some((row) => row.some((p) => p === 1)) || orch.correct[n] || noContent.correct[n] || uniform.correct[n];
    const trainAcc = train.reduce((a, it) => a + it.correct[best], 0) / train.length;
    perTask[task] = {
      task,
      nItems: items.length,
      orchestrator: scores(orch, chains, N),
      bestSingle: { ...scores(single, items.map(() => [best]), 0), expertId: dataset.expertIds[best], trainAccuracy: trainAcc },
      noContent: scores(noContent, noContentChains, 0),
      uniformChain: scores(uniform, uniformChains, 0),
      vote: scores(vote, voted.chains, N),
      ceiling: items.filter((it, n) => anyRight(it, n)).length / items.length,
      chains,
    };
  }
  return { split, perTask };
}
