/**
 * Measured headroom for routing on a simulated consortium: graded accuracy (real graders) of the
 * best single expert, of the best expert per task, and of "some expert is right", over a set of
 * items answered standalone; with the computed ideal accuracy over chains of length <= 2 beside
 * it. Feeds the table in docs/experts.md.
 *
 *   npx tsx src/experts/simulated/headroom.ts [preset ...]
 */
import { gradeResponse } from '../../tasks/grade-response';
import type { TaskItem, TaskName } from '../../tasks/types';
import { standalonePrompt } from '../chain';
import { createSimulatedExpert } from './expert';
import type { SimulatedSpec } from './spec';
import { plantedTruth } from './truth';

export interface Headroom {
  items: number;
  bestSingle: { expert: string; accuracy: number };
  /** best expert chosen per task (on the same items) */
  bestPerTask: number;
  /** share of items some expert answers right alone */
  someExpertRight: number;
  /** the planted ideal accuracy over chains of length <= 2, weighted by the items' tasks */
  idealChains: number;
}

export async function measureHeadroom(specs: readonly SimulatedSpec[], items: readonly TaskItem[]): Promise<Headroom> {
  const experts = specs.map(createSimulatedExpert);
  const right: boolean[][] = [];
  for (const item of items) {
    const row: boolean[] = [];
    for (const e of experts) row.push(await gradeResponse(item, (await e.generate(standalonePrompt(item), { item })).text));
    right.push(row);
  }
  const acc = (rows: boolean[][], k: number) => rows.filter((r) => r[k]).length / rows.length;
  const ids = specs.map((s) => s.id);
  const best = ids.map((id, k) => ({ expert: id, accuracy: acc(right, k) })).reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const tasks = [...new Set(items.map((i) => i.task))] as TaskName[];
  let perTask = 0;
  const truth = plantedTruth(specs);
  let ideal = 0;
  for (const t of tasks) {
    const rows = right.filter((_, n) => items[n].task === t);
    perTask += rows.length * Math.max(...ids.map((_, k) => acc(rows, k)));
    ideal += rows.length * truth.perTask[t].idealAccuracy;
  }
  return {
    items: items.length,
    bestSingle: best,
    bestPerTask: perTask / items.length,
    someExpertRight: right.filter((r) => r.some(Boolean)).length / items.length,
    idealChains: ideal / items.length,
  };
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CLI only
  const { simulatedPresetSpecs } = require('./presets') as typeof import('./presets');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadTaskItems } = require('../../tasks/task-source') as typeof import('../../tasks/task-source');
  const presets = process.argv.slice(2).length ? process.argv.slice(2) : ['homogeneous', 'heterogeneous', 'planted-hub', 'hub-critical', 'null'];
  const sel = loadTaskItems({ source: 'bundled' });
  void (async () => {
    console.log(`simulated, seed 0, ${sel.dataSource}, every item (all splits), answered alone, graded`);
    console.log('| preset | best single | best per task | some expert right | ideal chains (truth) |\n|---|---|---|---|---|');
    for (const p of presets) {
      const h = await measureHeadroom(simulatedPresetSpecs(p as Parameters<typeof simulatedPresetSpecs>[0]), sel.items);
      console.log(`| ${p} | ${h.bestSingle.accuracy.toFixed(3)} (${h.bestSingle.expert}) | ${h.bestPerTask.toFixed(3)} | ${h.someExpertRight.toFixed(3)} | ${h.idealChains.toFixed(3)} |`);
    }
  })();
}
