/**
 * Wraps an expert so that every generation goes through the transcript store: a stored key is
 * answered from the store, a new one is generated once and written before it is returned.
 */
import type { Expert, GenerateOptions, Generation } from '../types';
import { keyPartsFor, transcriptKey } from './key';
import type { TranscriptRecord, TranscriptStore } from './transcript-store';

/** An expert backed by a store, with counters of how often it really generated. */
export interface StoredExpert extends Expert {
  readonly inner: Expert;
  readonly stats: { generated: number; reused: number };
  /** the key `generate(prompt, opts)` would use */
  keyOf(prompt: string, opts?: GenerateOptions): string;
}

function toGeneration(rec: TranscriptRecord): Generation {
  return { text: rec.text, usage: rec.usage, ...(rec.tokenEntropies ? { tokenEntropies: rec.tokenEntropies } : {}) };
}

/** Returns `expert` with its generations read from and written to `store`. */
export function withStore(expert: Expert, store: TranscriptStore): StoredExpert {
  const stats = { generated: 0, reused: 0 };
  const keyOf = (prompt: string, opts: GenerateOptions = {}) => transcriptKey(keyPartsFor(expert, prompt, opts));
  return {
    id: expert.id,
    backend: expert.backend,
    model: expert.model,
    params: expert.params,
    ...(expert.variant ? { variant: expert.variant } : {}),
    inner: expert,
    stats,
    keyOf,
    async generate(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
      const parts = keyPartsFor(expert, prompt, opts);
      const key = transcriptKey(parts);
      const hit = store.get(key);
      if (hit) {
        stats.reused++;
        return toGeneration(hit);
      }
      const gen = await expert.generate(prompt, opts);
      stats.generated++;
      const record: TranscriptRecord = {
        ...parts,
        expertId: expert.id,
        ...(opts.item ? { itemId: opts.item.id, task: opts.item.task } : {}),
        text: gen.text,
        usage: gen.usage,
        ...(gen.tokenEntropies ? { tokenEntropies: gen.tokenEntropies } : {}),
      };
      // a concurrent call may have stored the same key meanwhile; the first record wins
      if (!store.put(key, record)) return toGeneration(store.get(key) as TranscriptRecord);
      return gen;
    },
    dispose: expert.dispose ? () => (expert.dispose as () => Promise<void>)() : undefined,
  };
}
