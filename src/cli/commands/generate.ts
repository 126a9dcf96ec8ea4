/**
 * `inform generate`: fills a run's transcript store with every expert's standalone answer to
 * every item of the chosen tasks and split, graded; optionally also runs one fixed chain order.
 * Re-running makes zero new generations and says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { intFlag, onInterrupt, parseFlags, stringFlag, type Command } from '../command';
import { runChain } from '../../experts/chain';
import { loadConsortium, type Consortium } from '../../experts/consortium';
import { loadSelectedItems, writeRunManifest, type RunManifest } from '../../experts/run-manifest';
import { formatPairSelection, generateTranscripts, parsePairSelection, plannedCalls, type GenerateProgress, type GenerateSummary, type PairSelection } from '../../experts/generate';
import { withStore } from '../../experts/store/stored-expert';
import { TranscriptStore } from '../../experts/store/transcript-store';
import type { FsyncPolicy } from '../../experts/store/jsonl-log';
import { gradeResponse } from '../../tasks/index';
import { removeLiveTempDirs } from '../../owned-temp-dirs';
import type { TaskItem, TaskName } from '../../tasks/types';

const TASKS: TaskName[] = ['gsm8k', 'mmlu', 'humaneval'];
const SPLITS = ['train', 'validation', 'test'] as const;
type Split = (typeof SPLITS)[number];

const HELP = [
  'usage: inform generate --consortium <config|preset> [--task gsm8k|mmlu|humaneval|all] [--split train|validation|test|all]',
  '                       [--run <dir>] [--chain E1,E3,E2] [--limit N] [--concurrency N] [--data <dir>]',
  '                       [--pairs none|sample:K|all] [--no-grade] [--repair] [--fsync always|batch|never]',
  '',
  'Fills <dir>/transcripts.jsonl with every expert\'s standalone answer to every item, and',
  '<dir>/grades.jsonl with their graded correctness (HumanEval answers run in the sandbox).',
  'Each answer is generated and graded once: a re-run makes zero new generations.',
  '',
  '  --consortium  a consortium config (YAML/JSON, see data/consortia/) or a simulated preset:',
  '                homogeneous, heterogeneous, planted-hub (default planted-hub)',
  '  --task        one task or all (default all)',
  '  --split       bundled sample split, or all (default all)',
  '  --data        data directory with gsm8k/, mmlu/, humaneval/, splits/ (default: bundled data/)',
  '  --run         run directory (default runs/<consortium name>)',
  '  --pairs       also generate ordered pairs "j after i" (j sees i\'s answer): none (default),',
  '                sample:K (K of the N(N-1) pairs per item, drawn per item) or all; the chain',
  '                utility of `inform train` is learned from them',
  '  --chain       also run this expert order as a chain on every item and report its accuracy',
  '  --limit       at most N items per task (after the split)',
  '  --concurrency parallel generations (default 1; raise for endpoints)',
  '  --no-grade    store answers only',
  '  --repair      drop corrupt records in the middle of the store instead of stopping',
  '  --fsync       durability of the store (default batch: fsync at most once a second)',
].join('\n');

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function formatMs(ms: number | null): string {
  if (ms === null) return '?';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Answers still being graded: generated (or reused) but not yet finished. `done` counts finished
 * answers and runs behind `generated + reused` while HumanEval gradings are in the sandbox.
 */
function grading(p: GenerateProgress): number {
  return p.generated + p.reused - p.done;
}

/** A progress bar with ETA on a terminal, a plain line every few seconds otherwise. */
function progressReporter(total: number): { update(p: GenerateProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: 'generate [{bar}] {value}/{total} done | answers new {generated} reused {reused}, {grading} being graded | eta {etaText}', stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    bar.start(total, 0, { generated: 0, reused: 0, grading: 0, etaText: '?' });
    return {
      update: (p) => {
        if (p.total !== bar.getTotal()) bar.setTotal(p.total);
        bar.update(p.done, { generated: p.generated, reused: p.reused, grading: grading(p), etaText: formatMs(p.etaMs) });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 5000 && p.done !== p.total) return;
      last = now;
      console.error(`generate: ${p.done}/${p.total} done (${pct(p.done / p.total)}) | answers new ${p.generated} reused ${p.reused}, ${grading(p)} being graded | elapsed ${formatMs(p.elapsedMs)} eta ${formatMs(p.etaMs)}`);
    },
    stop() {},
  };
}

function printSummary(c: Consortium, items: TaskItem[], s: GenerateSummary, graded: boolean): void {
  const label = c.simulated ? ' (simulated consortium: every answer is simulated)' : '';
  console.log(`consortium ${c.name}${label}: ${c.experts.length} experts${c.oracle ? ' + oracle' : ''} x ${items.length} items = ${s.total - s.pairs.total} standalone answers`);
  if (s.pairs.total > 0) console.log(`  + ${s.pairs.total} pair answers ("j after i"): ${s.pairs.generated} new, ${s.pairs.reused} reused${graded ? `, ${s.pairs.correct} correct` : ''}`);
  if (s.generated === 0) console.log(`nothing to generate: all ${s.total} answers were already stored (0 new generations)`);
  else console.log(`${s.generated} new generations, ${s.reused} reused, ${s.graded} graded, in ${formatMs(s.ms)}`);
  if (!graded) return;
  for (const e of s.perExpert) {
    const expert = c.experts.find((x) => x.id === e.expertId) ?? c.oracle;
    const n = e.generated + e.reused;
    console.log(`  ${e.expertId.padEnd(6)} ${(expert?.model ?? '').padEnd(44)} accuracy ${pct(e.correct / Math.max(1, n))} (${e.correct}/${n})`);
  }
}

export const command: Command = {
  name: 'generate',
  summary: "fill a run's transcript store with every expert's graded answers",
  help: HELP,
  async run(argv) {
    let flags: Record<string, string | true>;
    try {
      flags = parseFlags(argv, { values: ['consortium', 'task', 'split', 'data', 'run', 'chain', 'limit', 'concurrency', 'fsync', 'pairs'], booleans: ['no-grade', 'repair'] }).flags;
    } catch (e) {
      console.error(`inform generate: ${(e as Error).message}`);
      return 2;
    }
    let consortium: Consortium;
    let items: TaskItem[];
    let opts: { run: string; chain?: string[]; concurrency: number; grade: boolean; fsync: FsyncPolicy; repair: boolean; pairs: PairSelection };
    let manifest: RunManifest;
    try {
      const task = stringFlag(flags, 'task') ?? 'all';
      if (task !== 'all' && !TASKS.includes(task as TaskName)) throw new Error(`--task must be gsm8k, mmlu, humaneval or all, got ${task}`);
      const split = stringFlag(flags, 'split') ?? 'all';
      if (split !== 'all' && !(SPLITS as readonly string[]).includes(split)) throw new Error(`--split must be train, validation, test or all, got ${split}`);
      const limit = intFlag(flags, 'limit', 1);
      const concurrency = intFlag(flags, 'concurrency', 1) ?? 1;
      const fsync = (stringFlag(flags, 'fsync') ?? 'batch') as FsyncPolicy;
      if (!['always', 'batch', 'never'].includes(fsync)) throw new Error(`--fsync must be always, batch or never, got ${fsync}`);
      const pairs = parsePairSelection(stringFlag(flags, 'pairs') ?? 'none');
      const consortiumArg = stringFlag(flags, 'consortium') ?? 'planted-hub';
      consortium = loadConsortium(consortiumArg);
      const chainText = stringFlag(flags, 'chain');
      const chain = chainText?.split(',').map((s) => s.trim()).filter(Boolean);
      for (const id of chain ?? []) {
        if (!consortium.experts.some((e) => e.id === id)) throw new Error(`--chain names ${id}, which is not an expert of ${consortium.name} (${consortium.experts.map((e) => e.id).join(', ')})`);
      }
      const dataDir = stringFlag(flags, 'data');
      const selection = { tasks: task === 'all' ? TASKS : [task as TaskName], splits: split === 'all' ? [...SPLITS] : [split as Split], limit: limit ?? null, ...(dataDir ? { dataDir: path.resolve(dataDir) } : {}) };
      items = await loadSelectedItems(selection);
      opts = {
        run: path.resolve(stringFlag(flags, 'run') ?? path.join('runs', consortium.name)),
        ...(chain ? { chain } : {}),
        concurrency,
        grade: flags['no-grade'] === undefined,
        fsync,
        repair: flags.repair === true,
        pairs,
      };
      // Written before generating, so train/probe find the selection even after an interrupted run.
      manifest = {
        version: 1,
        writtenBy: 'inform generate',
        updatedAt: new Date().toISOString(),
        consortium: { name: consortium.name, source: fs.existsSync(consortiumArg) ? consortium.config.file : consortiumArg, simulated: consortium.simulated },
        tasks: [...selection.tasks],
        splits: [...selection.splits],
        limit: selection.limit,
        data: selection.dataDir ? { source: 'directory', dir: selection.dataDir } : { source: 'bundled' },
        seeds: Object.fromEntries(consortium.experts.flatMap((e) => (e.params.seed === undefined ? [] : [[e.id, e.params.seed]]))),
        pairs: formatPairSelection(pairs) as RunManifest['pairs'],
        graded: flags['no-grade'] === undefined,
        items: items.length,
      };
    } catch (e) {
      console.error(`inform generate: ${(e as Error).message}`);
      return 2;
    }
    let store: TranscriptStore;
    try {
      store = TranscriptStore.open(opts.run, { fsync: opts.fsync, repair: opts.repair, onRecover: (m) => console.error(`inform generate: recovered: ${m}`) });
    } catch (e) {
      console.error(`inform generate: ${(e as Error).message}`);
      await consortium.dispose();
      return 1;
    }
    const stopListening = onInterrupt('generate', () => {
      const n = store.transcripts.size;
      store.close(); // flushes the logs and releases the store's lock
      const removed = removeLiveTempDirs().length; // sandboxes of candidates still running
      const sandboxes = removed ? `; removed ${removed} sandbox folder${removed === 1 ? '' : 's'} of unfinished gradings` : '';
      return `the ${n} answers stored so far are kept in ${opts.run} (transcripts.jsonl, grades.jsonl)${sandboxes}; run the same command again to continue where it stopped`;
    });
    try {
      console.log(`run directory ${opts.run} (${store.transcripts.size} answers stored before this run)`);
      writeRunManifest(opts.run, manifest);
      const planned = plannedCalls(consortium.experts.length, Boolean(consortium.oracle), items, opts.pairs);
      // Real backends cost time or money: say how many requests this may make before making any
      // (stored answers are reused, so a resumed run makes fewer).
      if (!consortium.simulated) console.log(`this run makes up to ${planned.total} generation calls: ${planned.solo} standalone answers + ${planned.pairs} pair answers (pairs ${formatPairSelection(opts.pairs)}); stored answers are reused`);
      const progress = progressReporter(planned.total);
      let summary: GenerateSummary;
      try {
        summary = await generateTranscripts({ consortium, items, run: store, grade: opts.grade, concurrency: opts.concurrency, pairs: opts.pairs, onProgress: (p) => progress.update(p) });
      } finally {
        progress.stop();
      }
      printSummary(consortium, items, summary, opts.grade);
      if (opts.chain) {
        const stored = consortium.experts.map((e) => withStore(e, store));
        let right = 0;
        for (const item of items) {
          const r = await runChain(stored, opts.chain, item);
          if (opts.grade && (await gradeResponse(item, r.finalText))) right++;
        }
        const made = stored.reduce((n, e) => n + e.stats.generated, 0);
        console.log(`chain ${opts.chain.join(' -> ')}: ${made} new generations${opts.grade ? `, final-answer accuracy ${pct(right / Math.max(1, items.length))} (${right}/${items.length})` : ''}`);
      }
    } finally {
      stopListening();
      store.close();
      await consortium.dispose();
    }
    return 0;
  },
};
