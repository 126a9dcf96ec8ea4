/**
 * Train/validation/test splits of item ids. Pure. The project's splits are drawn by a hash of
 * each item's normalised prompt (`hashSplit`): the same prompt always lands in the same split, so
 * no prompt can appear in two splits, and the assignment needs no seed and no list. `seededSplit`
 * (a seeded shuffle) remains for callers that split something other than prompts.
 */
import { createHash } from 'node:crypto';
import { createRng } from './samples/rng';
import type { TaskItem } from './types';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** The ids of one task's three splits, plus how they were drawn. */
export interface SplitFile {
  task: string;
  /** 'prompt-hash' (see hashSplit); absent in older files drawn by a seeded shuffle */
  method?: 'prompt-hash';
  seed: number;
  fractions: Record<SplitName, number>;
  train: string[];
  validation: string[];
  test: string[];
}

/** The fractions used for the bundled samples: 60 / 20 / 20 %. */
export const DEFAULT_SPLIT_FRACTIONS: Record<SplitName, number> = { train: 0.6, validation: 0.2, test: 0.2 };

/**
 * Splits ids by a seeded shuffle. With `groupOf`, each group (e.g. MMLU subject) is split on its
 * own so every split spans every group. Sizes round down for validation and test; train gets the rest.
 */
export function seededSplit(ids: readonly string[], seed: number, fractions = DEFAULT_SPLIT_FRACTIONS, groupOf?: (id: string) => string): Record<SplitName, string[]> {
  const total = fractions.train + fractions.validation + fractions.test;
  if (Math.abs(total - 1) > 1e-9) throw new Error(`seededSplit: fractions must sum to 1, got ${total}`);
  const rng = createRng(seed);
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const g = groupOf ? groupOf(id) : '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(id);
  }
  const out: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const key of [...groups.keys()].sort()) {
    const shuffled = rng.shuffle(groups.get(key)!);
    const nVal = Math.floor(shuffled.length * fractions.validation);
    const nTest = Math.floor(shuffled.length * fractions.test);
    out.test.push(...shuffled.slice(0, nTest));
    out.validation.push(...shuffled.slice(nTest, nTest + nVal));
    out.train.push(...shuffled.slice(nTest + nVal));
  }
  return out;
}

/** A prompt as compared for duplicates and hashed for splits: Unicode NFKC, lower case, runs of white space as one space, trimmed. */
export function normalisePrompt(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The text that identifies an item's task: the GSM8K question, the HumanEval prompt, the MMLU
 * question with its options in sorted order (so the same question with its options reordered is
 * the same prompt, and letters can be assigned after splitting).
 */
export function itemPrompt(item: TaskItem): string {
  switch (item.task) {
    case 'gsm8k':
      return item.question;
    case 'humaneval':
      return item.prompt;
    case 'mmlu':
      return [item.question, ...[...item.choices].map(normalisePrompt).sort()].join('\n');
  }
}

/** SHA-256 (hex) of the normalised prompt. */
export function promptHash(text: string): string {
  return createHash('sha256').update(normalisePrompt(text)).digest('hex');
}

/** The first 32 bits of a prompt's hash as a uniform number in [0, 1): what splits and folds are cut by. */
export function promptUnit(text: string): number {
  return parseInt(promptHash(text).slice(0, 8), 16) / 2 ** 32;
}

/**
 * The split of a prompt: promptUnit(text) as a uniform u in [0, 1); train when
 * u < train fraction, validation when u < train + validation, else test.
 */
export function splitOfPrompt(text: string, fractions: Record<SplitName, number> = DEFAULT_SPLIT_FRACTIONS): SplitName {
  const total = fractions.train + fractions.validation + fractions.test;
  if (Math.abs(total - 1) > 1e-9) throw new Error(`splitOfPrompt: fractions must sum to 1, got ${total}`);
  const u = promptUnit(text);
  return u < fractions.train ? 'train' : u < fractions.train + fractions.validation ? 'validation' : 'test';
}

/** Splits items by the hash of their normalised prompt; ids keep the items' order within a split. */
export function hashSplit(items: readonly TaskItem[], fractions: Record<SplitName, number> = DEFAULT_SPLIT_FRACTIONS): Record<SplitName, string[]> {
  const out: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const it of items) out[splitOfPrompt(itemPrompt(it), fractions)].push(it.id);
  return out;
}

/** One duplicate found by `findDuplicatePrompts`: the ids sharing a normalised prompt and their splits. */
export interface DuplicatePrompt {
  prompt: string;
  ids: string[];
  splits: string[];
}

/** Items (with a split label) whose normalised prompts coincide, within or across splits. */
export function findDuplicatePrompts(entries: readonly { item: TaskItem; split: string }[]): DuplicatePrompt[] {
  const by = new Map<string, { ids: string[]; splits: string[] }>();
  for (const { item, split } of entries) {
    const key = `${item.task}\u0000${normalisePrompt(itemPrompt(item))}`;
    const e = by.get(key) ?? { ids: [], splits: [] };
    e.ids.push(item.id);
    e.splits.push(split);
    by.set(key, e);
  }
  return [...by.entries()].filter(([, e]) => e.ids.length > 1).map(([k, e]) => ({ prompt: k.split('\u0000')[1].slice(0, 120), ...e }));
}
