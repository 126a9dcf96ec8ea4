/**
 * One entry point for the items a run uses: the official benchmark files when they are present
 * (by default in `../shared/datasets` beside the project, the layout of `inform data fetch`,
 * checked against the pinned SHA-256 of each release), else the bundled samples, and a
 * `dataSource` line that every output prints so a reader knows which data a number comes from.
 *
 * Splits: an official test file is the test split; everything else is split by the hash of the
 * item's normalised prompt (split-ids.ts), so no prompt is in two splits. A limit keeps a seeded
 * subset of each split (60/20/20 of the limit), never mixing splits.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OFFICIAL_SOURCES } from './fetch/official-sources';
import { parseGsm8k } from './load-gsm8k';
import { parseHumanEval } from './load-humaneval';
import { parseMmluCsv } from './load-mmlu';
import { loadSplitSync, BUNDLED_DATA_DIR } from './load-split';
import { readTextFile } from './read-text';
import { DEFAULT_SPLIT_FRACTIONS, itemPrompt, splitOfPrompt, SPLIT_NAMES, type SplitName } from './split-ids';
import type { TaskItem, TaskName } from './types';

export type DataSourceChoice = 'auto' | 'official' | 'bundled';

/** The project root (the folder holding src/ and data/). */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * Where the official files are looked for: `INFORM_DATASETS_DIR` when set, else
 * `<project>/../shared/datasets`.
 */
export function defaultOfficialDir(): string {
  return process.env.INFORM_DATASETS_DIR ? path.resolve(process.env.INFORM_DATASETS_DIR) : path.resolve(PROJECT_ROOT, '..', 'shared', 'datasets');
}

export interface LoadTaskItemsOptions {
  /** tasks to load, in this order (default: gsm8k, mmlu, humaneval; HumanEval is part of the mix) */
  tasks?: readonly TaskName[];
  /** 'auto' (default): official per task when present, else bundled; 'official' fails without them */
  source?: DataSourceChoice;
  /** at most this many items per task (60/20/20 over the splits, a seeded subset of each) */
  limitPerTask?: number;
  /** seed of the subset a limit keeps (default 0) */
  seed?: number;
  /** only these splits (default all three) */
  splits?: readonly SplitName[];
  /** folder of the official files (default `defaultOfficialDir()`) */
  officialDir?: string;
  /** folder of the bundled samples (default the project's data/) */
  dataDir?: string;
  /** check the official files' SHA-256 against the pins (default true) */
  verifyChecksums?: boolean;
}

/** Where one task's items came from. */
export interface TaskSourceInfo {
  task: TaskName;
  kind: 'official' | 'bundled';
  /** files read (absolute) */
  files: string[];
  /** items available per split before any limit */
  available: Record<SplitName, number>;
  /** items kept per split */
  selected: Record<SplitName, number>;
  /** e.g. "official GSM8K train+test (8792)" */
  description: string;
  /** why the official files were not used (auto mode), when they were not */
  fallbackReason?: string;
}

export interface TaskItemsSelection {
  /** every kept item: task by task, and within a task train, validation, test */
  items: TaskItem[];
  /** item id -> split */
  splitOf: Record<string, SplitName>;
  bySplit: Record<SplitName, TaskItem[]>;
  /** one line for every output, e.g. "official GSM8K train+test (8792) + bundled MMLU sample (128) + official HumanEval (164)" */
  dataSource: string;
  sources: TaskSourceInfo[];
}

const LABEL: Record<TaskName, string> = { gsm8k: 'GSM8K', mmlu: 'MMLU', humaneval: 'HumanEval' };

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The official files of a task under `dir` that are present, or why they cannot be used. */
function officialFiles(task: TaskName, dir: string, verify: boolean): { files: string[] } | { missing: string } {
  if (task === 'mmlu') {
    const test = path.join(dir, 'mmlu', 'data', 'test');
    if (!fs.existsSync(test)) return { missing: `no ${test}` };
    return { files: fs.readdirSync(test).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(test, f)) };
  }
  const files: string[] = [];
  for (const src of OFFICIAL_SOURCES.filter((s) => s.task === task)) {
    const file = path.join(dir, src.file);
    if (!fs.existsSync(file)) return { missing: `no ${file}` };
    if (verify && sha256File(file) !== src.sha256) return { missing: `${file}: SHA-256 differs from the pinned release (${src.label})` };
    files.push(file);
  }
  return files.length > 0 ? { files } : { missing: `no official source for ${task}` };
}

/** Official items of a task with their splits. */
function loadOfficial(task: TaskName, files: string[]): { item: TaskItem; split: SplitName }[] {
  if (task === 'gsm8k') {
    return files.flatMap((f) => {
      const isTest = /test\.jsonl(\.gz)?$/.test(f);
      // the official train file is split into train and validation by prompt hash (3:1)
      return parseGsm8k(readTextFile(f), f).map((item) => ({ item, split: isTest ? ('test' as const) : splitOfPrompt(itemPrompt(item), { train: 0.75, validation: 0.25, test: 0 }) }));
    });
  }
  const items: TaskItem[] = task === 'humaneval' ? files.flatMap((f) => parseHumanEval(readTextFile(f), f)) : files.flatMap((f) => parseMmluCsv(readTextFile(f), f));
  return items.map((item) => ({ item, split: splitOfPrompt(itemPrompt(item), DEFAULT_SPLIT_FRACTIONS) }));
}

/** Bundled items of a task with the splits of data/splits/<task>.json. */
function loadBundled(task: TaskName, dataDir: string): { item: TaskItem; split: SplitName }[] {
  return SPLIT_NAMES.flatMap((split) => loadSplitSync(task, split, { dataDir }).map((item) => ({ item: item as TaskItem, split })));
}

/** A seeded order of ids (the subset a limit keeps does not depend on file order). */
function seededOrder<T extends { item: TaskItem }>(xs: T[], seed: number): T[] {
  const key = (x: T) => createHash('sha256').update(`${seed}\u0000${x.item.id}`).digest('hex');
  return xs.map((x) => ({ x, k: key(x) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((e) => e.x);
}

/** How many of `limit` items go to each split: 60/20/20, moved to other splits when one runs short. */
function quota(limit: number, available: Record<SplitName, number>, splits: readonly SplitName[]): Record<SplitName, number> {
  const q: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  const weight = splits.reduce((a, s) => a + DEFAULT_SPLIT_FRACTIONS[s], 0);
  let left = limit;
  for (const s of splits) {
    q[s] = Math.min(available[s], Math.floor((limit * DEFAULT_SPLIT_FRACTIONS[s]) / weight));
    left -= q[s];
  }
  for (const s of splits) {
    const more = Math.min(left, available[s] - q[s]);
    q[s] += more;
    left -= more;
  }
  return q;
}

/** Loads the items of `tasks` from the official files or the bundled samples (see the file comment). */
export function loadTaskItems(opts: LoadTaskItemsOptions = {}): TaskItemsSelection {
  const tasks = opts.tasks ?? (['gsm8k', 'mmlu', 'humaneval'] as const);
  const source = opts.source ?? 'auto';
  if (!['auto', 'official', 'bundled'].includes(source)) throw new Error(`loadTaskItems: source must be 'auto', 'official' or 'bundled', got '${String(source)}'`);
  if (opts.limitPerTask !== undefined && !(Number.isInteger(opts.limitPerTask) && opts.limitPerTask > 0)) throw new Error(`loadTaskItems: limitPerTask must be a positive integer, got ${opts.limitPerTask}`);
  const splits = opts.splits ?? SPLIT_NAMES;
  const officialDir = opts.officialDir ?? defaultOfficialDir();
  const dataDir = opts.dataDir ?? BUNDLED_DATA_DIR;
  const verify = opts.verifyChecksums !== false;
  const items: TaskItem[] = [];
  const splitOf: Record<string, SplitName> = {};
  const bySplit: Record<SplitName, TaskItem[]> = { train: [], validation: [], test: [] };
  const sources: TaskSourceInfo[] = [];
  for (const task of tasks) {
    if (!(task in LABEL)) throw new Error(`loadTaskItems: unknown task '${String(task)}' (expected gsm8k, mmlu or humaneval)`);
    let entries: { item: TaskItem; split: SplitName }[];
    let kind: 'official' | 'bundled';
    let files: string[];
    let fallbackReason: string | undefined;
    const found = source === 'bundled' ? { missing: 'bundled data asked for' } : officialFiles(task, officialDir, verify);
    if ('files' in found) {
      kind = 'official';
      files = found.files;
      entries = loadOfficial(task, files);
    } else {
      if (source === 'official') throw new Error(`loadTaskItems: official ${LABEL[task]} data not usable: ${found.missing} (run \`inform data fetch\`, set INFORM_DATASETS_DIR, or use source 'auto' / 'bundled')`);
      kind = 'bundled';
      if (source === 'auto') fallbackReason = found.missing;
      files = [dataDir];
      entries = loadBundled(task, dataDir);
    }
    const available: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
    for (const e of entries) available[e.split]++;
    const keep = opts.limitPerTask === undefined ? available : quota(opts.limitPerTask, available, splits);
    const selected: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
    for (const split of SPLIT_NAMES) {
      if (!splits.includes(split)) continue;
      let part = entries.filter((e) => e.split === split);
      if (opts.limitPerTask !== undefined) {
        const chosen = new Set(seededOrder(part, opts.seed ?? 0).slice(0, keep[split]).map((e) => e.item.id));
        part = part.filter((e) => chosen.has(e.item.id));
      }
      for (const e of part) {
        if (splitOf[e.item.id] !== undefined) throw new Error(`loadTaskItems: item id '${e.item.id}' occurs twice (${files.join(', ')})`);
        items.push(e.item);
        splitOf[e.item.id] = split;
        bySplit[split].push(e.item);
      }
      selected[split] = part.length;
    }
    const total = entries.length;
    const kept = selected.train + selected.validation + selected.test;
    const what = kind === 'official' ? `official ${LABEL[task]}${task === 'gsm8k' ? ' train+test' : task === 'mmlu' ? ' test' : ''}` : `bundled ${LABEL[task]} sample`;
    const description = `${what} (${kept === total ? total : `${kept} of ${total}`})`;
    sources.push({ task, kind, files, available, selected, description, ...(fallbackReason ? { fallbackReason } : {}) });
  }
  return { items, splitOf, bySplit, dataSource: sources.map((s) => s.description).join(' + '), sources };
}
