/**
 * MMLU grading: which option letter does a free-text response choose? We accept the usual ways
 * models state it ("The answer is (C)", "Answer: C", "**C**", "C. <option text>", "\boxed{C}")
 * and return null when the response names no option or names several without committing.
 */
import type { Choice } from './types';

const L = '([ABCD])(?![A-Za-z0-9])';

// An explicit statement; the last one in the response wins (models often revise).
const EXPLICIT = new RegExp(
  String.raw`(?:answer|(?:correct|best|right) (?:option|choice))\s*(?:is|would be|should be|[:=])?\s*(?:option|choice)?\s*[:\-]?\s*[\(\[*_\s]*` + L,
  'gi',
);
const BOXED = new RegExp(String.raw`\\boxed\s*\{\s*(?:\\text\{)?\s*\(?` + L, 'g');
const BOLD = new RegExp(String.raw`\*\*\s*\(?` + L + String.raw`\)?[.:)]?\s*(?:\*\*|[^*\n]{0,80}\*\*)`, 'g');
const LINE_START = new RegExp(String.raw`^\s*\(?` + L + String.raw`[.):]`, 'gm');
const PARENS = new RegExp(String.raw`\(` + L + String.raw`\)`, 'g');

function lastMatch(text: string, re: RegExp): Choice | null {
  let last: Choice | null = null;
  for (const m of text.matchAll(re)) last = m[1].toUpperCase() as Choice;
  return last;
}

// The letter when every match agrees on one letter, else null (an option list is not an answer).
function uniqueMatch(text: string, re: RegExp): Choice | null {
  const letters = new Set<string>();
  for (const m of text.matchAll(re)) letters.add(m[1]);
  return letters.size === 1 ? ([...letters][0] as Choice) : null;
}

/** The option letter a response commits to, or null. */
export function extractChoice(responseText: string): Choice | null {
  const text = responseText.trim();
  if (text === '') return null;
  const bare = /^\(?\s*([ABCD])\s*\)?[.!]?$/.exec(text);
  if (bare) return bare[1] as Choice;

  const boxed = lastMatch(text, BOXED);
  if (boxed) return boxed;
  // Case-insensitive phrase, but the letter itself must be a capital A-D.
  let explicit: Choice | null = null;
  for (const m of text.matchAll(EXPLICIT)) if (/[ABCD]/.test(m[1])) explicit = m[1] as Choice;
  if (explicit) return explicit;
  return uniqueMatch(text, BOLD) ?? uniqueMatch(text, LINE_START) ?? uniqueMatch(text, PARENS);
}
