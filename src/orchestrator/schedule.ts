/**
 * The schedules that change during training, as pure functions of the step and of their own
 * previous state (so a checkpoint stores just a few numbers):
 *   - learning rate: linear warmup over the first `warmupRatio` of the steps, then cosine to 0;
 *   - Gumbel temperature: tau <- max(tauMin, tau * tauDecay) after every step;
 *   - adaptive top-k: k decays from N towards 1 as a moving average of selection confidence
 *     (the mean over the batch of max_i s_i(x)) rises from chance (1/N) to certainty (1); it never
 *     grows back.
 */
import type { TrainConfig } from './config';

/** Everything about the schedules that a resumed run needs. */
export interface ScheduleState {
  /** optimisation steps taken so far */
  step: number;
  /** Gumbel-softmax temperature for the next step */
  tau: number;
  /** adaptive top-k for the next step */
  k: number;
  /** moving average of selection confidence */
  confidence: number;
}

/** The state before the first step, for N experts. */
export function initialSchedule(cfg: TrainConfig, nExperts: number): ScheduleState {
  return { step: 0, tau: cfg.tauStart, k: nExperts, confidence: 1 / nExperts };
}

/** Learning rate at 0-based `step` of `totalSteps`. */
export function learningRateAt(step: number, totalSteps: number, cfg: Pick<TrainConfig, 'learningRate' | 'warmupRatio'>): number {
  const warmup = Math.floor(cfg.warmupRatio * totalSteps);
  if (step < warmup) return (cfg.learningRate * (step + 1)) / warmup;
  const span = Math.max(1, totalSteps - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return 0.5 * cfg.learningRate * (1 + Math.cos(Math.PI * progress));
}

/** k implied by a confidence level: N at chance, 1 at certainty, linear in between. */
export function topKForConfidence(confidence: number, nExperts: number): number {
  const chance = 1 / nExperts;
  const progress = Math.min(1, Math.max(0, (confidence - chance) / (1 - chance)));
  return Math.max(1, Math.min(nExperts, Math.round(nExperts - (nExperts - 1) * progress)));
}

/** The state after one step whose batch had mean selection confidence `batchConfidence`. */
export function advanceSchedule(state: ScheduleState, batchConfidence: number, cfg: TrainConfig, nExperts: number): ScheduleState {
  const m = cfg.confidenceMomentum;
  const confidence = m * state.confidence + (1 - m) * batchConfidence;
  return {
    step: state.step + 1,
    tau: Math.max(cfg.tauMin, state.tau * cfg.tauDecay),
    k: Math.min(state.k, topKForConfidence(confidence, nExperts)),
    confidence,
  };
}
