/**
 * The bundled samples' fixed train / validation / test splits (data/splits/<task>.json, drawn
 * by the hash of each item's normalised prompt, see split-ids.ts). Items come back in the split
 * file's order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseGsm8k } from './load-gsm8k';
import { parseHumanEval } from './load-humaneval';
import { parseMmluCsv } from './load-mmlu';
import { readTextFile } from './read-text';
import { SAMPLE_PATHS } from './samples/generate';
import type { SplitName } from './split-ids';
import type { Gsm8kItem, HumanEvalItem, MmluItem, TaskName } from './types';

/** Where the bundled data lives: `<repo>/data`. */
export const BUNDLED_DATA_DIR = path.join(__dirname, '..', '..', 'data');

/** Options for loadSplit. */
export interface SplitOptions {
  /** data directory holding gsm8k/, mmlu/, humaneval/ and splits/ (default: the bundled one) */
  dataDir?: string;
}

interface ItemOf {
  gsm8k: Gsm8kItem;
  mmlu: MmluItem;
  humaneval: HumanEvalItem;
}

const splitSchema = z.object({
  task: z.enum(['gsm8k', 'mmlu', 'humaneval']),
  method: z.literal('prompt-hash').optional(),
  seed: z.number().int(),
  train: z.array(z.string()),
  validation: z.array(z.string()),
  test: z.array(z.string()),
});

/** Every bundled sample item of a task (all splits), read synchronously. */
export function loadBundledSync<T extends TaskName>(task: T, opts: SplitOptions = {}): Array<ItemOf[T]> {
  const dir = opts.dataDir ?? BUNDLED_DATA_DIR;
  if (task === 'gsm8k') {
    const file = path.join(dir, SAMPLE_PATHS.gsm8k);
    return parseGsm8k(readTextFile(file), file) as Array<ItemOf[T]>;
  }
  if (task === 'humaneval') {
    const file = path.join(dir, SAMPLE_PATHS.humaneval);
    return parseHumanEval(readTextFile(file), file) as Array<ItemOf[T]>;
  }
  if (task === 'mmlu') {
    const mmluDir = path.join(dir, SAMPLE_PATHS.mmluDir);
    const files = fs.readdirSync(mmluDir).filter((f) => f.endsWith('.csv')).sort();
    return files.flatMap((f) => parseMmluCsv(readTextFile(path.join(mmluDir, f)), path.join(mmluDir, f))) as Array<ItemOf[T]>;
  }
  throw new Error(`unknown task '${task}' (expected gsm8k, mmlu or humaneval)`);
}

/** The items of one split of the bundled samples, synchronously. */
export function loadSplitSync<T extends TaskName>(task: T, split: SplitName, opts: SplitOptions = {}): Array<ItemOf[T]> {
  if (!['train', 'validation', 'test'].includes(split)) throw new Error(`unknown split '${split}' (expected train, validation or test)`);
  const dir = opts.dataDir ?? BUNDLED_DATA_DIR;
  const file = path.join(dir, SAMPLE_PATHS.split(task));
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read split file (${(e as Error).message})`);
  }
  const parsed = splitSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: field '${issue.path.join('.')}': ${issue.message}`);
  }
  const byId = new Map<string, ItemOf[T]>(loadBundledSync(task, opts).map((it) => [it.id, it]));
  return parsed.data[split].map((id) => {
    const item = byId.get(id);
    if (!item) throw new Error(`${file}: split '${split}' names '${id}', which is not in the ${task} samples`);
    return item;
  });
}

/** The items of one split (train / validation / test) of the bundled samples of a task. */
export async function loadSplit<T extends TaskName>(task: T, split: SplitName, opts: SplitOptions = {}): Promise<Array<ItemOf[T]>> {
  return loadSplitSync(task, split, opts);
}
