/**
 * GSM8K grading: find the final numeric answer in a free-text response and compare it with the
 * gold number. Where a response states its answer explicitly we trust that statement; otherwise
 * the last number in the text is the answer (the convention of the GSM8K paper).
 */
import { findNumbers, parseNumber, sameNumber, type NumberMatch } from './numbers';

// Explicit answer markers after `#### N`, strongest first. Each is searched for its LAST occurrence.
const MARKERS: RegExp[] = [
  /\\boxed\s*\{/g,
  /(?:final answer|the answer is|answer\s*[:=]|answer is)/gi,
];

function lastIndexOfPattern(text: string, re: RegExp): number {
  let last = -1;
  for (const m of text.matchAll(re)) last = (m.index ?? 0) + m[0].length;
  return last;
}

/**
 * The number a response gives as its final answer, or null when it contains none.
 * Order: the number on the last `#### N` line (not a `####` markdown heading); inside the last
 * `\boxed{}`; after the last "answer is"/"answer:"; else the last number anywhere.
 */
export function extractGsm8kAnswer(responseText: string): number | null {
  const hashes = [...responseText.matchAll(/####(.*)/g)].reverse();
  for (const m of hashes) {
    const value = hashLineNumber(m[1]);
    if (value !== null) return value;
  }
  for (const marker of MARKERS) {
    const at = lastIndexOfPattern(responseText, marker);
    if (at < 0) continue;
    // Look at the rest of that line only: "The answer is 12 apples. Check: 3*4=12" -> 12.
    const restOfLine = responseText.slice(at).split('\n').find((l) => l.trim() !== '') ?? '';
    const first = firstNumber(restOfLine);
    if (first !== null) return first.value;
  }
  const all = findNumbers(responseText);
  return all.length ? all[all.length - 1].value : null;
}

/**
 * The answer on a `####` line, or null when the line is not one: `#### 72`, `#### $1,250`,
 * `#### 72 apples` count; a markdown heading (`#### Step 2`, `#### 2. Add the costs`,
 * `#### Final answer`) does not.
 */
function hashLineNumber(rest: string): number | null {
  const whole = parseNumber(rest);
  if (whole !== null) return whole;
  const unit = /^\s*(\S*[\d%])\s+[A-Za-z][A-Za-z ]*\.?\s*$/.exec(rest);
  return unit ? parseNumber(unit[1]) : null;
}

function firstNumber(text: string): NumberMatch | null {
  const nums = findNumbers(text);
  return nums.length ? nums[0] : null;
}

/** True when the response's final number equals the gold answer (`1,000`, `$12.50`, `3/4` are understood). */
export function gradeGsm8k(responseText: string, goldAnswer: string): boolean {
  const gold = parseNumber(goldAnswer);
  if (gold === null) throw new Error(`gradeGsm8k: gold answer '${goldAnswer}' is not a number`);
  const got = extractGsm8kAnswer(responseText);
  return got !== null && sameNumber(got, gold);
}
