/**
 * The leak check of issue 9: does a simulated response give its correctness away in its text?
 * Every expert answers every item alone; two L2-regularised logistic probes are trained on the
 * responses to train/validation items and scored (ROC AUC) on the responses to held-out test
 * items:
 *   - the feature probe sees only what shows in real model outputs too: the answer itself
 *     (whether one can be read) and agreement (share of the other experts giving the same
 *     answer, whether it is the plurality answer), plus who answered and which task;
 *   - the encoding probe sees only the hashing encoding of the response text.
 * In the zero-leak condition the encoding AUC should not exceed the feature AUC by more than one
 * standard error; in the leaky condition (cues > 0) it does.
 *
 *   npx tsx src/experts/simulated/leak-check.ts [preset] [cues]   prints both AUCs
 */
import { hashingEncoder } from '../../encoders/hashing';
import type { Encoder } from '../../encoders/types';
import { rocAuc } from '../../stats/auc';
import { fitLogistic, predictLogistic } from '../../stats/logistic';
import type { SplitName } from '../../tasks/split-ids';
import type { TaskItem } from '../../tasks/types';
import { standalonePrompt } from '../chain';
import { createSimulatedExpert } from './expert';
import { answerIsRight, readAnswer, type PreviousAnswer } from './read-previous';
import type { SimulatedSpec } from './spec';
import { normaliseCode } from '../../tasks/answer-vote';

export interface LeakCheckOptions {
  specs: readonly SimulatedSpec[];
  items: readonly TaskItem[];
  /** item id -> split; responses to 'test' items are held out */
  splitOf: Record<string, SplitName>;
  /** default: the project's hashing encoder (768 dimensions) */
  encoder?: Encoder;
  /** L2 penalty of both probes (default 1e-2) */
  l2?: number;
}

export interface LeakCheckResult {
  featureAuc: number;
  encodingAuc: number;
  /** Hanley-McNeil standard error of the feature AUC on the held-out responses */
  featureAucSe: number;
  encodingMinusFeature: number;
  nTrain: number;
  nTest: number;
  /** share of held-out responses that are correct */
  testPositiveRate: number;
}

/** Hanley & McNeil (1982) standard error of an AUC with n1 positives and n0 negatives. */
export function aucStandardError(auc: number, n1: number, n0: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  return Math.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)) / (n1 * n0));
}

function answerKey(a: PreviousAnswer | null): string | null {
  if (a === null) return null;
  return a.task === 'humaneval' ? normaliseCode(a.value) : a.task === 'gsm8k' ? String(Number(a.value)) : a.value;
}

const TASKS = ['gsm8k', 'mmlu', 'humaneval'] as const;

/**
 * Runs the check. The label is whether the response's answer is right (answerIsRight: the
 * graders' parsers, and for code the canonical solution up to cosmetics, which the simulated
 * experts' code passes or fails exactly as the sandbox does; see the simulated tests).
 */
export async function leakCheck(opts: LeakCheckOptions): Promise<LeakCheckResult> {
  const experts = opts.specs.map(createSimulatedExpert);
  const encoder = opts.encoder ?? hashingEncoder();
  const rows: { test: boolean; enc: Float32Array; feat: number[]; y: number }[] = [];
  for (const item of opts.items) {
    const split = opts.splitOf[item.id];
    if (split === undefined) throw new Error(`leakCheck: item ${item.id} has no split`);
    const texts = await Promise.all(experts.map(async (e) => (await e.generate(standalonePrompt(item), { item })).text));
    const answers = texts.map((t) => readAnswer(item, t));
    const keys = answers.map(answerKey);
    const counts = new Map<string, number>();
    for (const k of keys) if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
    const top = Math.max(0, ...counts.values());
    const vecs = await encoder.encode(texts);
    keys.forEach((k, j) => {
      const agree = k === null ? 0 : (counts.get(k)! - 1) / Math.max(1, experts.length - 1);
      const feat = [agree, k !== null && counts.get(k) === top ? 1 : 0, k === null ? 0 : 1, ...experts.map((_, m) => (m === j ? 1 : 0)), ...TASKS.map((t) => (t === item.task ? 1 : 0))];
      rows.push({ test: split === 'test', enc: vecs[j], feat, y: answers[j] !== null && answerIsRight(item, answers[j]!) ? 1 : 0 });
    });
  }
  const train = rows.filter((r) => !r.test);
  const test = rows.filter((r) => r.test);
  if (train.length === 0 || test.length === 0) throw new Error(`leakCheck: needs responses to train and test items (got ${train.length} and ${test.length})`);
  const l2 = opts.l2 ?? 1e-2;
  const probe = (get: (r: (typeof rows)[number]) => ArrayLike<number>) => {
    const m = fitLogistic(train.map(get), train.map((r) => r.y), { l2, maxIterations: 2000, tolerance: 1e-4 });
    return rocAuc(predictLogistic(m, test.map(get)), test.map((r) => r.y));
  };
  const featureAuc = probe((r) => r.feat);
  const encodingAuc = probe((r) => r.enc);
  const n1 = test.reduce((a, r) => a + r.y, 0);
  return {
    featureAuc,
    encodingAuc,
    featureAucSe: aucStandardError(featureAuc, n1, test.length - n1),
    encodingMinusFeature: encodingAuc - featureAuc,
    nTrain: train.length,
    nTest: test.length,
    testPositiveRate: n1 / test.length,
  };
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CLI only: keep the module's load-time imports small
  const { simulatedPresetSpecs } = require('./presets') as typeof import('./presets');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadTaskItems } = require('../../tasks/task-source') as typeof import('../../tasks/task-source');
  const preset = (process.argv[2] ?? 'planted-hub') as Parameters<typeof simulatedPresetSpecs>[0];
  const cues = Number(process.argv[3] ?? 0);
  const sel = loadTaskItems({ source: 'bundled' });
  const specs = simulatedPresetSpecs(preset).map((s) => ({ ...s, cues }));
  void leakCheck({ specs, items: sel.items, splitOf: sel.splitOf }).then((r) => {
    console.log(`simulated ${preset}, cues ${cues}, ${sel.dataSource}: ${r.nTrain} train / ${r.nTest} held-out responses (${(100 * r.testPositiveRate).toFixed(1)}% correct)`);
    console.log(`feature AUC ${r.featureAuc.toFixed(3)} (SE ${r.featureAucSe.toFixed(3)}), encoding AUC ${r.encodingAuc.toFixed(3)}, difference ${r.encodingMinusFeature.toFixed(3)}`);
  });
}
