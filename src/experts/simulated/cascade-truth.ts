/**
 * Planted truth of a confidence cascade (Appendix I, FrugalGPT style): experts answer the task on
 * their own in a fixed order, and the cascade stops at the first answer whose mean token entropy
 * is at most `threshold` (the last expert always answers). A simulated response's per-token
 * entropies are exponential draws with mean 0.15 + 0.35 T, plus `entropySignal` when the answer
 * is wrong (expert.ts), so over a response of tens of tokens the mean is close to that mean:
 * an expert stops on a right answer when 0.15 + 0.35 T <= threshold and on a wrong one when that
 * plus `entropySignal` is. Computed for experts whose attempts are independent (itemCorrelation
 * 0) and without cues, the conditions of the cascade preset; other specs are refused.
 */
import type { TaskName } from '../../tasks/types';
import { standaloneProbability } from './competence';
import type { SimulatedSpec } from './spec';

/** The stopping threshold on the mean token entropy (nats) of the cascade preset. */
export const CASCADE_ENTROPY_THRESHOLD = 0.5;

/** Mean per-token entropy of a response, right or wrong (no hedges: cues 0). */
export function meanTokenEntropy(spec: SimulatedSpec, correct: boolean): number {
  return 0.15 + 0.35 * spec.temperature + (correct ? 0 : spec.entropySignal);
}

export interface CascadeTruth {
  order: string[];
  threshold: number;
  /** per expert: standalone success probability, whether it stops when right / wrong */
  experts: { id: string; p: number; stopsWhenRight: boolean; stopsWhenWrong: boolean }[];
  /** share of items on which each expert gives the final answer */
  stopShare: Record<string, number>;
  accuracy: number;
  /** accuracy lost when the expert is skipped */
  necessity: Record<string, number>;
  /** the expert stopping most often */
  mostStopping: string;
  /** the expert whose removal costs most (the planted decisive expert) */
  decisive: string;
}

function run(specs: readonly SimulatedSpec[], task: TaskName, threshold: number): { stop: number[]; accuracy: number } {
  let reach = 1;
  let accuracy = 0;
  const stop: number[] = [];
  specs.forEach((s, k) => {
    const p = standaloneProbability(s, task);
    if (k === specs.length - 1) {
      stop.push(reach);
      accuracy += reach * p;
      return;
    }
    const sR = meanTokenEntropy(s, true) <= threshold ? 1 : 0;
    const sW = meanTokenEntropy(s, false) <= threshold ? 1 : 0;
    stop.push(reach * (p * sR + (1 - p) * sW));
    accuracy += reach * p * sR;
    reach *= 1 - (p * sR + (1 - p) * sW);
  });
  return { stop, accuracy };
}

const tidy = (x: number) => Math.round(x * 1e9) / 1e9;

/** The cascade's stopping shares, accuracy and each expert's necessity, in the specs' order. */
export function cascadeTruth(specs: readonly SimulatedSpec[], task: TaskName, threshold = CASCADE_ENTROPY_THRESHOLD): CascadeTruth {
  if (specs.length < 2) throw new Error('cascadeTruth: a cascade needs at least two experts');
  const bad = specs.find((s) => s.itemCorrelation !== 0 || s.cues !== 0);
  if (bad) throw new Error(`cascadeTruth: expert ${bad.id} has itemCorrelation ${bad.itemCorrelation} and cues ${bad.cues}; the cascade truth is computed for 0 and 0`);
  const { stop, accuracy } = run(specs, task, threshold);
  const ids = specs.map((s) => s.id);
  const stopShare = Object.fromEntries(ids.map((id, k) => [id, tidy(stop[k])]));
  const necessity = Object.fromEntries(ids.map((id, k) => [id, tidy(accuracy - run(specs.filter((_, j) => j !== k), task, threshold).accuracy)]));
  const argmax = (r: Record<string, number>) => ids.reduce((a, b) => (r[b] > r[a] ? b : a));
  return {
    order: ids,
    threshold,
    experts: specs.map((s) => ({
      id: s.id,
      p: tidy(standaloneProbability(s, task)),
      stopsWhenRight: meanTokenEntropy(s, true) <= threshold,
      stopsWhenWrong: meanTokenEntropy(s, false) <= threshold,
    })),
    stopShare,
    accuracy: tidy(accuracy),
    necessity,
    mostStopping: argmax(stopShare),
    decisive: argmax(necessity),
  };
}
