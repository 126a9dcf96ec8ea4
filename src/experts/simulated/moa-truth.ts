/**
 * Planted truth of a mixture of agents (seed 001; "Self-MoA" vs mixed MoA): k proposers answer on
 * their own, then an aggregator with `aggregate` = a answers with the plurality of their answers
 * (ties to the answer given first) with probability a, else on its own. For independent proposers
 * (itemCorrelation 0, no copying or fixing) the aggregated accuracy lies between
 *   lower = a P(a strict majority of proposers is right) + (1 - a) q
 *   upper = a P(at least two right, or exactly one right and it is the first proposer) + (1 - a) q
 * (upper: wrong answers never coincide; lower: they always do), q the aggregator's own accuracy.
 */
import type { TaskName } from '../../tasks/types';
import { standaloneProbability } from './competence';
import type { SimulatedSpec } from './spec';

export interface MoaTruth {
  proposers: string[];
  aggregator: string;
  /** bounds on the accuracy of the aggregated answer */
  lower: number;
  upper: number;
  /** the best proposer's own accuracy, for comparison */
  bestProposer: number;
}

export function moaTruth(proposers: readonly SimulatedSpec[], aggregator: SimulatedSpec, task: TaskName): MoaTruth {
  if (proposers.length < 2) throw new Error('moaTruth: needs at least two proposers');
  if (aggregator.aggregate === undefined) throw new Error(`moaTruth: expert ${aggregator.id} does not aggregate (no 'aggregate' field)`);
  const bad = proposers.find((s) => s.itemCorrelation !== 0 || s.chain.copy !== 0 || s.chain.fix !== 0);
  if (bad) throw new Error(`moaTruth: proposer ${bad.id} must answer independently (itemCorrelation 0, chain copy 0 and fix 0)`);
  const p = proposers.map((s) => standaloneProbability(s, task));
  const k = p.length;
  let lower = 0;
  let upper = 0;
  for (let mask = 0; mask < 1 << k; mask++) {
    let prob = 1;
    let right = 0;
    for (let j = 0; j < k; j++) {
      const ok = (mask >> j) & 1;
      prob *= ok ? p[j] : 1 - p[j];
      right += ok;
    }
    if (right > k / 2) lower += prob;
    if (right >= 2 || (right === 1 && (mask & 1) === 1)) upper += prob;
  }
  const a = aggregator.aggregate;
  const q = standaloneProbability(aggregator, task);
  const tidy = (x: number) => Math.round(x * 1e9) / 1e9;
  return { proposers: proposers.map((s) => s.id), aggregator: aggregator.id, lower: tidy(a * lower + (1 - a) * q), upper: tidy(a * upper + (1 - a) * q), bestProposer: tidy(Math.max(...p)) };
}
