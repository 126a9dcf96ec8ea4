/**
 * The default plan the paper notebooks share: which simulated presets, tasks, seeds, epochs and
 * sizes are run, and where each run lives. One place, so `01-collaboration-evolution` trains and
 * the other notebooks reuse exactly those checkpoints and probe tables (runs/paper/...).
 *
 * The sizes are chosen so that the nine notebooks finish cold in under 15 minutes on 2 CPU cores
 * (measured; docs/notebooks.md "Paper notebooks"). That is why the routing dimension d is 64 here
 * and not the paper's 256 (Appendix C); a notebook's configuration cell can raise every size.
 */
import * as path from 'node:path';
import type { PairSelection } from '../experts/generate';
import type { DataSourceChoice } from '../tasks/task-source';
import type { TaskName } from '../tasks/types';

/** One training run: a consortium on one task with one training seed. */
export interface PaperRunSpec {
  /** a simulated preset name (homogeneous, heterogeneous, planted-hub, hub-critical, null) or a consortium config path */
  preset: string;
  task: TaskName;
  /** seed of the orchestrator's initialisation, shuffling, dropout and Gumbel noise */
  seed: number;
  /** training epochs (a checkpoint per epoch; epoch 0 is the untrained model) */
  epochs: number;
  /** items of the task (75% train, 25% test, a seeded subset; see loadTaskItems) */
  limitPerTask: number;
  /** ordered pairs "j after i" generated per item: the chain utility is learned from them */
  pairs: PairSelection;
  /** routing dimension d (paper: 256) */
  hidden: number;
  /** official data where ../shared/datasets has it, else bundled (default 'auto') */
  source?: DataSourceChoice;
  /** seed of the item subset (default 0: every seed of a preset/task trains on the same items) */
  dataSeed?: number;
}

/** The plan: the product of its lists, each run with the same sizes. */
export interface PaperPlan {
  presets: string[];
  tasks: TaskName[];
  seeds: number[];
  epochs: number;
  limitPerTask: number;
  pairs: PairSelection;
  hidden: number;
  source?: DataSourceChoice;
}

/**
 * The default plans. `core`: hub-critical (a replaceable hub beside a rarely used, irreplaceable
 * expert: the paper's divergence) and null (exchangeable experts: the negative control) on GSM8K
 * and MMLU with three orchestrator seeds; notebooks 01-03, 05, 06 read these. `centralization`:
 * the homogeneous and heterogeneous consortia of Tables 6/7 for Figures 6 and 7 (notebook 04).
 * HumanEval answers run in the Python sandbox, which the 15-minute budget cannot afford for every
 * preset and seed; a notebook adds it by editing its configuration cell.
 */
const SIZES = { epochs: 5, limitPerTask: 80, pairs: { sample: 12 } as PairSelection, hidden: 64 };
export const PAPER_PLANS: Readonly<Record<'core' | 'centralization', Readonly<PaperPlan>>> = Object.freeze({
  core: Object.freeze({ presets: ['hub-critical', 'null'], tasks: ['gsm8k', 'mmlu'] as TaskName[], seeds: [0, 1, 2], ...SIZES }),
  centralization: Object.freeze({ presets: ['homogeneous', 'heterogeneous'], tasks: ['gsm8k', 'mmlu'] as TaskName[], seeds: [0], ...SIZES }),
});

/** The core plan (most notebooks read it). */
export const PAPER_PLAN: Readonly<PaperPlan> = PAPER_PLANS.core;

/** Every run of a plan, preset by preset, task by task, seed by seed. */
export function paperRunSpecs(plan: Partial<PaperPlan> = {}): PaperRunSpec[] {
  const p: PaperPlan = { ...PAPER_PLAN, ...plan };
  return p.presets.flatMap((preset) =>
    p.tasks.flatMap((task) =>
      p.seeds.map((seed) => ({ preset, task, seed, epochs: p.epochs, limitPerTask: p.limitPerTask, pairs: p.pairs, hidden: p.hidden, ...(p.source ? { source: p.source } : {}) })),
    ),
  );
}

/** The root folder of the paper runs (runs/paper under the working directory, the checkout root in a notebook). */
export function paperRunsRoot(): string {
  return path.resolve(process.env.INFORM_PAPER_RUNS ?? path.join('runs', 'paper'));
}

/** A short name for a preset or config path (its file name without the extension). */
function presetLabel(preset: string): string {
  return path.basename(preset).replace(/\.(ya?ml|json)$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/** runs/paper/<preset>-<task>-s<seed>/ */
export function paperRunDir(spec: Pick<PaperRunSpec, 'preset' | 'task' | 'seed'>, root = paperRunsRoot()): string {
  return path.join(root, `${presetLabel(spec.preset)}-${spec.task}-s${spec.seed}`);
}
