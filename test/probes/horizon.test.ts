/**
 * The probe pass reads the chains inference takes: with `maxSteps` (a recipe's horizon) every
 * probed chain stops there, and the stored tables remember the horizon they were computed for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../../src/orchestrator/backend';
import { disposeModel } from '../../src/orchestrator/model';
import { recipeDataset, recipeTrainOptions, trainingRecipe } from '../../src/orchestrator/recipes';
import { trainOrchestrator } from '../../src/orchestrator/train';
import { runProbes } from '../../src/probes/run-probes';
import { hiddenBitDataset } from '../orchestrator/hidden-bit';
import { madeTempDir } from '../temp-dirs';

test('runProbes with maxSteps probes chains of at most that length, and recomputes when the horizon changes', async () => {
  await ensureBackend();
  const recipe = trainingRecipe('content');
  const dataset = recipeDataset(recipe, hiddenBitDataset(80, 2));
  const runDir = path.join(madeTempDir(path.join(os.tmpdir(), 'probe-horizon-')), 'run');
  const r = await trainOrchestrator({ dataset, runDir, ...recipeTrainOptions(recipe, { model: { hidden: 16, heads: 2 }, train: { epochs: 1, seed: 0 } }), progressBar: false });
  disposeModel(r.model);
  const longest = (res: Awaited<ReturnType<typeof runProbes>>) => Math.max(...res.epochs[0].structure!.read.chains.map((c) => c.length));
  const capped = await runProbes({ runDir, dataset, epochs: [1], probes: ['structure'], maxSteps: recipe.infer.maxSteps });
  assert.ok(longest(capped) <= 2, `longest probed chain ${longest(capped)}`);
  assert.deepEqual(capped.epochs[0].computed, ['structure']);
  const again = await runProbes({ runDir, dataset, epochs: [1], probes: ['structure'], maxSteps: 2 });
  assert.deepEqual(again.epochs[0].reused, ['structure'], 'same horizon: the stored table is reused');
  const open = await runProbes({ runDir, dataset, epochs: [1], probes: ['structure'] });
  assert.deepEqual(open.epochs[0].computed, ['structure'], 'another horizon: computed again');
  assert.ok(longest(open) > 2, `without a horizon the untrained stop lets chains run on (longest ${longest(open)})`);
});
