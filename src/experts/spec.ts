/**
 * The fields every expert entry of a consortium config has, whatever its backend. Each backend
 * extends `baseExpertSpec` with `backend: z.literal('<name>')` and its own fields, and the
 * consortium loader joins them in a discriminated union on `backend`.
 */
import { z } from 'zod';
import { seedFromString } from './backends/llama-cpp-sampling';
import type { DecodingParams, Expert, GenerateOptions } from './types';

export const baseExpertSpec = z.object({
  /** unique within the consortium, e.g. "E3" */
  id: z.string().min(1),
  /** model name as the paper's tables give it, e.g. "Qwen3 8B" */
  model: z.string().min(1),
  temperature: z.number().min(0).max(2),
  topP: z.number().gt(0).max(1).default(0.7),
  maxTokens: z.number().int().positive().default(512),
  seed: z.number().int().optional(),
});
export type BaseExpertSpec = z.infer<typeof baseExpertSpec>;

/**
 * The decoding parameters of an expert entry (part of every transcript key). Without an explicit
 * seed each expert gets a stable one from its id, so two experts that share a model and a
 * temperature still sample differently, and re-runs reproduce.
 */
export function decodingParamsOf(spec: BaseExpertSpec): DecodingParams {
  return {
    temperature: spec.temperature,
    topP: spec.topP,
    maxTokens: spec.maxTokens,
    seed: spec.seed ?? seedFromString(spec.id),
  };
}

/** The decoding parameters in force for one call: the expert's own, overridden by the call's. */
export function effectiveParams(expert: Pick<Expert, 'params'>, opts: GenerateOptions = {}): DecodingParams {
  const seed = opts.seed ?? expert.params.seed;
  return {
    temperature: opts.temperature ?? expert.params.temperature,
    topP: opts.topP ?? expert.params.topP,
    maxTokens: opts.maxTokens ?? expert.params.maxTokens,
    ...(seed === undefined ? {} : { seed }),
  };
}
