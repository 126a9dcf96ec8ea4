/**
 * The planted ground truth of a simulated consortium, as data computed from the specs' parameters
 * (never written by hand): per-expert standalone success probabilities per domain, who depends on
 * whom, the specialist of each domain, and per task the exact success probability of every solo
 * call and every ordered pair "j after i" (from competence.ts's model: skill, temperature noise,
 * boosts, copy/fix behaviour and the shared item difficulty), the ideal policy over chains of
 * length <= 2 per latent item sub-type, its usage (who it calls how often), its centralization
 * (Gini) and confidence (margin of the best chain), and each expert's necessity (what the ideal
 * policy loses without it). The notebooks and probes compare what they recover against this.
 * Per-task values use the domain skill: per-subject MMLU skills (`mmluSubjects`) appear only in
 * `experts[k].mmluSubjects`, and prompts are taken as intact.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { gini } from '../../stats/gini';
import type { TaskName } from '../../tasks/types';
import { bivariateNormalCdf } from './bivariate-normal';
import { dependenciesOf, ownProbabilityOn, ROUTINE, standaloneProbability } from './competence';
import type { SimulatedSpec } from './spec';

export interface PlantedExpert {
  id: string;
  model: string;
  family: SimulatedSpec['family'];
  temperature: number;
  /** standalone probability of a correct answer, per domain, after the temperature penalty, averaged over the item sub-types */
  pCorrect: Record<TaskName, number>;
  mmluSubjects?: Record<string, number>;
}

export interface PlantedDependency {
  /** the dependent expert */
  expert: string;
  /** the hub it depends on (one row per hub when several can play the role) */
  on: string;
  /** rise of the dependent's success probability when `on` answered just before it */
  boost: number;
  /** the item sub-types it applies to (absent: all) */
  subtypes?: string[];
}

/** A chain of one or two experts (ids, in call order) and its success probability. */
export interface PlantedChain {
  chain: string[];
  p: number;
}

/** The ideal choice for one latent item sub-type. */
export interface IdealChoice {
  subtype: string;
  /** share of items of this sub-type */
  share: number;
  /** every chain within 1e-9 of the best (usage is split evenly among them) */
  best: PlantedChain[];
  /** the best chain's success probability minus the best other chain's */
  margin: number;
}

/** Per task: solo and pair probabilities and the ideal policy. */
export interface TaskTruth {
  /** standalone success probability per expert (averaged over sub-types) */
  solo: Record<string, number>;
  /** success probability of "j after i", keyed "i>j" (averaged over sub-types) */
  pair: Record<string, number>;
  bestSolo: PlantedChain;
  bestPair: PlantedChain;
  /** the ideal policy per sub-type */
  ideal: IdealChoice[];
  /** expected accuracy of the ideal policy (ceiling over chains of length <= 2) */
  idealAccuracy: number;
  /** expected number of calls per item under the soft ideal policy */
  idealCalls: number;
  /** share of the soft ideal policy's calls that go to each expert (sums to 1) */
  usage: Record<string, number>;
  /** Gini of `usage` over all experts: the ideal policy's centralization */
  gini: number;
  /** 1 - normalised entropy of the soft ideal policy over chains (share-weighted): routing confidence */
  confidence: number;
  /** ideal accuracy lost when the expert is removed from the consortium (>= 0): its necessity */
  necessity: Record<string, number>;
  /** experts by usage, most used first (ties by id order) */
  frequencyRank: string[];
  /** experts by necessity, most necessary first */
  necessityRank: string[];
}

/** The findings a probe should recover, per task. */
export interface ExpectedFindings {
  /** the most used expert under the ideal policy (relational importance expected top) */
  hub: string;
  /** the most necessary expert (intrinsic importance expected top), or null when none matters */
  critical: string | null;
  /** true when the critical expert matters (necessity >= 0.02) and is not the most used one */
  divergence: boolean;
  /** one line saying what is planted */
  summary: string;
}

export interface PlantedTruth {
  experts: PlantedExpert[];
  dependencies: PlantedDependency[];
  /** experts that at least one other expert depends on, most dependents first */
  hubs: string[];
  /** experts whose responses name the item's sub-type */
  revealers: string[];
  /** share of items per latent sub-type ('routine' included) */
  subtypes: Record<string, number>;
  /** per domain: the best standalone expert and its margin over the runner-up */
  bestPerDomain: Record<TaskName, { expert: string; p: number; margin: number }>;
  /**
   * experts that are the best on exactly one domain by a margin of at least 0.15, and below the
   * consortium's median on every other domain
   */
  specialists: { expert: string; domain: TaskName }[];
  /** chains, ideal policy, usage, centralization and necessity per task */
  perTask: Record<TaskName, TaskTruth>;
  /** what a probe should find, per task */
  expected: Record<TaskName, ExpectedFindings>;
}

export const DOMAINS: readonly TaskName[] = ['gsm8k', 'mmlu', 'humaneval'];

/** Rounds away floating-point noise (0.8099999999 -> 0.81) for display and comparison. */
const tidy = (x: number) => Math.round(x * 1e9) / 1e9;
const TIE = 1e-9;
/** the necessity below which an expert is not considered to matter */
export const MATERIAL_NECESSITY = 0.02;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The sub-types shared by the specs (they must agree), with 'routine' taking the rest. */
export function subtypeShares(specs: readonly SimulatedSpec[]): Record<string, number> {
  const key = (s: SimulatedSpec) => JSON.stringify(Object.entries(s.subtypes ?? {}).sort());
  const first = specs[0];
  const other = specs.find((s) => key(s) !== key(first));
  if (other) throw new Error(`plantedTruth: experts ${first.id} and ${other.id} plant different item sub-types; set 'subtypes' in the preset's defaults`);
  const named = first.subtypes ?? {};
  const total = Object.values(named).reduce((a, b) => a + b, 0);
  if (total > 1 + 1e-9) throw new Error(`plantedTruth: sub-type shares sum to ${total} > 1`);
  const out: Record<string, number> = { ...named };
  if (1 - total > 1e-12) out[ROUTINE] = (out[ROUTINE] ?? 0) + (1 - total);
  return out;
}

/** P(both attempts succeed) for success probabilities p, q with latent correlation r. */
function jointSuccess(p: number, q: number, r: number): number {
  return bivariateNormalCdf(normalQuantile(p, 0, 1), normalQuantile(q, 0, 1), r);
}

/**
 * Success probability of `j` answering after `i` on an item of `subtype` (task `task`): i's
 * standalone attempt, then j copies a right answer (copy), fixes a wrong one (fix), copies a
 * wrong one (copy) or else answers on its own with its boosted probability.
 */
export function pairProbability(i: SimulatedSpec, j: SimulatedSpec, task: TaskName, subtype: string = ROUTINE): number {
  const p = standaloneProbability(i, task, undefined, subtype);
  const q = ownProbabilityOn(j, task, subtype, i.id);
  const both = jointSuccess(p, q, Math.sqrt(i.itemCorrelation * j.itemCorrelation));
  const { copy, fix } = j.chain;
  return copy * p + (1 - copy) * both + fix * (1 - p) + Math.max(0, 1 - fix - copy) * (q - both);
}

/** Every chain of length 1 or 2 on a sub-type with its success probability. */
function chainsOn(specs: readonly SimulatedSpec[], task: TaskName, subtype: string): PlantedChain[] {
  const out: PlantedChain[] = specs.map((s) => ({ chain: [s.id], p: standaloneProbability(s, task, undefined, subtype) }));
  for (const i of specs) for (const j of specs) if (i !== j) out.push({ chain: [i.id, j.id], p: pairProbability(i, j, task, subtype) });
  return out;
}

/** The ideal (argmax) choice per sub-type among `chains`, and its accuracy. */
function idealOf(table: readonly { subtype: string; share: number; chains: PlantedChain[] }[], without?: string): { acc: number; choices: IdealChoice[] } {
  let acc = 0;
  const choices: IdealChoice[] = [];
  for (const { subtype, share, chains: all } of table) {
    const chains = without === undefined ? all : all.filter((c) => !c.chain.includes(without));
    if (chains.length === 0) continue;
    const top = Math.max(...chains.map((c) => c.p));
    const best = chains.filter((c) => c.p >= top - TIE).map((c) => ({ chain: c.chain, p: tidy(c.p) }));
    const others = chains.filter((c) => c.p < top - TIE).map((c) => c.p);
    choices.push({ subtype, share: tidy(share), best, margin: tidy(others.length ? top - Math.max(...others) : 0) });
    acc += share * top;
  }
  return { acc, choices };
}

/**
 * Temperature of the soft ideal policy (a Boltzmann choice over chains by success probability):
 * chains within a few points of the best share the routing mass, clearly worse ones get little.
 * Centralization and confidence are read from it, since the argmax policy puts all mass on one
 * chain in any consortium.
 */
export const SOFT_POLICY_TEMPERATURE = 0.02;

function rankBy(ids: readonly string[], score: Record<string, number>): string[] {
  return [...ids].map((id, k) => ({ id, k })).sort((a, b) => score[b.id] - score[a.id] || a.k - b.k).map((x) => x.id);
}

/** The per-task truth: solo/pair probabilities, ideal policy, usage, Gini, confidence, necessity. */
export function taskTruth(specs: readonly SimulatedSpec[], task: TaskName): TaskTruth {
  const shares = subtypeShares(specs);
  const ids = specs.map((s) => s.id);
  const table = Object.entries(shares).map(([subtype, share]) => ({ subtype, share, chains: chainsOn(specs, task, subtype) }));
  const solo: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  const pair: Record<string, number> = {};
  for (const { share, chains } of table) {
    for (const c of chains) {
      if (c.chain.length === 1) solo[c.chain[0]] += share * c.p;
      else pair[c.chain.join('>')] = (pair[c.chain.join('>')] ?? 0) + share * c.p;
    }
  }
  for (const k of Object.keys(solo)) solo[k] = tidy(solo[k]);
  for (const k of Object.keys(pair)) pair[k] = tidy(pair[k]);
  const bestSoloId = rankBy(ids, solo)[0];
  const pairKeys = Object.keys(pair);
  const bestPairKey = pairKeys.reduce((a, b) => (pair[b] > pair[a] + TIE ? b : a), pairKeys[0] ?? '');
  const { acc, choices } = idealOf(table);
  // usage and calls of the soft ideal policy
  const usage: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  let calls = 0;
  let confidence = 0;
  for (const { share, chains } of table) {
    const top = Math.max(...chains.map((c) => c.p));
    const w = chains.map((c) => Math.exp((c.p - top) / SOFT_POLICY_TEMPERATURE));
    const z = w.reduce((a, b) => a + b, 0);
    let h = 0;
    chains.forEach((c, k) => {
      const pk = w[k] / z;
      calls += share * pk * c.chain.length;
      for (const id of c.chain) usage[id] += share * pk;
      if (pk > 0) h -= pk * Math.log(pk);
    });
    confidence += share * (chains.length > 1 ? 1 - h / Math.log(chains.length) : 1);
  }
  for (const id of ids) usage[id] = tidy(usage[id] / calls);
  const necessity: Record<string, number> = {};
  for (const id of ids) necessity[id] = tidy(Math.max(0, acc - idealOf(table, id).acc));
  return {
    solo,
    pair,
    bestSolo: { chain: [bestSoloId], p: solo[bestSoloId] },
    bestPair: bestPairKey ? { chain: bestPairKey.split('>'), p: pair[bestPairKey] } : { chain: [], p: 0 },
    ideal: choices,
    idealAccuracy: tidy(acc),
    idealCalls: tidy(calls),
    usage,
    gini: tidy(ids.length > 1 ? Math.max(0, gini(ids.map((id) => usage[id]))) : 0),
    confidence: tidy(confidence),
    necessity,
    frequencyRank: rankBy(ids, usage),
    necessityRank: rankBy(ids, necessity),
  };
}

function findings(t: TaskTruth): ExpectedFindings {
  const hub = t.frequencyRank[0];
  const top = t.necessityRank[0];
  const critical = t.necessity[top] >= MATERIAL_NECESSITY ? top : null;
  const divergence = critical !== null && critical !== hub;
  const summary =
    critical === null
      ? 'no expert is necessary (each can be replaced): no divergence expected between frequency and intrinsic importance'
      : divergence
        ? `${hub} is the most used (usage ${t.usage[hub].toFixed(2)}) but ${critical} is the most necessary (necessity ${t.necessity[critical].toFixed(3)} vs ${t.necessity[hub].toFixed(3)}): divergence expected`
        : `${hub} is both the most used and the most necessary: no divergence expected`;
  return { hub, critical, divergence, summary };
}

/** The planted structure of a list of simulated expert specs. */
export function plantedTruth(specs: readonly SimulatedSpec[]): PlantedTruth {
  if (specs.length === 0) throw new Error('plantedTruth: no simulated experts');
  const shares = subtypeShares(specs);
  const avg = (s: SimulatedSpec, task: TaskName) => tidy(Object.entries(shares).reduce((a, [st, w]) => a + w * standaloneProbability(s, task, undefined, st), 0));
  const experts: PlantedExpert[] = specs.map((s) => ({
    id: s.id,
    model: s.model,
    family: s.family,
    temperature: s.temperature,
    pCorrect: { gsm8k: avg(s, 'gsm8k'), mmlu: avg(s, 'mmlu'), humaneval: avg(s, 'humaneval') },
    ...(s.skill.mmluSubjects
      ? { mmluSubjects: Object.fromEntries(Object.keys(s.skill.mmluSubjects).map((k) => [k, tidy(standaloneProbability(s, 'mmlu', k))])) }
      : {}),
  }));
  const dependencies: PlantedDependency[] = specs.flatMap((s) =>
    dependenciesOf(s).flatMap((d) => d.on.map((on) => ({ expert: s.id, on, boost: d.boost, ...(d.subtypes ? { subtypes: d.subtypes } : {}) }))),
  );
  const counts = new Map<string, number>();
  for (const d of dependencies) counts.set(d.on, (counts.get(d.on) ?? 0) + 1);
  const hubs = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const bestPerDomain = {} as PlantedTruth['bestPerDomain'];
  for (const dom of DOMAINS) {
    const ranked = [...experts].sort((a, b) => b.pCorrect[dom] - a.pCorrect[dom]);
    const runnerUp = ranked[1]?.pCorrect[dom] ?? 0;
    bestPerDomain[dom] = { expert: ranked[0].id, p: ranked[0].pCorrect[dom], margin: tidy(ranked[0].pCorrect[dom] - runnerUp) };
  }
  const medians = Object.fromEntries(DOMAINS.map((d) => [d, median(experts.map((e) => e.pCorrect[d]))])) as Record<TaskName, number>;
  const specialists: PlantedTruth['specialists'] = [];
  for (const dom of DOMAINS) {
    const best = bestPerDomain[dom];
    if (best.margin < 0.15) continue;
    const e = experts.find((x) => x.id === best.expert)!;
    if (DOMAINS.filter((d) => d !== dom).every((d) => e.pCorrect[d] < medians[d])) specialists.push({ expert: e.id, domain: dom });
  }
  const perTask = Object.fromEntries(DOMAINS.map((t) => [t, taskTruth(specs, t)])) as Record<TaskName, TaskTruth>;
  const expected = Object.fromEntries(DOMAINS.map((t) => [t, findings(perTask[t])])) as Record<TaskName, ExpectedFindings>;
  return {
    experts,
    dependencies,
    hubs,
    revealers: specs.filter((s) => s.reveals).map((s) => s.id),
    subtypes: Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, tidy(v)])),
    bestPerDomain,
    specialists,
    perTask,
    expected,
  };
}

/** The expected difference between two consortia's ideal policies, per task (b minus a). */
export interface TruthComparison {
  task: TaskName;
  giniA: number;
  giniB: number;
  /** centralization difference, b - a */
  giniDiff: number;
  confidenceA: number;
  confidenceB: number;
  /** routing-confidence difference, b - a */
  confidenceDiff: number;
}

/** Centralization and confidence of two truths side by side (e.g. homogeneous vs heterogeneous). */
export function compareTruths(a: PlantedTruth, b: PlantedTruth): TruthComparison[] {
  return DOMAINS.map((task) => {
    const A = a.perTask[task];
    const B = b.perTask[task];
    return { task, giniA: A.gini, giniB: B.gini, giniDiff: tidy(B.gini - A.gini), confidenceA: A.confidence, confidenceB: B.confidence, confidenceDiff: tidy(B.confidence - A.confidence) };
  });
}
