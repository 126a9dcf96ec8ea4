/**
 * Figures 9, 10, 11 as grouped bars at the last epoch, mean over seeds with sd error bars:
 * accuracy under routing ablations (9), Gini of expert usage per orchestration signal (10),
 * learned vs static collaboration graph (11a) and learned vs static sequence (11b).
 */
import type { AblationName } from '../probes/ablations';
import type { Figure } from '../plots/figure';
import { groupedBar } from '../plots/grouped-bar';
import { ablationStat } from './paper-findings-06';
import type { PaperRun } from './paper-runs';

const TASK_LABEL: Record<string, string> = { gsm8k: 'GSM8K', mmlu: 'MMLU', humaneval: 'HumanEval' };
const ACCURACY = 'accuracy (share of held-out items solved)';

function bars(runs: readonly PaperRun[], preset: string, tasks: readonly string[], ablations: readonly AblationName[], measure: 'accuracy' | 'giniUsage', byTask: boolean) {
  const stat = (task: string, a: AblationName) => ablationStat(runs, preset, task, a, measure);
  return byTask
    ? ablations.map((a) => ({ name: a, values: tasks.map((t) => stat(t, a).mean), errors: tasks.map((t) => stat(t, a).sd) }))
    : tasks.map((t) => ({ name: TASK_LABEL[t] ?? t, values: ablations.map((a) => stat(t, a).mean), errors: ablations.map((a) => stat(t, a).sd) }));
}

/** Figure 9: accuracy of the full model, relational-only, intrinsic-only and the uniform baseline. */
export function figure9(runs: readonly PaperRun[], preset: string, tasks: readonly string[]): Figure {
  const ablations: AblationName[] = ['full', 'relational-only', 'intrinsic-only', 'uniform'];
  return groupedBar({
    name: `figure-9-ablation-accuracy-${preset}`,
    title: `Figure 9: accuracy under routing ablations (simulated ${preset}; last epoch, mean ± sd over seeds)`,
    categories: ablations,
    groups: bars(runs, preset, tasks, ablations, 'accuracy', false),
    xTitle: 'orchestration variant',
    yTitle: ACCURACY,
    yRange: [0, 1],
  });
}

/** Figure 10: Gini of expert usage per orchestration signal. */
export function figure10(runs: readonly PaperRun[], preset: string, tasks: readonly string[]): Figure {
  const ablations: AblationName[] = ['full', 'relational-only', 'intrinsic-only'];
  return groupedBar({
    name: `figure-10-ablation-gini-${preset}`,
    title: `Figure 10: routing centralization per orchestration signal (simulated ${preset}; last epoch, mean ± sd over seeds)`,
    categories: ablations,
    groups: bars(runs, preset, tasks, ablations, 'giniUsage', false),
    xTitle: 'orchestration variant',
    yTitle: 'Gini of expert usage in the chains run',
    yRange: [0, 1],
  });
}

/** Figure 11a (static uniform C) or 11b (static sequence E1 -> E2 -> E3) against the learned model, per task. */
export function figure11(runs: readonly PaperRun[], preset: string, tasks: readonly string[], part: 'a' | 'b'): Figure {
  const ablation: AblationName = part === 'a' ? 'static-uniform-C' : 'static-sequence';
  const groups = bars(runs, preset, tasks, ['full', ablation], 'accuracy', true).map((g) => ({ ...g, name: g.name === 'full' ? (part === 'a' ? 'learned C(x)' : 'learned sequence') : part === 'a' ? 'static uniform C' : 'static sequence 1 -> 2 -> 3' }));
  return groupedBar({
    name: `figure-11${part}-${part === 'a' ? 'static-collaboration' : 'static-sequence'}-${preset}`,
    title: `Figure 11${part}: learned vs ${part === 'a' ? 'static collaboration graph' : 'static sequence'} (simulated ${preset}; mean ± sd over seeds)`,
    categories: tasks.map((t) => TASK_LABEL[t] ?? t),
    groups,
    xTitle: 'task',
    yTitle: ACCURACY,
    yRange: [0, 1],
  });
}
