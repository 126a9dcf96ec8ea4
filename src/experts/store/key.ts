/**
 * Transcript keys: a generation is identified by what determines its text — backend, model,
 * prompt, decoding parameters and seed — and nothing else (not the expert id, not the time).
 */
import { createHash } from 'node:crypto';
import type { DecodingParams, Expert, GenerateOptions } from '../types';
import { effectiveParams } from '../spec';

/** The parts of a generation request that its key is made of. */
export interface KeyParts {
  backend: string;
  model: string;
  prompt: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** null when the backend runs unseeded */
  seed: number | null;
}

/** The key parts of `expert.generate(prompt, opts)`. */
export function keyPartsFor(expert: Pick<Expert, 'backend' | 'model' | 'params'>, prompt: string, opts: GenerateOptions = {}): KeyParts {
  const p = effectiveParams(expert, opts);
  return {
    backend: expert.backend,
    model: expert.model,
    prompt,
    temperature: p.temperature,
    topP: p.topP,
    maxTokens: p.maxTokens,
    seed: p.seed ?? null,
  };
}

/** SHA-256 (first 128 bits, hex) of the parts in a fixed field order. */
export function transcriptKey(parts: KeyParts): string {
  const canonical = JSON.stringify([parts.backend, parts.model, parts.prompt, parts.temperature, parts.topP, parts.maxTokens, parts.seed]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * The key under which `expert`'s answer to `prompt` is stored. Experts that answer from a store
 * recorded by another backend (replay) expose that backend as `recorded`.
 */
export function storeKeyOf(expert: Pick<Expert, 'backend' | 'model' | 'params'> & { recorded?: Pick<Expert, 'backend' | 'model' | 'params'> }, prompt: string, opts: GenerateOptions = {}): string {
  return transcriptKey(keyPartsFor(expert.recorded ?? expert, prompt, opts));
}
