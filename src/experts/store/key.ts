/**
 * Transcript keys: a generation is identified by what determines its text — backend, model,
 * prompt, decoding parameters and seed (plus the expert's `variant`, the backend settings that
 * change the text, and, for a simulated expert in a chain, which experts answered before it) —
 * and nothing else (not the expert id, not the time).
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
  /**
   * Simulated experts inside a chain only: the ids of the experts consulted before, oldest first.
   * A simulated answer depends on them (the chain position seeds it, a planted dependency reads
   * who answered last), not only on the prompt text; two experts can write the very same text, so
   * without them a chain after one would be answered from the record of a chain after the other.
   * Absent otherwise, so standalone keys are unchanged.
   */
  chain?: string[];
  /** the expert's `variant` (backend settings that change the text), when it has one */
  variant?: string;
}

/** The key parts of `expert.generate(prompt, opts)`. */
export function keyPartsFor(expert: Pick<Expert, 'backend' | 'model' | 'params' | 'variant'>, prompt: string, opts: GenerateOptions = {}): KeyParts {
  const p = effectiveParams(expert, opts);
  const chain = expert.backend === 'simulated' && opts.previous && opts.previous.length > 0 ? opts.previous.map((r) => r.expertId) : undefined;
  return {
    backend: expert.backend,
    model: expert.model,
    prompt,
    temperature: p.temperature,
    topP: p.topP,
    maxTokens: p.maxTokens,
    seed: p.seed ?? null,
    ...(chain ? { chain } : {}),
    ...(expert.variant ? { variant: expert.variant } : {}),
  };
}

/** SHA-256 (first 128 bits, hex) of the parts in a fixed field order (`chain`, then `variant`, when present). */
export function transcriptKey(parts: KeyParts): string {
  const fields: unknown[] = [parts.backend, parts.model, parts.prompt, parts.temperature, parts.topP, parts.maxTokens, parts.seed];
  if (parts.chain) fields.push(parts.chain);
  if (parts.variant) fields.push({ variant: parts.variant });
  const canonical = JSON.stringify(fields);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * The key under which `expert`'s answer to `prompt` is stored. Experts that answer from a store
 * recorded by another backend (replay) expose that backend as `recorded`.
 */
export function storeKeyOf(
  expert: Pick<Expert, 'backend' | 'model' | 'params' | 'variant'> & { recorded?: Pick<Expert, 'backend' | 'model' | 'params' | 'variant'> },
  prompt: string,
  opts: GenerateOptions = {},
): string {
  return transcriptKey(keyPartsFor(expert.recorded ?? expert, prompt, opts));
}

/**
 * SHA-256 (first 128 bits, hex) of a response text: part of a grade's key, so a grade is found
 * only for the exact text it graded (a record regenerated after a repair gets graded anew).
 */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}
