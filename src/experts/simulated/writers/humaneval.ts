/**
 * HumanEval-style responses: the completed function in a Python code block. A correct one is the
 * item's canonical solution with cosmetic changes (a comment, spacing); a wrong one is a
 * plausibly broken variant of it (a flipped comparison, an off-by-one range, a swapped operator
 * or boolean, or a stub returning a constant), which the real tests then fail.
 */
import type { HumanEvalItem } from '../../../tasks/types';
import type { Decision } from '../competence';
import type { Rng } from '../rng';
import { chainRemark, hedgeLine, maybeDrift, paragraphs, say, verifyLine, type Voice } from '../voice';

/** One way to break code: where it applies and what it does. */
interface Mutation {
  name: string;
  pattern: RegExp;
  replace: (match: string) => string;
}

// Comparisons are negated rather than shifted by one (`<` -> `>=`, not `<=`): a boundary shift is
// often an equivalent mutant (`v > best` vs `v >= best` when keeping a running maximum).
const SWAP: Record<string, string> = { '<=': '>', '>=': '<', '<': '>=', '>': '<=', '==': '!=', '!=': '==', '+': '-', '-': '+', True: 'False', False: 'True', and: 'or', or: 'and' };

const MUTATIONS: Mutation[] = [
  { name: 'comparison', pattern: /(?<=\s)(<=|>=|==|!=|<|>)(?=\s)/g, replace: (m) => SWAP[m] },
  { name: 'arithmetic', pattern: /(?<=\s)[+-](?=\s)/g, replace: (m) => SWAP[m] },
  { name: 'off-by-one', pattern: /range\(([^()]*(?:\([^()]*\))?[^()]*)\)/g, replace: (m) => m.replace(/\)$/, ' - 1)') },
  { name: 'boolean', pattern: /\b(True|False)\b/g, replace: (m) => SWAP[m] },
  { name: 'logic', pattern: /(?<=\s)(and|or)(?=\s)/g, replace: (m) => SWAP[m] },
];

/** Applies one random applicable mutation to `body`; falls back to a stub returning None. */
export function mutateSolution(body: string, rng: Rng, allowStub = true): { code: string; mutation: string } {
  const applicable = MUTATIONS.map((mu) => ({ mu, hits: [...body.matchAll(mu.pattern)] })).filter((x) => x.hits.length > 0);
  // the stub is always possible, and (leaky condition) as likely as any single mutation kind; in
  // the zero-leak condition only when nothing else applies (a one-line body would give it away)
  const k = allowStub || applicable.length === 0 ? rng.int(applicable.length + 1) : rng.int(applicable.length);
  if (k === applicable.length) {
    const indent = /^([ \t]+)\S/m.exec(body)?.[1] ?? '    ';
    return { code: `${indent}return None\n`, mutation: 'constant' };
  }
  const { mu, hits } = applicable[k];
  const hit = rng.pick(hits);
  const at = hit.index ?? 0;
  return { code: body.slice(0, at) + mu.replace(hit[0]) + body.slice(at + hit[0].length), mutation: mu.name };
}

/** Cosmetic rewrite of a correct body: a leading comment and/or spacing, never semantics. */
export function restyleSolution(body: string, v: Voice): string {
  const indent = /^([ \t]+)\S/m.exec(body)?.[1] ?? '    ';
  const comment = say(v, ['', '# straightforward implementation', '# solve directly from the specification', '# iterate and build the result']);
  return (comment ? `${indent}${comment}\n` : '') + body.replace(/\n{3,}/g, '\n\n');
}

/** The first fenced code block of a response (its contents), or null. */
export function firstCodeBlock(text: string): string | null {
  const m = /```(?:python|py)?[^\n]*\n([\s\S]*?)```/.exec(text);
  return m ? m[1] : null;
}

/** The response text around `code` (the full function: item prompt + body). */
export function writeHumanEval(item: HumanEvalItem, code: string, d: Decision, v: Voice, hasPrevious: boolean): string {
  const remark = chainRemark(v, d.source, hasPrevious);
  const block = '```python\n' + code.replace(/\s+$/, '') + '\n```';
  const hedge = hedgeLine(v, d);
  const check = verifyLine(v, d);
  const drift = maybeDrift(v);
  const fn = item.entryPoint;
  switch (v.family) {
    case 'llama':
      return paragraphs([remark, say(v, [`Here is the completed \`${fn}\` function:`, `Here's the implementation of \`${fn}\`:`]), block, hedge]);
    case 'qwen':
      return paragraphs([remark, block, '### Explanation', `- \`${fn}\` follows the docstring's specification directly.\n- The examples in the docstring are reproduced by this implementation.`, drift, check, hedge]);
    case 'deepseek':
      return paragraphs([
        `<think>\n${say(v, [`I need to implement ${fn}.`, `Okay, the task is to write ${fn}.`])} Let me read the docstring and the examples carefully.\n${drift ?? ''}\n${d.hedge ? 'There might be an edge case I am missing.' : 'The examples confirm the approach.'}\n</think>`,
        remark,
        block,
        check,
        hedge,
      ]);
    case 'mistral':
      return paragraphs([remark, block, drift, hedge]);
  }
}
