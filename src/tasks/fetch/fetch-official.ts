/** `inform data fetch`: download (and unpack) the official releases, with progress and checksums. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadVerified, OfflineError, type ProgressFn } from './download';
import type { OfficialSource } from './official-sources';

/** What happened to one source. */
export interface FetchOutcome {
  source: OfficialSource;
  state: 'present' | 'downloaded';
  /** absolute path to hand to the task's loader */
  loadPath: string;
}

export interface FetchOptions {
  dest: string;
  timeoutMs?: number;
  /** a progress callback per source (e.g. a cli-progress bar) */
  progress?: (source: OfficialSource) => { update: ProgressFn; stop: () => void };
}

/** Where the bundled samples live and how to load them, for the offline message. */
export const OFFLINE_HINT = [
  'The workbench does not need the official sets: it ships its own samples in the same formats,',
  'written for this project, with fixed train/validation/test splits:',
  '  data/gsm8k/sample.jsonl   data/mmlu/*_test.csv   data/humaneval/sample.jsonl   data/splits/*.json',
  "Load them with loadSplit('gsm8k' | 'mmlu' | 'humaneval', 'train' | 'validation' | 'test').",
  'Run `inform data fetch` again on a machine with internet access to get the official sets.',
].join('\n');

/** Downloads each source into `dest`; stops at the first network failure (an OfflineError). */
export async function fetchOfficial(sources: readonly OfficialSource[], opts: FetchOptions): Promise<FetchOutcome[]> {
  const outcomes: FetchOutcome[] = [];
  for (const source of sources) {
    const file = path.join(opts.dest, source.file);
    const bar = opts.progress?.(source);
    let state: 'present' | 'downloaded';
    try {
      state = await downloadVerified(source.url, file, { sha256: source.sha256, timeoutMs: opts.timeoutMs, onProgress: bar?.update });
    } finally {
      bar?.stop();
    }
    if (source.extract === 'tar' && (state === 'downloaded' || !fs.existsSync(path.join(opts.dest, source.loadPath)))) {
      const r = spawnSync('tar', ['-xf', file, '-C', path.dirname(file)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${file}: could not unpack (${(r.stderr || r.error?.message || '').trim()})`);
    }
    outcomes.push({ source, state, loadPath: path.join(opts.dest, source.loadPath) });
  }
  return outcomes;
}

export { OfflineError };
