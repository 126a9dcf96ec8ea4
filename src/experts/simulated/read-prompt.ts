/**
 * What a simulated expert can read of its task in the prompt it is given. It compares the prompt
 * text with the item (the item is what it "knows" the task to be): how many of the item's numbers
 * it finds, whether the item's sentences come in their order, and whether the standard prompt's
 * reasoning cues are there. Removing or masking numbers, shuffling sentences or deleting cues in
 * the prompt therefore changes what the expert gets right, with no flag involved.
 */
import { countReasoningCues, numbersIn, removeNumbers, removeReasoningCues, splitSentences, NUMBER_MASK } from '../../tasks/perturb';
import type { TaskItem } from '../../tasks/types';
import { formatTaskPrompt } from '../task-prompt';
import type { PromptReading } from './competence';

/** The task part of a chain prompt (Appendix E puts the task last, after "Task:"), else all of it. */
export function taskSection(prompt: string): string {
  const at = prompt.lastIndexOf('Task:\n');
  return at >= 0 ? prompt.slice(at + 'Task:\n'.length) : prompt;
}

/** The text of the item that carries its content, in order. */
function coreText(item: TaskItem): string {
  switch (item.task) {
    case 'gsm8k':
      return item.question;
    case 'mmlu':
      return [item.question, ...item.choices].join('\n');
    case 'humaneval':
      return item.prompt;
  }
}

/** Text compared for order: letters only (numbers, masks, reasoning cues, spacing and punctuation out), case folded. */
function normalise(s: string): string {
  // only letters are kept: removing or masking a number or a cue leaves different spacing and punctuation
  return removeReasoningCues(removeNumbers(s.split(NUMBER_MASK).join(' ')))
    .replace(/[^\p{L}]/gu, '')
    .toLowerCase();
}

/** Share of `wanted` (a multiset) found in `have`. */
function shareFound(wanted: string[], have: string[]): number {
  if (wanted.length === 0) return 1;
  const pool = new Map<string, number>();
  for (const h of have) {
    const k = h.replace(/,/g, '');
    pool.set(k, (pool.get(k) ?? 0) + 1);
  }
  let found = 0;
  for (const w of wanted) {
    const k = w.replace(/,/g, '');
    const n = pool.get(k) ?? 0;
    if (n > 0) {
      found++;
      pool.set(k, n - 1);
    }
  }
  return found / wanted.length;
}

/** Characters allowed between two consecutive sentences (white space aside): "question:", "b.". */
const MAX_GAP = 10;

/** Share of the item's consecutive sentence pairs that appear, in that order, in `section`. */
function orderKept(core: string, section: string): number {
  // every sentence, in order (one that is all numbers or cues normalises to nothing and is skipped)
  const units = splitSentences(core).map(normalise).filter((u) => u.length > 0);
  if (units.length < 2) return 1;
  const text = normalise(section.split('\n').join(' '));
  // a pair is kept when the second sentence follows the first within a few characters (an
  // option letter such as "b." may sit between them); an intact prompt keeps every pair, even
  // when a short sentence also occurs earlier in it
  let kept = 0;
  for (let k = 0; k + 1 < units.length; k++) {
    let at = text.indexOf(units[k]);
    while (at >= 0) {
      const end = at + units[k].length;
      const next = text.indexOf(units[k + 1], end);
      if (next >= 0 && next - end <= MAX_GAP) {
        kept++;
        break;
      }
      at = text.indexOf(units[k], at + 1);
    }
  }
  return kept / (units.length - 1);
}

/** How much of `item`'s task the expert can read in `prompt` (1 each when intact). */
export function readPrompt(item: TaskItem, prompt: string): PromptReading {
  const section = taskSection(prompt);
  const core = coreText(item);
  const cuesWanted = countReasoningCues(formatTaskPrompt(item));
  return {
    numbers: shareFound(numbersIn(core), numbersIn(section)),
    order: orderKept(core, section),
    reasoning: cuesWanted === 0 ? 1 : Math.min(1, countReasoningCues(section) / cuesWanted),
  };
}
