/**
 * The structure probe of one checkpoint over a set of items, per task and over all items
 * (Section 2.2, Study I/II, Sections 4.2-4.4): mean collaboration matrix, start distribution
 * s(x) (Table 2), relational importance u_j, intrinsic importance I(E_i), collaboration
 * entropy, rank of C, ordering entropy, Gini of incoming mass and of expert usage.
 */
import type { RoutingItem } from '../orchestrator/dataset';
import type { OrchestratorModel } from '../orchestrator/model';
import { intrinsicImportance } from './intrinsic';
import { collaborationEntropy, entropyOf, firstExpertCounts, giniOf, matrixRank, meanMatrix, meanVector, relationalImportance, usageCounts, type Matrix } from './matrix-measures';
import { disposeEncoded, encodeItems, readRouting, type ProbeRouteOptions, type RoutingRead } from './routing-read';

/** Structure measures of one group of items (a task, or 'all'). */
export interface StructureSummary {
  task: string;
  nItems: number;
  /** C(x) averaged over the items, [N][N] */
  meanC: Matrix;
  /** s(x) averaged over the items: the marginal first-expert distribution, [N] */
  meanS: number[];
  /** u_j = sum_{i != j} C_ij, averaged over items (= the incoming mass of meanC), [N] */
  relational: number[];
  /** I(E_i) averaged over the inference steps and the items, [N] */
  intrinsic: number[];
  /** mean over items of the mean row entropy of C(x) (nats): routing confidence, Section 4.3 */
  collabEntropy: number;
  /** numerical rank of meanC */
  rankMeanC: number;
  /** mean over items of the numerical rank of C(x) */
  meanItemRank: number;
  /** entropy of meanS (nats): ordering entropy, Section 4.4 */
  orderingEntropy: number;
  /** mean over items of the entropy of s(x) (nats): how decided each single start is */
  meanItemStartEntropy: number;
  /** Gini of `relational` (successor centralization, Section 4.3) */
  giniIncoming: number;
  /** Gini of how often each expert is called in the inferred chains (Figure 10) */
  giniUsage: number;
  /** calls per expert in the inferred chains, [N] */
  usage: number[];
  /** how often each expert starts a chain, [N] */
  firstCounts: number[];
  /** mean chain length */
  avgCalls: number;
}

/** What the structure probe returns: the per-item reads and the summaries. */
export interface StructureResult {
  expertIds: string[];
  read: RoutingRead;
  /** per item I(E_i), [B][N] */
  intrinsicPerItem: number[][];
  /** one summary per task, then 'all' */
  summaries: StructureSummary[];
}

/** The measures of one item's C(x) and s(x) that a summary averages. */
export interface ItemMeasures {
  collabEntropy: number;
  rank: number;
  startEntropy: number;
}

/** Per-item measures of a read (each item's once, however many groups it is in). */
export function itemMeasures(read: RoutingRead): ItemMeasures[] {
  return read.C.map((m, i) => ({ collabEntropy: collaborationEntropy(m, rowsWithoutMass(m)), rank: matrixRank(m), startEntropy: entropyOf(read.s[i]) }));
}

/** Summarises items `idx` of a read (`perItem`: the read's `itemMeasures`, computed here when absent). */
export function summarise(task: string, read: RoutingRead, intrinsicPerItem: number[][], idx: number[], N: number, perItem?: readonly ItemMeasures[]): StructureSummary {
  if (idx.length === 0) throw new Error(`structure: no items for '${task}'`);
  const C = idx.map((i) => read.C[i]);
  const s = idx.map((i) => read.s[i]);
  const measures = idx.map((i) => perItem?.[i] ?? { collabEntropy: collaborationEntropy(read.C[i], rowsWithoutMass(read.C[i])), rank: matrixRank(read.C[i]), startEntropy: entropyOf(read.s[i]) });
  const meanOf = (f: (m: ItemMeasures) => number) => measures.reduce((a, m) => a + f(m), 0) / measures.length;
  const chains = idx.map((i) => read.chains[i]);
  const meanC = meanMatrix(C);
  const meanS = meanVector(s);
  const relational = relationalImportance(meanC);
  const usage = usageCounts(chains, N);
  return {
    task,
    nItems: idx.length,
    meanC,
    meanS,
    relational,
    intrinsic: meanVector(idx.map((i) => intrinsicPerItem[i])),
    collabEntropy: meanOf((m) => m.collabEntropy),
    rankMeanC: matrixRank(meanC),
    meanItemRank: meanOf((m) => m.rank),
    orderingEntropy: entropyOf(meanS),
    meanItemStartEntropy: meanOf((m) => m.startEntropy),
    giniIncoming: giniOf(relational),
    giniUsage: giniOf(usage),
    usage,
    firstCounts: firstExpertCounts(chains, N),
    avgCalls: chains.reduce((a, c) => a + c.length, 0) / chains.length,
  };
}

/** Rows of C that carry no mass (a masked expert's row). */
export function rowsWithoutMass(C: Matrix): number[] {
  return C.map((r, i) => (r.reduce((a, b) => a + b, 0) > 0 ? -1 : i)).filter((i) => i >= 0);
}

/** Groups item indices by task, tasks in order of first appearance, then 'all'. */
export function groupsByTask(tasks: readonly string[]): Array<{ task: string; idx: number[] }> {
  const order = [...new Set(tasks)];
  const groups = order.map((task) => ({ task, idx: tasks.map((t, i) => (t === task ? i : -1)).filter((i) => i >= 0) }));
  return [...groups, { task: 'all', idx: tasks.map((_, i) => i) }];
}

/** Runs the structure probe of a model on items, under optional route options (e.g. a mask). */
export function structureProbe(model: OrchestratorModel, items: readonly RoutingItem[], expertIds: readonly string[], opts: ProbeRouteOptions = {}): StructureResult {
  const N = model.config.nExperts;
  if (expertIds.length !== N) throw new Error(`structure: ${expertIds.length} expert ids, the model has ${N} experts`);
  // one encoding shared by the read and the gradients (unless the caller shares its own)
  const encoded = opts.encoded ?? encodeItems(model, items, { available: opts.available, batchSize: opts.batchSize });
  let read: RoutingRead;
  let intrinsic: ReturnType<typeof intrinsicImportance>;
  try {
    read = readRouting(model, items, { ...opts, encoded });
    intrinsic = intrinsicImportance(model, items, read.chains, { ...opts, encoded });
  } finally {
    if (!opts.encoded) disposeEncoded(encoded);
  }
  const perItem = itemMeasures(read);
  const summaries = groupsByTask(read.tasks).map((g) => summarise(g.task, read, intrinsic.perItem, g.idx, N, perItem));
  return { expertIds: [...expertIds], read, intrinsicPerItem: intrinsic.perItem, summaries };
}
