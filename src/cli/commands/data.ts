/** `inform data`: fetch the official datasets, describe the bundled samples, regenerate them. */
import * as path from 'node:path';
import * as cliProgress from 'cli-progress';
import { parseFlags, stringFlag, type Command } from '../command';
import { fetchOfficial, OFFLINE_HINT, OfflineError } from '../../tasks/fetch/fetch-official';
import { ChecksumError } from '../../tasks/fetch/download';
import { sourcesFor, withMirror, type OfficialSource } from '../../tasks/fetch/official-sources';
import { loadBundledSync, loadSplitSync } from '../../tasks/load-split';
import { sandboxCapabilities } from '../../tasks/sandbox/isolation';
import { writeSamples } from '../../tasks/samples/write-samples';
import { SPLIT_NAMES } from '../../tasks/split-ids';
import type { TaskName } from '../../tasks/types';

const HELP = `usage: inform data <fetch|info|samples> [options]

  fetch      download the official GSM8K, MMLU and HumanEval releases (pinned, SHA-256 checked)
             --task gsm8k|mmlu|humaneval|all   which sets (default all)
             --dest DIR                        where to put them (default .cache/datasets)
             --timeout MS                      connect / idle timeout (default 15000)
             --mirror URL                      fetch from a mirror keeping the original paths
                                               under URL/<host>/<path>
             Offline, it stops at the first unreachable host and points to the bundled samples.
  info       counts of the bundled samples per split, and what the code sandbox enforces here
  samples    regenerate the bundled samples in data/ from their seeded templates
             --check                           only check they are up to date (exit 1 if not)`;

const TASKS = ['gsm8k', 'mmlu', 'humaneval', 'all'];

function progressFor(source: OfficialSource): { update: (n: number, total?: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    process.stderr.write(`fetching ${source.label} from ${source.url}\n`);
    return { update: () => undefined, stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${source.label.padEnd(34)} [{bar}] {percentage}% {value_mb}/{total_mb} MB`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return {
    update: (n, total) => {
      const t = total ?? source.bytes ?? Math.max(n, 1);
      if (!started) {
        bar.start(t, n, { value_mb: mb(n), total_mb: mb(t) });
        started = true;
      }
      bar.setTotal(t);
      bar.update(n, { value_mb: mb(n), total_mb: mb(t) });
    },
    stop: () => started && bar.stop(),
  };
}

async function fetchCommand(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, { values: ['task', 'dest', 'timeout', 'mirror'] });
  // A bare `--timeout` (no value) must not become a 1 ms timeout, nor `--dest` a directory named "true".
  let values: { task?: string; timeout?: string; dest?: string; mirror?: string };
  try {
    values = { task: stringFlag(flags, 'task'), timeout: stringFlag(flags, 'timeout'), dest: stringFlag(flags, 'dest'), mirror: stringFlag(flags, 'mirror') };
  } catch (e) {
    console.error(`inform data fetch: ${(e as Error).message}`);
    return 2;
  }
  const task = values.task ?? 'all';
  if (!TASKS.includes(task)) {
    console.error(`inform data fetch: --task must be one of ${TASKS.join(', ')}, got '${task}'`);
    return 2;
  }
  const timeoutMs = values.timeout === undefined ? 15_000 : Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    console.error(`inform data fetch: --timeout must be a positive number of milliseconds, got '${values.timeout}'`);
    return 2;
  }
  const dest = path.resolve(values.dest ?? path.join('.cache', 'datasets'));
  let sources = sourcesFor(task as TaskName | 'all');
  if (values.mirror !== undefined) sources = withMirror(sources, values.mirror);
  try {
    const outcomes = await fetchOfficial(sources, { dest, timeoutMs, progress: progressFor });
    for (const o of outcomes) {
      console.log(`${o.source.label}: ${o.state === 'present' ? 'already present, checksum ok' : 'downloaded, checksum ok'} -> ${o.loadPath}`);
    }
    console.log('Load with loadGsm8k / loadMmlu / loadHumanEval on the paths above.');
    return 0;
  } catch (e) {
    if (e instanceof OfflineError) {
      console.error(`inform data fetch: ${e.message}. This machine looks offline.\n\n${OFFLINE_HINT}`);
      return 1;
    }
    if (e instanceof ChecksumError) {
      console.error(`inform data fetch: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function infoCommand(): number {
  for (const task of ['gsm8k', 'mmlu', 'humaneval'] as const) {
    const all = loadBundledSync(task);
    const sizes = SPLIT_NAMES.map((s) => `${s} ${loadSplitSync(task, s).length}`).join(', ');
    const extra = task === 'mmlu' ? ` over ${new Set(all.map((i) => (i.task === 'mmlu' ? i.subject : ''))).size} subjects` : '';
    console.log(`${task.padEnd(10)} ${all.length} bundled items${extra} (${sizes})`);
  }
  try {
    const caps = sandboxCapabilities();
    const ns = caps.namespaces ? `yes (no network, own PID namespace, ${caps.readOnlyFilesystem ? 'read-only mounts' : 'mounts writable'})` : `no (${caps.namespacesUnavailableReason})`;
    console.log(`sandbox    ${caps.python} (Python ${caps.pythonVersion}); namespaces: ${ns}`);
  } catch (e) {
    console.log(`sandbox    unavailable: ${(e as Error).message}`);
  }
  return 0;
}

function samplesCommand(argv: string[]): number {
  const { flags } = parseFlags(argv, { booleans: ['check'] });
  const check = flags.check === true;
  const differing = writeSamples(undefined, check);
  if (check) {
    if (differing.length) console.error(`out of date: ${differing.join(', ')} (run: inform data samples)`);
    else console.log('bundled samples are up to date');
    return differing.length ? 1 : 0;
  }
  console.log(differing.length ? `wrote ${differing.join(', ')}` : 'bundled samples already up to date');
  return 0;
}

export const command: Command = {
  name: 'data',
  summary: 'fetch the official datasets; show or regenerate the bundled samples',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'fetch') return fetchCommand(rest);
    if (sub === 'info') {
      parseFlags(rest);
      return infoCommand();
    }
    if (sub === 'samples') return samplesCommand(rest);
    console.error(sub ? `inform data: unknown sub-command '${sub}'\n\n${HELP}` : HELP);
    return 2;
  },
};
