/**
 * `inform probe`: runs the INFORM probes over a trained run's checkpoints and writes their
 * tables into <run>/probes/ (JSON + CSV), reusing every table whose inputs (checkpoint, data,
 * options, probe code) are unchanged. Heavy modules load only when the command runs.
 */
import * as path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { intFlag, onInterrupt, parseFlags, stringFlag, UsageError, type Command } from '../command';
import type { ProbeName, ProbeProgress, RunProbesResult } from '../../probes/run-probes';
import { readRunRecipe } from '../../orchestrator/recipes';

const PROBES = ['structure', 'masking', 'ablations', 'perturbations', 'cascade', 'moa', 'integrated', 'causal'];

const HELP = [
  'usage: inform probe --run <dir> [--epochs 1,2,3 | 1-5] [--probes structure,masking,...] [--split test|train|all]',
  '                    [--mask E1,E6] [--static-sequence E1,E2,E3] [--max-steps K] [--force] [--backend wasm|cpu|tensorflow]',
  '',
  'Runs the INFORM probes on every checkpointed epoch of a run trained with `inform train` and writes',
  'their tables under <dir>/probes/ (epoch-<n>/*.json|csv, series/*.csv, cascade.*, moa.*). Tables',
  'whose inputs are unchanged are reused, so a re-run is instant and an interrupted one resumes.',
  '',
  'Probes (default: structure, masking, ablations; plus perturbations and cascade when <dir> was',
  'filled by `inform generate`, i.e. has run.json and transcripts):',
  '  structure      mean C, s(x) (Table 2), relational u_j, intrinsic I(E_i), collaboration entropy,',
  '                 rank of C, ordering entropy, Gini of incoming mass and usage (Figures 2, 4-7, 13, 14)',
  '  masking        mask the top-intrinsic / top-relational expert (and --mask experts): KL of s and C,',
  '                 accuracy change; paired over epochs with Wilcoxon and t (Tables 8, 11)',
  '  ablations      static uniform C, static sequence, relational-/intrinsic-only, uniform (Figures 9-11)',
  '  perturbations  perturbed prompts through the consortium and encoder: KL and entropy change (Figure 3)',
  '  cascade        confidence cascade over token entropies (Appendix I)',
  '  moa            Self-MoA / Mixed-MoA / Self-MoA-Seq and t = alpha q + beta d + gamma (seed 001; generates)',
  '  integrated     intrinsic importance integrated from the no-content answers to the actual ones',
  '                 (integrated gradients, 16 points; opt-in, not in the default list)',
  '  causal         causal importance: every expert masked in turn, routing and sequence KL and the',
  '                 accuracy change per expert (N masked reads per epoch; opt-in)',
  '',
  '  --epochs        epochs to probe, e.g. 1,3,5 or 1-5 (default: every checkpoint, epoch 0 = untrained)',
  '  --split         routing-dataset split the probes read (default test, the held-out items)',
  '  --mask          further experts to mask, by id; pairs are compared over epochs in the given order',
  '  --static-sequence  the static-sequence ablation (default: the first three experts)',
  '  --max-steps     the longest chain probed (default: the horizon of the recipe in <run>/recipe.json,',
  '                  content: 2; every expert for paper or a run without one)',
  '  --force         recompute every table',
  '  --backend       tfjs backend (default: tensorflow if installed, else wasm, else cpu)',
].join('\n');

/** "1,3,5" or "1-5" or "0-2,4" -> sorted epochs. */
export function parseEpochs(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--epochs: '${part}' is not an epoch or a range like 1-5`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new UsageError(`--epochs: range '${part}' runs backwards`);
    for (let e = a; e <= b; e++) out.add(e);
  }
  if (out.size === 0) throw new UsageError('--epochs needs at least one epoch');
  return [...out].sort((x, y) => x - y);
}

function list(flags: Record<string, string | true>, name: string): string[] | undefined {
  const v = stringFlag(flags, name);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function progressReporter(): { update(p: ProbeProgress): void; stop(): void } {
  const label = (p: ProbeProgress) => `${p.epoch === null ? '' : `epoch ${p.epoch} `}${p.probe}${p.reused ? ' (reused)' : ''}`;
  if (process.stderr.isTTY) {
    let bar: SingleBar | null = null;
    return {
      update(p) {
        if (!bar) {
          bar = new SingleBar({ format: 'probe [{bar}] {value}/{total} | {what}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
          bar.start(p.total, 0, { what: '' });
        }
        bar.update(p.done, { what: label(p) });
      },
      stop: () => bar?.stop(),
    };
  }
  return { update: (p) => console.error(`probe: ${p.done}/${p.total} ${label(p)}`), stop() {} };
}

function report(r: RunProbesResult): void {
  const last = r.epochs[r.epochs.length - 1];
  const all = last.structure?.summaries.find((s) => s.task === 'all');
  if (all) {
    const top = (v: number[]) => r.expertIds[v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0)];
    console.log(
      `epoch ${last.epoch} (${all.nItems} ${r.split} items): C entropy ${all.collabEntropy.toFixed(3)}, ordering entropy ${all.orderingEntropy.toFixed(3)}, Gini incoming ${all.giniIncoming.toFixed(3)}, top relational ${top(all.relational)}, top intrinsic ${top(all.intrinsic)}`,
    );
  }
  for (const p of r.paired.filter((x) => x.task === 'all' || r.paired.every((y) => y.task !== 'all'))) {
    const fmt = (v: number | null) => (v === null ? 'n/a' : v.toPrecision(3));
    console.log(`masking ${p.measure} ${p.task}: ${p.xName} ${p.meanX.toPrecision(3)} vs ${p.yName} ${p.meanY.toPrecision(3)} over epochs ${p.epochs.join(',')}: Wilcoxon p ${fmt(p.wilcoxonP)}, paired t p ${fmt(p.tTestP)}`);
  }
  if (r.epochs.some((e) => e.masking || e.ablations)) {
    const st = r.accuracy.stats;
    console.log(`masking/ablation accuracy: ${r.accuracy.source === 'run' ? `chains run (${st.chainsGraded} chains graded now, ${st.newGenerations} new generations)` : 'DATA FALLBACK'}: ${r.accuracy.note}`);
  }
  const reused = r.epochs.reduce((a, e) => a + e.reused.length, 0);
  const computed = r.epochs.reduce((a, e) => a + e.computed.length, 0);
  console.log(`tables in ${path.join(r.runDir, 'probes')} (${computed} computed, ${reused} reused)`);
}

export const command: Command = {
  name: 'probe',
  summary: 'run the INFORM probes over a trained run and write their tables',
  help: HELP,
  async run(argv) {
    let runDir: string;
    let opts: { epochs?: number[]; probes?: ProbeName[]; split: 'train' | 'test' | 'all'; mask?: string[]; staticSequence?: string[]; maxSteps?: number; force: boolean; backend?: string };
    try {
      const { flags, positionals } = parseFlags(argv, { values: ['run', 'epochs', 'probes', 'split', 'mask', 'static-sequence', 'max-steps', 'backend'], booleans: ['force'] });
      if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const run = stringFlag(flags, 'run');
      if (!run) throw new UsageError('--run <dir> is required');
      runDir = path.resolve(run);
      const probes = list(flags, 'probes');
      for (const p of probes ?? []) if (!PROBES.includes(p)) throw new UsageError(`--probes: unknown probe '${p}' (known: ${PROBES.join(', ')})`);
      const split = stringFlag(flags, 'split') ?? 'test';
      if (!['train', 'test', 'all'].includes(split)) throw new UsageError(`--split must be train, test or all, got ${split}`);
      const backend = stringFlag(flags, 'backend');
      if (backend !== undefined && !['wasm', 'cpu', 'tensorflow'].includes(backend)) throw new UsageError(`--backend must be wasm, cpu or tensorflow, got ${backend}`);
      const epochsText = stringFlag(flags, 'epochs');
      opts = {
        epochs: epochsText === undefined ? undefined : parseEpochs(epochsText),
        probes: probes as ProbeName[] | undefined,
        split: split as 'train' | 'test' | 'all',
        mask: list(flags, 'mask'),
        staticSequence: list(flags, 'static-sequence'),
        // default: the horizon of the recipe the run was trained with (recipe.json; content: 2)
        maxSteps: intFlag(flags, 'max-steps', 1) ?? readRunRecipe(runDir)?.infer.maxSteps,
        force: flags.force === true,
        backend,
      };
    } catch (e) {
      console.error(`inform probe: ${(e as Error).message}`);
      return 2;
    }

    const { ensureBackend } = require('../../orchestrator/backend') as typeof import('../../orchestrator/backend');
    const { loadRoutingDataset } = require('../../orchestrator/dataset') as typeof import('../../orchestrator/dataset');
    const { runProbes } = require('../../probes/run-probes') as typeof import('../../probes/run-probes');
    const { loadRunContext } = require('../../probes/run-context') as typeof import('../../probes/run-context');
    const progress = progressReporter();
    const removeInterrupt = onInterrupt('probe', () => `tables written so far are kept in ${path.join(runDir, 'probes')}; re-run the same command to continue`);
    let context: Awaited<ReturnType<typeof loadRunContext>>;
    try {
      await ensureBackend(opts.backend as Parameters<typeof ensureBackend>[0]);
      const datasetFile = path.join(runDir, 'dataset.jsonl');
      const dataset = loadRoutingDataset(datasetFile);
      // masking and ablations use the context's chain runner (chains run for real) when there is one
      const wantsContext = !opts.probes || opts.probes.some((p) => p === 'perturbations' || p === 'cascade' || p === 'moa' || p === 'masking' || p === 'ablations');
      context = wantsContext ? await loadRunContext(runDir, dataset, { split: opts.split }) : undefined;
      if (!context && opts.probes?.some((p) => p === 'perturbations' || p === 'cascade' || p === 'moa')) {
        throw new Error(`${runDir} has no run.json and transcripts from \`inform generate\`; perturbations, cascade and moa need them`);
      }
      const simulated = dataset.meta?.simulated === true;
      console.log(`probing ${runDir} (${dataset.expertIds.length} experts, split ${opts.split}${opts.maxSteps !== undefined ? `, chains of at most ${opts.maxSteps} steps` : ''})${simulated ? ' — simulated consortium' : ''}`);
      const result = await runProbes({
        runDir,
        dataset,
        split: opts.split,
        epochs: opts.epochs,
        probes: opts.probes,
        maskExperts: opts.mask,
        staticSequence: opts.staticSequence,
        maxSteps: opts.maxSteps,
        force: opts.force,
        context,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      report(result);
      return 0;
    } catch (e) {
      progress.stop();
      console.error(`inform probe: ${(e as Error).message}`);
      return 1;
    } finally {
      removeInterrupt();
      await context?.close();
    }
  },
};
