/**
 * INFORM on a confidence-based cascade (Appendix I; FrugalGPT-style): experts are asked in a fixed
 * order and inference stops at the first expert whose uncertainty H_i(x) (mean token entropy of
 * its answer) is below a threshold; the last expert answers when nobody stopped earlier.
 *
 * To differentiate the stopping decision the hard rule is read as the limit of a soft one:
 * expert i stops, once reached, with probability sigma_i = sigmoid((theta_i - H_i) / T), so
 *   p_stop(i | x) = sigma_i * prod_{j<i} (1 - sigma_j)   (i < n),   p_stop(n | x) = prod_{j<n} (1 - sigma_j)
 * and, with d sigma_i / d H_i = -sigma_i (1 - sigma_i) / T,
 *   d p_stop(i | x) / d H_i = -sigma_i (1 - sigma_i) / T * prod_{j<i} (1 - sigma_j)   (0 for the last expert).
 * Intrinsic importance is E_x |d p_stop(i|x) / d H_i(x)|; masking skips an expert and compares
 * stopping distributions (KL), like the orchestrator's masking probe.
 */
import { klOf } from './masking';
import { groupsByTask } from './structure';

/** One item as the cascade sees it: each expert's uncertainty and graded answer, in expert order. */
export interface CascadeItem {
  id: string;
  task: string;
  /** H_i(x): mean token entropy of expert i's answer (nats) */
  entropies: number[];
  /** expert i's answer graded correct (1) or not (0) */
  correct: number[];
}

export interface CascadeSettings {
  /** the cascade order (expert indices; default 0..n-1) */
  order: number[];
  /** stop threshold per expert (indexed by expert, not position) */
  thresholds: number[];
  /** softness T of the stopping rule (nats); the hard cascade is its T -> 0 limit */
  temperature: number;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Default settings for items: the given order (else 0..n-1), each expert's threshold the median of
 * its own entropies over the items (reached, it would stop on about half of them), T = a quarter
 * of the standard deviation of all entropies (docs/decisions.md, "Cascade settings").
 */
export function defaultCascadeSettings(items: readonly CascadeItem[], order?: number[]): CascadeSettings {
  if (items.length === 0) throw new Error('cascade: no items');
  const n = items[0].entropies.length;
  const med = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const all = items.flatMap((it) => it.entropies);
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, all.length - 1));
  return {
    order: order ?? Array.from({ length: n }, (_, i) => i),
    thresholds: Array.from({ length: n }, (_, i) => med(items.map((it) => it.entropies[i]))),
    temperature: sd > 0 ? sd / 4 : 1,
  };
}

function validate(items: readonly CascadeItem[], s: CascadeSettings): number {
  if (items.length === 0) throw new Error('cascade: no items');
  const n = items[0].entropies.length;
  items.forEach((it, b) => {
    if (it.entropies.length !== n) throw new Error(`cascade: item ${b} ('${it.id}') has ${it.entropies.length} entropies, expected ${n}`);
    if (it.correct.length !== n) throw new Error(`cascade: item ${b} ('${it.id}') has ${it.correct.length} grades, expected ${n}`);
    it.entropies.forEach((h, i) => {
      if (!(Number.isFinite(h) && h >= 0)) throw new Error(`cascade: item ${b} ('${it.id}') entropies[${i}] = ${h} is not a finite entropy >= 0`);
    });
  });
  if (s.thresholds.length !== n) throw new Error(`cascade: ${s.thresholds.length} thresholds for ${n} experts`);
  if (!(s.temperature > 0)) throw new Error(`cascade: temperature must be > 0 (got ${s.temperature})`);
  if (s.order.length === 0 || new Set(s.order).size !== s.order.length || s.order.some((e) => !(Number.isInteger(e) && e >= 0 && e < n))) {
    throw new Error(`cascade: order [${s.order}] must list distinct expert indices 0..${n - 1}`);
  }
  return n;
}

/**
 * Soft stopping distribution of one item, indexed by expert (experts not in the order get 0),
 * and d p_stop(i) / d H_i for each expert.
 */
export function stoppingDistribution(entropies: readonly number[], s: CascadeSettings): { pStop: number[]; dStopdH: number[] } {
  const n = entropies.length;
  const pStop = new Array<number>(n).fill(0);
  const dStopdH = new Array<number>(n).fill(0);
  let reach = 1;
  s.order.forEach((e, pos) => {
    if (pos === s.order.length - 1) {
      pStop[e] = reach;
      return;
    }
    const sig = sigmoid((s.thresholds[e] - entropies[e]) / s.temperature);
    pStop[e] = reach * sig;
    dStopdH[e] = (-reach * sig * (1 - sig)) / s.temperature;
    reach *= 1 - sig;
  });
  return { pStop, dStopdH };
}

/** The hard cascade's stopping expert: the first in order with H below its threshold, else the last. */
export function hardStop(entropies: readonly number[], s: CascadeSettings): number {
  for (const e of s.order.slice(0, -1)) if (entropies[e] < s.thresholds[e]) return e;
  return s.order[s.order.length - 1];
}

/** Per-expert results of the cascade probe on one task group. */
export interface CascadeSummary {
  task: string;
  nItems: number;
  /** how often each expert terminates the hard cascade (fraction of items) */
  stopFrequency: number[];
  /** mean soft stopping distribution */
  meanPStop: number[];
  /** E_x |d p_stop(i|x) / d H_i(x)| */
  intrinsic: number[];
  /** per masked expert: mean over items of KL(masked || baseline) of the soft stopping distribution */
  maskKl: number[];
  /**
   * the same, conditional: KL(baseline restricted to the others, renormalised || masked), over the
   * items that have it (NaN when none has)
   */
  maskKlConditional: number[];
  /**
   * per masked expert: items whose baseline stopping distribution put all its mass on that expert
   * (e.g. sigma = 1 in float64), so the restricted baseline is empty and has no conditional KL
   * (scipy.stats.entropy: nan); they are left out of `maskKlConditional`
   */
  itemsWithoutConditional: number[];
  /** accuracy of the hard cascade (the stopping expert's grade) */
  accuracy: number;
  /** accuracy of the hard cascade with each expert skipped */
  maskedAccuracy: number[];
}

/** Runs the cascade probe; one summary per task, then 'all'. */
export function cascadeProbe(items: readonly CascadeItem[], settings?: Partial<CascadeSettings>): { settings: CascadeSettings; summaries: CascadeSummary[] } {
  const s: CascadeSettings = { ...defaultCascadeSettings(items, settings?.order), ...settings } as CascadeSettings;
  const n = validate(items, s);
  const skip = (k: number): CascadeSettings => ({ ...s, order: s.order.filter((e) => e !== k) });
  const summaries = groupsByTask(items.map((it) => it.task)).map((g) => {
    const its = g.idx.map((i) => items[i]);
    const m = its.length;
    const stopFrequency = new Array<number>(n).fill(0);
    const meanPStop = new Array<number>(n).fill(0);
    const intrinsic = new Array<number>(n).fill(0);
    const maskKl = new Array<number>(n).fill(0);
    const maskKlConditional = new Array<number>(n).fill(0);
    const itemsWithoutConditional = new Array<number>(n).fill(0);
    const maskedAccuracy = new Array<number>(n).fill(0);
    let accuracy = 0;
    for (const it of its) {
      const base = stoppingDistribution(it.entropies, s);
      const stop = hardStop(it.entropies, s);
      stopFrequency[stop] += 1 / m;
      accuracy += it.correct[stop] / m;
      base.pStop.forEach((p, i) => (meanPStop[i] += p / m));
      base.dStopdH.forEach((d, i) => (intrinsic[i] += Math.abs(d) / m));
      for (const k of s.order) {
        if (s.order.length < 2) break;
        const sk = skip(k);
        const masked = stoppingDistribution(it.entropies, sk).pStop;
        maskKl[k] += klOf(masked, base.pStop) / m;
        const conditional = klOf(base.pStop.map((p, i) => (i === k ? 0 : p)), masked);
        if (Number.isNaN(conditional)) itemsWithoutConditional[k] += 1;
        else maskKlConditional[k] += conditional;
        maskedAccuracy[k] += it.correct[hardStop(it.entropies, sk)] / m;
      }
    }
    // mean over the items that have a conditional reading (0 / 0 = NaN when none has)
    maskKlConditional.forEach((v, k) => (maskKlConditional[k] = s.order.includes(k) && s.order.length >= 2 ? v / (m - itemsWithoutConditional[k]) : v));
    return { task: g.task, nItems: m, stopFrequency, meanPStop, intrinsic, maskKl, maskKlConditional, itemsWithoutConditional, accuracy, maskedAccuracy };
  });
  return { settings: s, summaries };
}
