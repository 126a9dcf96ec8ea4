/**
 * Prompt perturbations of Section 4.1 / Figure 3: (i) removal of numerical tokens, (ii) masking
 * of numerical tokens, (iii) sentence-level shuffling, (iv) removal of explicit reasoning cues.
 * Pure string functions (shuffling is seeded), so a perturbed prompt is reproducible and, since
 * the prompt is part of every transcript key, is stored under its own key.
 */
import { mulberry32 } from '../stats/seeded-random';

/** The four perturbation classes, by name. */
export const PERTURBATIONS = ['remove-numbers', 'mask-numbers', 'shuffle-sentences', 'remove-reasoning-cues'] as const;
export type PerturbationName = (typeof PERTURBATIONS)[number];

/** The token that replaces a number under `maskNumbers`. */
export const NUMBER_MASK = '[NUM]';

// A number as written in a prompt: digits with optional thousands separators and decimals.
// Digits inside identifiers (x1, list2) are left alone, so code keeps its names.
const NUMBER = /(?<![A-Za-z_\d])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![A-Za-z_\d.])\d+(?:\.\d+)?(?![A-Za-z_\d])/g;

/** The numbers written in `text`, left to right, as written (e.g. "1,200", "3.5"). */
export function numbersIn(text: string): string[] {
  return [...text.matchAll(NUMBER)].map((m) => m[0]);
}

/** Deletes every number (and the space before it, so no double spaces remain). */
export function removeNumbers(text: string): string {
  return text.replace(new RegExp(`[ \\t]?(?:${NUMBER.source})`, 'g'), '');
}

/** Replaces every number by `mask` (default "[NUM]"). */
export function maskNumbers(text: string, mask: string = NUMBER_MASK): string {
  return text.replace(NUMBER, mask);
}

/**
 * The sentences of a text: lines, each further split after `.`, `?` or `!` followed by a space
 * (a decimal point is not followed by a space). Empty lines are dropped.
 */
export function splitSentences(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line) => line.split(/(?<=[.?!])\s+(?=\S)/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The sentences of `text` in a seeded random order other than the original (when at least two
 * sentences differ), joined by newlines when the text had several lines, else by spaces.
 */
export function shuffleSentences(text: string, seed: number): string {
  const units = splitSentences(text);
  const joiner = text.includes('\n') ? '\n' : ' ';
  if (new Set(units).size < 2) return units.join(joiner);
  const rand = mulberry32((Math.trunc(seed) >>> 0) ^ 0x5eed5eed);
  const original = units.join('\u0000');
  for (let attempt = 0; ; attempt++) {
    const out = units.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    // a shuffle that lands on the original order is redrawn; after 50 tries, rotate by one
    if (out.join('\u0000') !== original) return out.join(joiner);
    if (attempt >= 50) return [...units.slice(1), units[0]].join(joiner);
  }
}

/**
 * Phrases that ask for or announce reasoning. Matched case-insensitively as whole words; the
 * list is deliberately short and explicit, so what counts as a "reasoning cue" can be read here.
 */
export const REASONING_CUES: readonly string[] = [
  'step by step',
  'step-by-step',
  'reason',
  'reasoning',
  'think',
  'explain',
  'explanation',
  'justify',
  'justification',
  'with a short justification',
  'therefore',
  'because',
  'first',
  'then',
  'finally',
];

const CUE_RE = new RegExp(
  `\\b(?:${[...REASONING_CUES].sort((a, b) => b.length - a.length).map((c) => c.replace(/[-]/g, '\\-').replace(/ /g, '\\s+')).join('|')})\\b`,
  'gi',
);

/** How many reasoning cues `text` contains. */
export function countReasoningCues(text: string): number {
  return [...text.matchAll(CUE_RE)].length;
}

/** Removes the reasoning cues, then tidies the spaces and punctuation left behind. */
export function removeReasoningCues(text: string): string {
  return text
    .replace(CUE_RE, '')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([,.;:?!])/g, '$1')
    .replace(/([,;:]){2,}/g, '$1')
    .replace(/([.?!])\s*[,;:]\s*/g, '$1 ')
    .replace(/^[ \t]*,\s*/gm, '')
    .replace(/[ \t]+$/gm, '');
}

/** Applies a named perturbation (`seed` is used by shuffling only). */
export function perturbText(text: string, kind: PerturbationName, seed = 0): string {
  switch (kind) {
    case 'remove-numbers':
      return removeNumbers(text);
    case 'mask-numbers':
      return maskNumbers(text);
    case 'shuffle-sentences':
      return shuffleSentences(text, seed);
    case 'remove-reasoning-cues':
      return removeReasoningCues(text);
    default:
      throw new Error(`unknown perturbation '${String(kind)}' (expected one of: ${PERTURBATIONS.join(', ')})`);
  }
}
