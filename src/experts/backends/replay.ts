/**
 * The `replay` backend: answers only from a run's transcript store, never generates. It stands in
 * for an expert whose generations were recorded earlier (on a GPU host, through an endpoint, ...),
 * so analyses can be re-run anywhere. A prompt that was not recorded is an error naming its key.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { baseExpertSpec, decodingParamsOf } from '../spec';
import { keyPartsFor, transcriptKey } from '../store/key';
import { TranscriptStore } from '../store/transcript-store';
import type { BackendName, Expert, GenerateOptions, Generation } from '../types';

/** Config entry of a replay expert. */
export const replaySpec = baseExpertSpec.extend({
  backend: z.literal('replay'),
  /** run directory holding transcripts.jsonl; relative paths are resolved against the config file */
  run: z.string().min(1),
  /** the backend that produced the recorded generations (part of their keys) */
  recordedBackend: z.enum(['llama-cpp', 'openai', 'transformers', 'simulated']),
  /**
   * the model name the recorded generations carry, when it differs from `model` (a simulated
   * expert's model name carries its id and parameter hash, e.g. "simulated:qwen3-8b:E2:1a2b3c4d")
   */
  recordedModel: z.string().optional(),
  /**
   * the `variant` the recorded generations carry (the recorded expert's backend settings that
   * change the text, e.g. "system-prompt:..."; see the records' `variant` field), if any
   */
  recordedVariant: z.string().min(1).optional(),
});
export type ReplaySpec = z.infer<typeof replaySpec>;

/** Thrown when a replayed prompt has no record. */
export class ReplayMissError extends Error {
  constructor(
    readonly key: string,
    readonly expertId: string,
    readonly storeDir: string,
    prompt: string,
  ) {
    super(`replay expert ${expertId}: no transcript with key ${key} in ${storeDir} (prompt starts ${JSON.stringify(prompt.slice(0, 60))})`);
    this.name = 'ReplayMissError';
  }
}

/** A replay expert; `recorded` is the backend and model whose transcripts it answers with. */
export interface ReplayExpert extends Expert {
  readonly recorded: Pick<Expert, 'backend' | 'model' | 'params' | 'variant'>;
}

/** A replay expert over an already open store. */
export function replayExpert(
  store: TranscriptStore,
  e: { id: string; model: string; recordedBackend: BackendName; recordedModel?: string; recordedVariant?: string; params: Expert['params'] },
): ReplayExpert {
  const recorded = { backend: e.recordedBackend, model: e.recordedModel ?? e.model, params: e.params, ...(e.recordedVariant ? { variant: e.recordedVariant } : {}) };
  return {
    id: e.id,
    backend: 'replay',
    model: e.model,
    params: e.params,
    recorded,
    async generate(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
      const key = transcriptKey(keyPartsFor(recorded, prompt, opts));
      const rec = store.get(key);
      if (!rec) throw new ReplayMissError(key, e.id, store.dir, prompt);
      return { text: rec.text, usage: rec.usage, ...(rec.tokenEntropies ? { tokenEntropies: rec.tokenEntropies } : {}) };
    },
  };
}

/**
 * Factory used by the consortium loader: opens the run's store read-only. The decoding parameters
 * are the recorded expert's as its own backend derived them: the real backends (llama-cpp, openai,
 * transformers) give an entry without `seed` the default seed of its id (`decodingParamsOf`), so a
 * replay entry that keeps the recorded expert's id finds its records; a simulated expert has no
 * default seed.
 */
export function createReplayExpert(spec: ReplaySpec, ctx: { configDir: string }): ReplayExpert {
  const store = TranscriptStore.open(path.resolve(ctx.configDir, spec.run), { readOnly: true });
  const params =
    spec.recordedBackend === 'simulated'
      ? { temperature: spec.temperature, topP: spec.topP, maxTokens: spec.maxTokens, ...(spec.seed === undefined ? {} : { seed: spec.seed }) }
      : decodingParamsOf(spec);
  return replayExpert(store, {
    id: spec.id,
    model: spec.model,
    recordedBackend: spec.recordedBackend,
    recordedModel: spec.recordedModel,
    recordedVariant: spec.recordedVariant,
    params,
  });
}
