/**
 * The planted ground truth of a simulated consortium, as data: per-expert standalone success
 * probabilities per domain, who depends on whom (hubs), and the specialist of each domain. The
 * notebooks compare what the INFORM probes recover against this.
 */
import type { TaskName } from '../../tasks/types';
import { standaloneProbability } from './competence';
import type { SimulatedSpec } from './spec';

export interface PlantedExpert {
  id: string;
  model: string;
  family: SimulatedSpec['family'];
  temperature: number;
  /** standalone probability of a correct answer, per domain, after the temperature penalty */
  pCorrect: Record<TaskName, number>;
  mmluSubjects?: Record<string, number>;
}

export interface PlantedDependency {
  /** the dependent expert */
  expert: string;
  /** the hub it depends on */
  on: string;
  /** rise of the dependent's success probability when `on` answered just before it */
  boost: number;
}

export interface PlantedTruth {
  experts: PlantedExpert[];
  dependencies: PlantedDependency[];
  /** experts that at least one other expert depends on, most dependents first */
  hubs: string[];
  /** per domain: the best standalone expert and its margin over the runner-up */
  bestPerDomain: Record<TaskName, { expert: string; p: number; margin: number }>;
  /**
   * experts that are the best on exactly one domain by a margin of at least 0.15, and below the
   * consortium's median on every other domain
   */
  specialists: { expert: string; domain: TaskName }[];
}

const DOMAINS: TaskName[] = ['gsm8k', 'mmlu', 'humaneval'];

/** Rounds away floating-point noise (0.8099999999 -> 0.81) for display and comparison. */
const tidy = (x: number) => Math.round(x * 1e9) / 1e9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The planted structure of a list of simulated expert specs. */
export function plantedTruth(specs: readonly SimulatedSpec[]): PlantedTruth {
  if (specs.length === 0) throw new Error('plantedTruth: no simulated experts');
  const experts: PlantedExpert[] = specs.map((s) => ({
    id: s.id,
    model: s.model,
    family: s.family,
    temperature: s.temperature,
    pCorrect: { gsm8k: tidy(standaloneProbability(s, 'gsm8k')), mmlu: tidy(standaloneProbability(s, 'mmlu')), humaneval: tidy(standaloneProbability(s, 'humaneval')) },
    ...(s.skill.mmluSubjects
      ? { mmluSubjects: Object.fromEntries(Object.keys(s.skill.mmluSubjects).map((k) => [k, tidy(standaloneProbability(s, 'mmlu', k))])) }
      : {}),
  }));
  const dependencies = specs.filter((s) => s.dependsOn).map((s) => ({ expert: s.id, on: s.dependsOn!.on, boost: s.dependsOn!.boost }));
  const counts = new Map<string, number>();
  for (const d of dependencies) counts.set(d.on, (counts.get(d.on) ?? 0) + 1);
  const hubs = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const bestPerDomain = {} as PlantedTruth['bestPerDomain'];
  for (const dom of DOMAINS) {
    const ranked = [...experts].sort((a, b) => b.pCorrect[dom] - a.pCorrect[dom]);
    const runnerUp = ranked[1]?.pCorrect[dom] ?? 0;
    bestPerDomain[dom] = { expert: ranked[0].id, p: ranked[0].pCorrect[dom], margin: ranked[0].pCorrect[dom] - runnerUp };
  }
  const medians = Object.fromEntries(DOMAINS.map((d) => [d, median(experts.map((e) => e.pCorrect[d]))])) as Record<TaskName, number>;
  const specialists: PlantedTruth['specialists'] = [];
  for (const dom of DOMAINS) {
    const best = bestPerDomain[dom];
    if (best.margin < 0.15) continue;
    const e = experts.find((x) => x.id === best.expert)!;
    if (DOMAINS.filter((d) => d !== dom).every((d) => e.pCorrect[d] < medians[d])) specialists.push({ expert: e.id, domain: dom });
  }
  return { experts, dependencies, hubs, bestPerDomain, specialists };
}
