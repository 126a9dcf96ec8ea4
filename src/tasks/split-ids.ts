/** Fixed, seeded train/validation/test splits of item ids. Pure. */
import { createRng } from './samples/rng';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** The ids of one task's three splits, plus how they were drawn. */
export interface SplitFile {
  task: string;
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
