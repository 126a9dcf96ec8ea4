/**
 * `inform train`: trains the orchestrator, checkpointing every epoch into <run>/checkpoints/ and
 * resuming from the newest checkpoint there when re-run. Heavy modules (tfjs, the consortium)
 * are required lazily so `inform train --help` stays instant.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { intFlag, onInterrupt, parseFlags, stringFlag, type Command } from '../command';
import type { BackendChoice } from '../../orchestrator/backend';
import { loadRoutingDataset, saveRoutingDataset, splitRoutingDataset, type RoutingDataset } from '../../orchestrator/dataset';
import { readRunRecipe, recipeDataset, recipeTrainOptions, RUN_RECIPE_FILE, trainingRecipe, writeRunRecipe, type TrainingRecipe } from '../../orchestrator/recipes';
import type { EpochReport } from '../../orchestrator/train';

const HELP = [
  'usage: inform train --run <dir> [--data <routing.jsonl> | --data synthetic | --transcripts <generate-run>]',
  '                    [--consortium <config|preset>] [--task gsm8k|mmlu|humaneval|all] [--split train|validation|test|all]',
  '                    [--limit N] [--test-fraction F] [--recipe paper|content] [--epochs N] [--seed N]',
  '                    [--hidden D] [--no-backbone] [--backend wasm|cpu|tensorflow] [--fresh]',
  '',
  'Trains the learned orchestrator (Section 2.1, Appendix C; Table 4 settings by default) and writes',
  '<run>/checkpoints/epoch-<n>/ after every epoch (epoch 0 is the untrained model). Re-running the',
  'same command resumes from the newest checkpoint; --fresh starts over in the same directory.',
  '',
  'Where the training data comes from (one of):',
  '  --data FILE          a routing dataset (JSON Lines, see docs/orchestrator.md)',
  '  --data synthetic     a small planted synthetic dataset (no consortium needed)',
  '  --transcripts DIR    a run directory filled by `inform generate`: its graded answers are',
  '                       encoded with the hashing encoder (768-d); with --consortium, --task,',
  '                       --split, --limit as given to `inform generate`',
  'The dataset actually used is saved as <run>/dataset.jsonl; by default the newest run reuses it.',
  'Without --data or --transcripts, a <run> that `inform generate` filled is its own transcript source.',
  '',
  '  --test-fraction F    held-out share when the data has no split (default 0.25)',
  '  --recipe R           training recipe (src/orchestrator/recipes.ts; default: the one the run',
  '                       records in <run>/recipe.json, else paper):',
  '                         paper    Table 4 weights, learned stop, chains up to N',
  '                         content  utility loss only, selection reads h_i, encodings centred per',
  '                                  item, lr 3e-3, 10 epochs, held-out chains of at most 2 steps.',
  '                                  One seed per run: its best-of-8 restarts on a validation',
  '                                  carve-out are scripts/honest-results.ts --recipe content',
  '                       --epochs, --seed, --hidden and --no-backbone override the recipe\'s values',
  '  --epochs N           training epochs (default 5)',
  '  --seed N             seed of initialisation, shuffling, dropout and Gumbel noise (default 0)',
  '  --hidden D           routing dimension d (default 256)',
  '  --no-backbone        no self-attention layer over [e_x; o_1..o_N]',
  '  --backend B          tfjs backend (default: tensorflow if installed, else wasm, else cpu)',
].join('\n');


/** Builds the routing dataset from a transcript run, the way `inform generate` selected its items. */
async function fromTranscripts(dir: string, flags: Record<string, string | true>): Promise<RoutingDataset> {
  const { loadConsortium, collectResponses } = (require('../../experts/index') as typeof import('../../experts/index'));
  const { hashingEncoder, cachedEncoder, EncodingCache } = (require('../../encoders/index') as typeof import('../../encoders/index'));
  const { buildRoutingDataset } = (require('../../orchestrator/from-consortium') as typeof import('../../orchestrator/from-consortium'));
  const { readRunManifest, loadSelectedItems, describeSelection, selectionOf } = (require('../../experts/run-manifest') as typeof import('../../experts/run-manifest'));
  // The run remembers how `inform generate` selected its items; flags given here override it.
  const manifest = readRunManifest(dir);
  const task = stringFlag(flags, 'task');
  const split = stringFlag(flags, 'split');
  const limit = intFlag(flags, 'limit', 1);
  const consortiumArg = stringFlag(flags, 'consortium');
  const all = <T,>(v: string | undefined, every: readonly T[], recorded: readonly T[] | undefined): readonly T[] => (v === undefined ? (recorded ?? every) : v === 'all' ? every : [v as T]);
  if (manifest) console.log(`transcripts of ${dir} as \`inform generate\` made them: ${describeSelection(manifest)}`);
  const items = await loadSelectedItems({
    ...(manifest ? selectionOf(manifest) : {}),
    tasks: all(task, ['gsm8k', 'mmlu', 'humaneval'] as const, manifest?.tasks),
    splits: all(split, ['train', 'validation', 'test'] as const, manifest?.splits),
    limit: limit ?? manifest?.limit ?? null,
  });
  const consortium = loadConsortium(consortiumArg ?? manifest?.consortium.source ?? 'planted-hub');
  try {
    let rows: ReturnType<typeof collectResponses>;
    try {
      rows = collectResponses(dir, consortium, items);
    } catch (e) {
      if ((e as Error).name !== 'MissingTranscriptError') throw e;
      const hint = manifest
        ? `the store lacks answers of the selection in ${path.join(dir, 'run.json')} (${describeSelection(manifest)}): an interrupted \`inform generate\`? Re-run it with the same flags to complete the store`
        : `${dir} has no run.json (it predates run manifests): give train the --consortium, --task, --split and --limit that \`inform generate\` used`;
      throw new Error(`${(e as Error).message}\n${hint}`);
    }
    const cache = EncodingCache.open(dir);
    try {
      const encoder = cachedEncoder(hashingEncoder(), cache);
      return await buildRoutingDataset({ rows, encoder, meta: { consortium: consortium.name, simulated: consortium.simulated, transcripts: dir } });
    } finally {
      cache.close();
    }
  } finally {
    await consortium.dispose();
  }
}

function line(e: EpochReport): string {
  const ev = e.eval;
  const loss = e.trainLoss ? `loss ${e.trainLoss.total.toFixed(4)}` : 'untrained';
  return `epoch ${e.epoch}/${e.epochs}: ${loss} | held-out acc ${ev.accuracy.toFixed(3)} (${ev.avgCalls.toFixed(2)} calls) | best single (train) ${ev.bestSingle.expertId} ${ev.bestSingle.accuracy.toFixed(3)} | no-content router ${ev.noContent.accuracy.toFixed(3)} | uniform ${ev.uniformRouter.toFixed(3)} | C entropy ${ev.collabEntropy.toFixed(3)} | k ${e.schedule.k} tau ${e.schedule.tau.toFixed(3)} | ${e.seconds.toFixed(1)}s`;
}

/** Held-out scores per task (the paper trains and reports per task), graded from the data. */
function perTaskLines(e: EpochReport): string[] {
  return Object.entries(e.eval.perTask).map(
    ([task, sc]) =>
      `  ${task} (${sc.nItems} held-out items): orchestrator ${sc.accuracy.toFixed(3)} (${sc.avgCalls.toFixed(2)} calls) | best single (train) ${sc.bestSingle.expertId} ${sc.bestSingle.accuracy.toFixed(3)} | no-content router ${sc.noContent.accuracy.toFixed(3)} | uniform ${sc.uniformRouter.toFixed(3)} | ceiling ${sc.anyCorrect.toFixed(3)}`,
  );
}

export const command: Command = {
  name: 'train',
  summary: 'train the orchestrator, with a checkpoint per epoch and resume',
  help: HELP,
  async run(argv) {
    let flags: Record<string, string | true>;
    let runDir: string;
    let dataset: RoutingDataset;
    let options: { epochs?: number; seed?: number; hidden?: number; backbone?: boolean; backend?: BackendChoice; fresh: boolean };
    let recipe: TrainingRecipe;
    try {
      flags = parseFlags(argv, { values: ['run', 'data', 'transcripts', 'consortium', 'task', 'split', 'limit', 'test-fraction', 'recipe', 'epochs', 'seed', 'hidden', 'backend'], booleans: ['no-backbone', 'fresh'] }).flags;
      const run = stringFlag(flags, 'run');
      if (!run) throw new Error('--run <dir> is required');
      runDir = path.resolve(run);
      const backend = stringFlag(flags, 'backend');
      if (backend !== undefined && !['wasm', 'cpu', 'tensorflow'].includes(backend)) throw new Error(`--backend must be wasm, cpu or tensorflow, got ${backend}`);
      // the recipe: as given, else the one this run was trained with (recipe.json), else paper
      const asked = stringFlag(flags, 'recipe');
      const recorded = readRunRecipe(runDir);
      recipe = trainingRecipe(asked ?? recorded?.name ?? 'paper');
      if (recorded && recorded.name !== recipe.name && flags.fresh !== true) {
        throw new Error(`${runDir} was trained with recipe ${recorded.name} (${path.join(runDir, RUN_RECIPE_FILE)}); train recipe ${recipe.name} in another --run directory, or start over here with --fresh`);
      }
      options = {
        epochs: intFlag(flags, 'epochs'),
        seed: intFlag(flags, 'seed'),
        hidden: intFlag(flags, 'hidden'),
        backbone: flags['no-backbone'] === true ? false : undefined,
        backend: backend as BackendChoice | undefined,
        fresh: flags.fresh === true,
      };
      const saved = path.join(runDir, 'dataset.jsonl');
      const data = stringFlag(flags, 'data');
      const transcripts = stringFlag(flags, 'transcripts');
      if (data && transcripts) throw new Error('give --data or --transcripts, not both');
      if (data === 'synthetic') {
        const { syntheticRoutingDataset } = (require('../../orchestrator/synthetic') as typeof import('../../orchestrator/synthetic'));
        dataset = syntheticRoutingDataset({ seed: options.seed ?? 0, nItems: 400, nExperts: 10, dim: 768 });
      } else if (data) dataset = loadRoutingDataset(path.resolve(data));
      else if (transcripts) dataset = await fromTranscripts(path.resolve(transcripts), flags);
      else if (fs.existsSync(saved)) dataset = loadRoutingDataset(saved);
      // `inform generate --run D` then `inform train --run D`: the run's own transcripts
      else if (fs.existsSync(path.join(runDir, 'transcripts.jsonl'))) dataset = await fromTranscripts(runDir, flags);
      else throw new Error(`no training data: give --data, --transcripts, or run where ${saved} or an \`inform generate\` transcript store exists`);
      if (!dataset.items.some((it) => it.split === 'test')) {
        const frac = stringFlag(flags, 'test-fraction');
        dataset = splitRoutingDataset(dataset, { testFraction: frac === undefined ? 0.25 : Number(frac), seed: options.seed ?? 0 });
      }
      // the recipe's input transform (centring); dataset.jsonl then holds the data as trained on
      dataset = recipeDataset(recipe, dataset);
    } catch (e) {
      console.error(`inform train: ${(e as Error).message}`);
      return 2;
    }

    const { trainOrchestrator, ResumeRefusedError } = (require('../../orchestrator/train') as typeof import('../../orchestrator/train'));
    const { listCheckpoints } = (require('../../orchestrator/checkpoint') as typeof import('../../orchestrator/checkpoint'));
    const checkpointsDir = path.join(runDir, 'checkpoints');
    const epochsKept = () => {
      const e = listCheckpoints(runDir);
      return e.length === 0 ? 'no checkpoint' : e.length === 1 ? `checkpoint epoch-${e[0]}` : `checkpoints epoch-${e[0]} .. epoch-${e[e.length - 1]}`;
    };
    const stopListening = onInterrupt('train', () => `${epochsKept()} kept in ${checkpointsDir} (an epoch in progress is lost); run the same command again to resume from the newest`);
    const simulated = dataset.meta?.simulated === true || String(dataset.meta?.source ?? '').startsWith('synthetic');
    console.log(`training on ${dataset.items.length} items x ${dataset.expertIds.length} experts (${dataset.dim}-d encodings)${simulated ? ' — simulated data' : ''}; recipe ${recipe.name} (${recipe.description}); run ${runDir}`);
    if (recipe.restarts > 1) console.log(`recipe ${recipe.name}: one seed here; its best-of-${recipe.restarts} restarts on a validation carve-out are \`node --import tsx scripts/honest-results.ts --recipe ${recipe.name}\``);
    const settings = recipeTrainOptions(recipe, {
      model: { ...(options.hidden !== undefined ? { hidden: options.hidden } : {}), ...(options.backbone !== undefined ? { backbone: options.backbone } : {}) },
      train: { ...(options.epochs !== undefined ? { epochs: options.epochs } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) },
    });
    let dataSaved = false;
    try {
      const result = await trainOrchestrator({
        dataset,
        runDir,
        // --fresh: training removes the old checkpoints itself, once it holds the run folder's lock
        ...(options.fresh ? { resume: false } : {}),
        backend: options.backend,
        model: settings.model,
        train: settings.train,
        infer: recipe.infer,
        onEpoch: (e) => {
          // Saved once training has accepted the data (a refused resume keeps the run's old file).
          if (!dataSaved) {
            saveRoutingDataset(dataset, path.join(runDir, 'dataset.jsonl'));
            writeRunRecipe(runDir, recipe);
          }
          dataSaved = true;
          console.log(line(e));
        },
      });
      if (result.resumedFrom > 0) console.log(`resumed from epoch ${result.resumedFrom}`);
      const lastEpoch = result.epochs[result.epochs.length - 1];
      if (lastEpoch) {
        console.log(`per task, epoch ${lastEpoch.epoch} (graded from the data: a chain by its last generated pair; \`evaluateOnConsortium\` runs chains for real):`);
        for (const l of perTaskLines(lastEpoch)) console.log(l);
      }
      if (result.epochs.length === 0) console.log(`nothing to do: all ${result.trainConfig.epochs} epochs are already checkpointed in ${runDir}`);
      console.log(`${epochsKept()} in ${checkpointsDir}; the data trained on is ${path.join(runDir, 'dataset.jsonl')}`);
      const inNotebook = `in a notebook, loadOrchestratorModel({ runDir: ${JSON.stringify(runDir)}, epoch: N })`;
      // `inform probe` is named only where this checkout has it
      const probe = ['probe.ts', 'probe.js'].some((f) => fs.existsSync(path.join(__dirname, f)));
      console.log(probe ? `next: inform probe --run ${runDir} (probe tables for every epoch), or ${inNotebook}` : `next: ${inNotebook}`);
      return 0;
    } catch (e) {
      // the library says `resume: false`; here the way to start over is --fresh
      if (e instanceof ResumeRefusedError) console.error(`inform train: cannot resume ${e.checkpoint}: ${e.reason} (use another --run directory, or start over in this one with --fresh)`);
      else console.error(`inform train: ${(e as Error).message}`);
      return 1;
    } finally {
      stopListening();
    }
  },
};
