/**
 * How often the real graders agree with a simulated expert's planted decision: a planted-correct
 * answer that fails, or a planted-wrong one that passes (for HumanEval, a mutation the tests do not
 * reach). Feeds the numbers in docs/experts.md.
 *
 *   npx tsx src/experts/simulated/grade-agreement.ts [task=humaneval] [seeds=12]
 */
import { gradeResponse } from '../../tasks/grade-response';
import type { TaskItem } from '../../tasks/types';
import { simulateResponse } from './expert';
import type { SimulatedSpec } from './spec';

export interface GradeAgreement {
  right: number;
  rightButFailed: number;
  wrong: number;
  wrongButPassed: number;
  /** item id and mutation of each planted-wrong answer that passed */
  passedWrong: { itemId: string; mutation?: string }[];
}

export async function gradeAgreement(spec: SimulatedSpec, items: readonly TaskItem[], seeds: number, concurrency = 8): Promise<GradeAgreement> {
  const out: GradeAgreement = { right: 0, rightButFailed: 0, wrong: 0, wrongButPassed: 0, passedWrong: [] };
  const jobs: { item: TaskItem; seed: number }[] = [];
  for (let seed = 0; seed < seeds; seed++) for (const item of items) jobs.push({ item, seed });
  for (let k = 0; k < jobs.length; k += concurrency) {
    await Promise.all(
      jobs.slice(k, k + concurrency).map(async ({ item, seed }) => {
        const r = simulateResponse(spec, item, { seed, position: 0 });
        const ok = await gradeResponse(item, r.text);
        if (r.decision.correct) {
          out.right++;
          if (!ok) out.rightButFailed++;
        } else {
          out.wrong++;
          if (ok) {
            out.wrongButPassed++;
            out.passedWrong.push({ itemId: item.id, ...(r.mutation ? { mutation: r.mutation } : {}) });
          }
        }
      }),
    );
  }
  return out;
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CLI only
  const { simulatedPresetSpecs } = require('./presets') as typeof import('./presets');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadBundledSync } = require('../../tasks/load-split') as typeof import('../../tasks/load-split');
  const task = (process.argv[2] ?? 'humaneval') as 'gsm8k' | 'mmlu' | 'humaneval';
  const seeds = Number(process.argv[3] ?? 12);
  const base = simulatedPresetSpecs('null')[0];
  const spec: SimulatedSpec = { ...base, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 }, temperature: 0.5 };
  void gradeAgreement(spec, loadBundledSync(task), seeds).then((r) => {
    console.log(`simulated (null-preset expert at skill 0.5, T 0.5, zero-leak), bundled ${task}, ${seeds} seeds, real graders:`);
    console.log(`${r.rightButFailed} of ${r.right} planted-correct answers failed; ${r.wrongButPassed} of ${r.wrong} planted-wrong answers passed ${JSON.stringify(r.passedWrong)}`);
  });
}
