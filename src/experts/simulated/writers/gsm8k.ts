/**
 * GSM8K-style responses: the item's worked solution, re-voiced in the expert's family style, with
 * a final answer line. A wrong response carries a plausible wrong number (an intermediate result,
 * an off-by-a-little or a doubled/halved result) and the step that produced it shows it.
 */
import type { Gsm8kItem } from '../../../tasks/types';
import type { Decision } from '../competence';
import type { Rng } from '../rng';
import { chainRemark, hedgeLine, maybeDrift, paragraphs, say, verifyLine, type Voice } from '../voice';

/** The solution steps of a GSM8K answer: its lines before `####`, calculator notes removed. */
export function solutionSteps(answer: string): string[] {
  const body = answer.split('####')[0];
  return body
    .split('\n')
    .map((l) => l.replace(/<<[^>]*>>/g, '').trim())
    .filter((l) => l.length > 0);
}

/** Writes a number the way GSM8K answers do (no trailing zeros, no exponent). */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/** A plausible wrong final answer for `item`, never equal to the gold number. */
export function wrongGsm8kAnswer(item: Gsm8kItem, rng: Rng): string {
  const gold = Number(item.gold);
  const candidates = new Set<string>();
  // intermediate results: the numbers the solution writes after "="
  for (const m of item.answer.matchAll(/=\s*\$?(-?\d[\d,]*(?:\.\d+)?)/g)) candidates.add(formatNumber(Number(m[1].replace(/,/g, ''))));
  if (Number.isFinite(gold)) {
    for (const x of [gold + 1, gold - 1, gold * 2, gold / 2, gold + 10, gold - 10]) {
      if (x >= 0 || gold < 0) candidates.add(formatNumber(x));
    }
  }
  const options = [...candidates].filter((c) => Number(c) !== gold);
  return options.length > 0 ? rng.pick(options) : formatNumber(gold + 1);
}

/** Replaces the last mention of the gold number in the steps with `shown` (or adds a step). */
function showResult(steps: string[], gold: string, shown: string): string[] {
  if (shown === gold) return steps;
  const out = [...steps];
  const re = new RegExp(`(^|[^\\d.])${gold.replace(/[.$]/g, '\\$&')}(?![\\d])`, 'g');
  for (let i = out.length - 1; i >= 0; i--) {
    const matches = [...out[i].matchAll(re)];
    if (matches.length > 0) {
      const m = matches[matches.length - 1];
      const at = (m.index ?? 0) + m[1].length;
      out[i] = out[i].slice(0, at) + shown + out[i].slice(at + gold.length);
      return out;
    }
  }
  // no mention of the gold number: the slip goes into the last number of the last step, so a
  // wrong solution has as many lines as a right one (an added line would give it away)
  const last = out.length - 1;
  const nums = last >= 0 ? [...out[last].matchAll(/\d[\d,]*(?:\.\d+)?/g)] : [];
  if (nums.length > 0) {
    const m = nums[nums.length - 1];
    const at = m.index ?? 0;
    out[last] = out[last].slice(0, at) + shown + out[last].slice(at + m[0].length);
    return out;
  }
  out.push(`That gives ${shown}.`);
  return out;
}

/** The result a solution line computes (its last calculator note), or null. */
function lineResult(rawLine: string): string | null {
  const notes = [...rawLine.matchAll(/<<[^>]*=\s*(-?[\d.]+)\s*>>/g)];
  return notes.length > 0 ? formatNumber(Number(notes[notes.length - 1][1])) : null;
}

/**
 * The steps a response shows for final answer `final`. A correct (or copied) answer shows the full
 * solution. A wrong one either stops a step early, ending on the intermediate result (a
 * consistent but incomplete solution: no visible cue), or, when `visibleSlip`, shows the slip
 * in the step that produced the wrong number.
 */
export function stepsFor(item: Gsm8kItem, final: string, visibleSlip: boolean): string[] {
  const steps = solutionSteps(item.answer);
  if (final === item.gold) return steps;
  const raw = item.answer.split('####')[0].split('\n').filter((l) => l.replace(/<<[^>]*>>/g, '').trim().length > 0);
  if (!visibleSlip && steps.length > 1 && lineResult(raw[raw.length - 2]) === final) return steps.slice(0, -1);
  return showResult(steps, item.gold, final);
}

/** A wrong final answer that fits how the solution goes wrong (see `stepsFor`). */
export function wrongGsm8kFinal(item: Gsm8kItem, visibleSlip: boolean, rng: Rng): string {
  const raw = item.answer.split('####')[0].split('\n').filter((l) => l.replace(/<<[^>]*>>/g, '').trim().length > 0);
  const early = raw.length > 1 ? lineResult(raw[raw.length - 2]) : null;
  if (!visibleSlip && early !== null && Number(early) !== Number(item.gold)) return early;
  return wrongGsm8kAnswer(item, rng);
}

const LEADING_CONNECTOR = /^(first|then|next|so|finally|after that|now|altogether|in total)\b,?\s*/i;

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The response text; `final` is the number the expert ends with (gold when correct). */
export function writeGsm8k(item: Gsm8kItem, final: string, d: Decision, v: Voice, hasPrevious: boolean): string {
  const steps = stepsFor(item, final, d.visibleSlip);
  const remark = chainRemark(v, d.source, hasPrevious);
  const hedge = hedgeLine(v, d);
  const check = verifyLine(v, d);
  const drift = maybeDrift(v);
  switch (v.family) {
    case 'llama':
      return paragraphs([
        remark,
        ...steps.map((s, i) => `## Step ${i + 1}: ${s}`),
        drift,
        check,
        hedge,
        `The final answer is: $\\boxed{${final}}$`,
      ]);
    case 'qwen':
      return paragraphs([
        remark,
        say(v, ["To solve the problem, let's go through it step by step.", 'We break the problem into clear steps.', 'Step-by-step solution:']),
        steps.map((s, i) => `${i + 1}. ${s}`).join('\n'),
        drift,
        check,
        hedge,
        '---',
        `### Final Answer\n\\boxed{${final}}`,
      ]);
    case 'deepseek': {
      const connectors = ['First,', 'Then', 'Next,', 'So', 'After that,', 'Now'];
      const firstSentence = item.question.split(/(?<=[.?!])\s/)[0];
      const think = [
        say(v, ['Okay, let me work through this.', 'Alright, I need to figure this out carefully.', 'Hmm, let me think about this problem.']),
        `The question says: "${firstSentence}"`,
        ...steps.map((s, i) => `${connectors[Math.min(i, connectors.length - 1)]} ${lowerFirst(s.replace(LEADING_CONNECTOR, ''))}`),
        drift,
        d.hedge ? say(v, ['Wait, did I mix something up? I am not sure, let me just go with it.', 'Hmm, this does not quite add up, but I will keep it.']) : 'Let me make sure that is consistent. Yes, it is.',
      ];
      return paragraphs([`<think>\n${think.filter(Boolean).join('\n')}\n</think>`, remark, steps[steps.length - 1], check, hedge, `**Final answer:** ${final}`]);
    }
    case 'mistral':
      return paragraphs([
        remark,
        say(v, ["Let's break this down:", 'Here is how to solve it:', 'Working it out:']),
        steps.map((s) => `- ${s}`).join('\n'),
        drift,
        check,
        hedge,
        `#### ${final}`,
      ]);
  }
}
