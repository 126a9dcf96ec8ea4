/**
 * The run manifest: `<run>/run.json`, written by `inform generate`, says how the run's transcript
 * store was filled (consortium, tasks, splits, limit, data source, seeds, pairs), so `inform train`
 * and `inform probe` rebuild exactly the items it generated instead of guessing from their own
 * defaults. It describes the newest `generate` into the folder; a re-run with another selection
 * replaces it (the store keeps every answer either way).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { loadSplit } from '../tasks/load-split';
import { loadTaskItems } from '../tasks/task-source';
import type { TaskItem, TaskName } from '../tasks/types';

export const RUN_MANIFEST_FILE = 'run.json';

const TASK_NAMES = ['gsm8k', 'mmlu', 'humaneval'] as const;
const SPLITS = ['train', 'validation', 'test'] as const;

export const runManifestSchema = z
  .object({
    version: z.literal(1),
    /** the command that wrote it, e.g. "inform generate" */
    writtenBy: z.string().min(1),
    /** ISO time of the newest write */
    updatedAt: z.string().min(1),
    consortium: z
      .object({
        /** the config's `name` */
        name: z.string().min(1),
        /** what `--consortium` resolves to: a preset name or an absolute config path */
        source: z.string().min(1),
        simulated: z.boolean(),
      })
      .strict(),
    tasks: z.array(z.enum(TASK_NAMES)).min(1),
    splits: z.array(z.enum(SPLITS)).min(1),
    /** at most this many items per task, after the split; null: all */
    limit: z.number().int().positive().nullable(),
    /**
     * where the items came from. bundled: the bundled splits in data/; directory: a `--data` folder
     * with the same layout (splits by loadSplit, then the first `limit` per task); task-items:
     * loadTaskItems (official files when present, else bundled; `limit` is its limitPerTask).
     */
    data: z.discriminatedUnion('source', [
      z.object({ source: z.literal('bundled') }).strict(),
      z.object({ source: z.literal('directory'), dir: z.string().min(1) }).strict(),
      z
        .object({
          source: z.literal('task-items'),
          from: z.enum(['auto', 'official', 'bundled']),
          seed: z.number().int().optional(),
          officialDir: z.string().min(1).optional(),
          dataDir: z.string().min(1).optional(),
          /** loadTaskItems' own description, e.g. "official GSM8K train+test (8792) + ..." */
          dataSource: z.string().min(1),
        })
        .strict(),
    ]),
    /** each expert's decoding seed, where its config sets one (expert id -> seed) */
    seeds: z.record(z.number().int()),
    /** ordered pairs generated: none, all, or sample:K */
    pairs: z.string().regex(/^(none|all|sample:[1-9]\d*)$/, 'expected none, all or sample:K'),
    /** whether the answers were graded */
    graded: z.boolean(),
    /** items selected over all tasks (a check for readers) */
    items: z.number().int().nonnegative(),
  })
  .strict();

export type RunManifest = z.infer<typeof runManifestSchema>;

/** A run.json that exists but is not a valid manifest: names the file and the field. */
export class RunManifestError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field ? `field '${field}': ` : ''}${detail}`);
    this.name = 'RunManifestError';
  }
}

/** Validates plain data as a manifest; `file` only labels the error. */
export function validateRunManifest(data: unknown, file = RUN_MANIFEST_FILE): RunManifest {
  const r = runManifestSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  throw new RunManifestError(file, issue.path.join('.'), detail);
}

export function runManifestPath(runDir: string): string {
  return path.join(runDir, RUN_MANIFEST_FILE);
}

/** Writes (or replaces) `<runDir>/run.json` atomically (temp file + rename); returns its path. */
export function writeRunManifest(runDir: string, manifest: RunManifest): string {
  const file = runManifestPath(runDir);
  const valid = validateRunManifest(manifest, file);
  fs.mkdirSync(runDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(valid, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}

/** Reads `<runDir>/run.json`: undefined when the run has none (made before manifests existed). */
export function readRunManifest(runDir: string): RunManifest | undefined {
  const file = runManifestPath(runDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RunManifestError(file, '', `not valid JSON (${(e as Error).message})`);
  }
  return validateRunManifest(data, file);
}

/** The item selection of a run, as `inform generate` took it. */
export interface ItemSelection {
  tasks: readonly TaskName[];
  splits: readonly (typeof SPLITS)[number][];
  limit: number | null;
  /** data directory; undefined: the bundled data */
  dataDir?: string;
  /** load through loadTaskItems instead (official or bundled; `limit` is its limitPerTask) */
  taskItems?: { from: 'auto' | 'official' | 'bundled'; seed?: number; officialDir?: string; dataDir?: string };
}

export function selectionOf(m: RunManifest): ItemSelection {
  const base = { tasks: m.tasks, splits: m.splits, limit: m.limit };
  if (m.data.source === 'directory') return { ...base, dataDir: m.data.dir };
  if (m.data.source === 'task-items') {
    const { from, seed, officialDir, dataDir } = m.data;
    return { ...base, taskItems: { from, ...(seed !== undefined ? { seed } : {}), ...(officialDir ? { officialDir } : {}), ...(dataDir ? { dataDir } : {}) } };
  }
  return base;
}

/**
 * Loads the items of a selection: per task, the splits in order, then the first `limit`; or,
 * for a loadTaskItems selection, its items.
 */
export async function loadSelectedItems(sel: ItemSelection): Promise<TaskItem[]> {
  if (sel.taskItems) {
    const t = sel.taskItems;
    return loadTaskItems({
      tasks: sel.tasks,
      splits: sel.splits,
      source: t.from,
      ...(sel.limit !== null ? { limitPerTask: sel.limit } : {}),
      ...(t.seed !== undefined ? { seed: t.seed } : {}),
      ...(t.officialDir ? { officialDir: t.officialDir } : {}),
      ...(t.dataDir ? { dataDir: t.dataDir } : {}),
    }).items;
  }
  const items: TaskItem[] = [];
  for (const task of sel.tasks) {
    let taskItems: TaskItem[] = [];
    for (const split of sel.splits) taskItems.push(...(await loadSplit(task, split, sel.dataDir ? { dataDir: sel.dataDir } : {})));
    if (sel.limit !== null) taskItems = taskItems.slice(0, sel.limit);
    items.push(...taskItems);
  }
  return items;
}

/** The items a run's manifest describes; an error if their count differs from the recorded one. */
export async function loadManifestItems(runDir: string, m: RunManifest): Promise<TaskItem[]> {
  const items = await loadSelectedItems(selectionOf(m));
  if (items.length !== m.items) {
    throw new RunManifestError(runManifestPath(runDir), 'items', `records ${m.items} items but the selection now loads ${items.length} (the data changed since \`inform generate\`)`);
  }
  return items;
}

/** One line describing the selection, for logs: "gsm8k, mmlu | train+test | limit 20 | bundled data". */
export function describeSelection(m: RunManifest): string {
  const data = m.data.source === 'bundled' ? 'bundled data' : m.data.source === 'directory' ? `data ${m.data.dir}` : m.data.dataSource;
  return `${m.consortium.name} | ${m.tasks.join(', ')} | ${m.splits.join('+')} | ${m.limit === null ? 'all items' : `limit ${m.limit} per task`} | ${data} | pairs ${m.pairs}`;
}
