/**
 * Getting runnable code out of a free-text HumanEval response.
 *
 * Responses come in two shapes, and we handle both:
 *  - the whole function restated (`def <entry_point>(...)`, maybe with imports and helpers): it is
 *    placed after the prompt at top level, where it replaces the prompt's docstring-only stub
 *    (the stub is valid Python: a function whose body is its docstring);
 *  - only the body: it is indented under the prompt's signature if it is not indented already.
 * Code is taken from the fenced block that defines the entry point, else the first ```python
 * (or plain ```) block, else the whole response.
 */
import type { HumanEvalItem } from './types';

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;

/** The code in a response: the best fenced block, or the whole text when there is no fence. */
export function extractCode(responseText: string, entryPoint?: string): string {
  const blocks: Array<{ lang: string; code: string }> = [];
  for (const m of responseText.matchAll(FENCE)) blocks.push({ lang: m[1].toLowerCase(), code: m[2] });
  if (blocks.length === 0) return responseText;
  const defines = entryPoint ? blocks.find((b) => definesFunction(b.code, entryPoint)) : undefined;
  const python = blocks.find((b) => b.lang === 'python' || b.lang === 'py' || b.lang === 'python3');
  return (defines ?? python ?? blocks[0]).code;
}

/** True when `code` defines `name` at top level (column 0). */
export function definesFunction(code: string, name: string): boolean {
  return new RegExp(`^(?:async\\s+)?def\\s+${name}\\s*\\(`, 'm').test(code);
}

function minIndent(lines: string[]): number {
  const widths = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].replace(/\t/g, '    ').length);
  return widths.length ? Math.min(...widths) : 0;
}

function dedent(code: string): string {
  const lines = code.replace(/\t/g, '    ').split('\n');
  const n = minIndent(lines);
  return lines.map((l) => l.slice(Math.min(n, /^ */.exec(l)![0].length))).join('\n');
}

/**
 * Turns a free-text response into the completion `executeHumanEval` expects (the text that
 * follows `item.prompt`). See the file comment for the two shapes handled.
 */
export function responseToCompletion(item: HumanEvalItem, responseText: string): string {
  const code = dedent(extractCode(responseText, item.entryPoint)).replace(/\s+$/, '');
  if (definesFunction(code, item.entryPoint)) {
    // A prompt that ends on a bare signature needs a body before the new top-level code.
    const stubNeedsBody = /:\s*$/.test(item.prompt.trimEnd().split('\n').pop() ?? '');
    return `${stubNeedsBody ? '    pass\n' : ''}\n${code}\n`;
  }
  const lines = code.split('\n');
  const body = minIndent(lines) === 0 ? lines.map((l) => (l.trim() === '' ? l : `    ${l}`)) : lines;
  return `${body.join('\n')}\n`;
}
