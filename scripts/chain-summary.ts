/** How the scripts print routed chains: the most frequent ones, overall and per planted sub-type. */
import { itemSubtype } from '../src/experts/simulated/competence';
import { simulatedPresetSpecs } from '../src/experts/simulated/presets';

/** The `top` most frequent chains, e.g. "E7>E8 x3, E1>E4 x2". */
export function summariseChains(chains: number[][], ids: readonly string[], top = 4): string {
  const counts = new Map<string, number>();
  for (const c of chains) {
    const k = c.map((e) => ids[e]).join('>');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, n]) => `${k} x${n}`)
    .join(', ');
}

/**
 * Where a simulated preset plants latent sub-types: per sub-type (routine first), its item count
 * and the chains its items got. Empty for a preset without sub-types or a non-simulated one.
 */
export function chainsBySubtype(preset: string, items: readonly { id: string }[], chains: number[][], ids: readonly string[], top = 4): Array<{ subtype: string; n: number; chains: string }> {
  let subtypes: Record<string, number> | undefined;
  try {
    subtypes = simulatedPresetSpecs(preset as Parameters<typeof simulatedPresetSpecs>[0])[0]?.subtypes;
  } catch {
    return []; // a consortium config path, not a simulated preset
  }
  if (!subtypes) return [];
  return ['routine', ...Object.keys(subtypes).sort()].map((subtype) => {
    const mine = chains.filter((_, n) => itemSubtype(subtypes, items[n].id) === subtype);
    return { subtype, n: mine.length, chains: summariseChains(mine, ids, top) };
  });
}
