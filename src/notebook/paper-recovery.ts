/**
 * Recovery scores of notebooks 04-06 (centralization, masking, ablations): whether what a probe
 * measured matches what a simulated preset plants. Pure functions of numbers; the notebooks state
 * recovery only through them (as 01-03 do through src/probes/recovery.ts, which has no scores for
 * these three findings yet).
 */

/** Which of two values is larger, with a tolerance below which they count as equal. */
export type Direction = 'a>b' | 'a<b' | 'equal';

export function directionOf(a: number, b: number, tolerance = 0): Direction {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`directionOf: values must be finite (got ${a}, ${b})`);
  if (Math.abs(a - b) <= tolerance) return 'equal';
  return a > b ? 'a>b' : 'a<b';
}

/**
 * Centralization (Figures 6, 7): consortium a against consortium b. Planted: the ideal policy's
 * Gini and confidence (presetTruth(...).perTask[task]); measured: the Gini of incoming routing
 * mass and the collaboration entropy at the last epoch. Higher planted confidence should read as
 * LOWER collaboration entropy. A planted difference under `plantedTolerance` expects no order; a
 * measured one under `measuredTolerance` (default 0.01) shows none.
 */
export interface CentralizationRecovery {
  plantedGini: Direction;
  measuredGini: Direction;
  giniRecovered: boolean;
  plantedConfidence: Direction;
  /** direction of the measured confidence, i.e. of minus the collaboration entropy */
  measuredConfidence: Direction;
  confidenceRecovered: boolean;
}

export function centralizationRecovery(
  planted: { a: { gini: number; confidence: number }; b: { gini: number; confidence: number } },
  measured: { a: { gini: number; collabEntropy: number }; b: { gini: number; collabEntropy: number } },
  opts: { plantedTolerance?: number; measuredTolerance?: number } = {},
): CentralizationRecovery {
  const tol = opts.plantedTolerance ?? 0.02;
  // a measured gap below this (Gini points, or nats of entropy) is read as no order at all
  const mtol = opts.measuredTolerance ?? 0.01;
  const plantedGini = directionOf(planted.a.gini, planted.b.gini, tol);
  const plantedConfidence = directionOf(planted.a.confidence, planted.b.confidence, tol);
  const measuredGini = directionOf(measured.a.gini, measured.b.gini, mtol);
  const measuredConfidence = directionOf(-measured.a.collabEntropy, -measured.b.collabEntropy, mtol);
  // with no planted order, any measured order is an accident of training: nothing to recover
  return {
    plantedGini,
    measuredGini,
    giniRecovered: plantedGini !== 'equal' && plantedGini === measuredGini,
    plantedConfidence,
    measuredConfidence,
    confidenceRecovered: plantedConfidence !== 'equal' && plantedConfidence === measuredConfidence,
  };
}

/**
 * Masking (Table 8/11, Figure 8) scored against planted necessity: masking an expert whose planted
 * necessity (ideal accuracy lost without it) is at least `necessary` should cost accuracy
 * significantly (paired over epochs, p < alpha, mean change < 0); masking one that is not
 * necessary should not. `recovered` when the measured verdict equals the planted one.
 */
export interface MaskedExpertRecovery {
  expert: string;
  plantedNecessity: number;
  plantedNecessary: boolean;
  meanAccuracyChange: number;
  pValue: number | null;
  measuredDrop: boolean;
  recovered: boolean;
}

export function maskedExpertRecovery(expert: string, plantedNecessity: number, meanAccuracyChange: number, pValue: number | null, opts: { necessary?: number; alpha?: number } = {}): MaskedExpertRecovery {
  const plantedNecessary = plantedNecessity >= (opts.necessary ?? 0.02);
  const measuredDrop = meanAccuracyChange < 0 && pValue !== null && pValue < (opts.alpha ?? 0.05);
  return { expert, plantedNecessity, plantedNecessary, meanAccuracyChange, pValue, measuredDrop, recovered: plantedNecessary === measuredDrop };
}

/**
 * Of two masked experts, is the one with more planted necessity the one whose masking costs more
 * accuracy? null when their planted necessities are equal (within `tolerance`): no order planted.
 */
export function necessityOrderRecovered(a: { necessity: number; accuracyChange: number }, b: { necessity: number; accuracyChange: number }, tolerance = 0.02): boolean | null {
  const planted = directionOf(a.necessity, b.necessity, tolerance);
  if (planted === 'equal') return null;
  // more necessary = larger drop = more negative change
  return directionOf(-a.accuracyChange, -b.accuracyChange) === planted;
}

/**
 * Ablations (Figures 9, 11): does the learned routing beat an ablated one? Planted: routing can
 * matter on a task when choosing the expert pays, i.e. the best planted solo accuracy exceeds the
 * mean planted solo accuracy by at least `headroom` (on exchangeable experts it does not).
 * Measured: the full model's accuracy above the ablation's, paired (over seeds and epochs),
 * p < alpha. Recovered when the two agree.
 */
export interface AblationRecovery {
  ablation: string;
  plantedHeadroom: number;
  plantedRoutingMatters: boolean;
  meanGain: number;
  pValue: number | null;
  measuredFullBetter: boolean;
  recovered: boolean;
}

export function ablationRecovery(ablation: string, plantedSolo: readonly number[], meanGain: number, pValue: number | null, opts: { headroom?: number; alpha?: number } = {}): AblationRecovery {
  if (plantedSolo.length === 0) throw new Error('ablationRecovery: no planted solo accuracies');
  const best = Math.max(...plantedSolo);
  const avg = plantedSolo.reduce((a, b) => a + b, 0) / plantedSolo.length;
  const plantedHeadroom = best - avg;
  const plantedRoutingMatters = plantedHeadroom >= (opts.headroom ?? 0.05);
  const measuredFullBetter = meanGain > 0 && pValue !== null && pValue < (opts.alpha ?? 0.05);
  return { ablation, plantedHeadroom, plantedRoutingMatters, meanGain, pValue, measuredFullBetter, recovered: plantedRoutingMatters === measuredFullBetter };
}
