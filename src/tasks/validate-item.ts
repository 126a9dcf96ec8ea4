/**
 * Checks an in-memory task item at the doors of the sandbox and the graders. Items normally come
 * from the loaders, but a notebook or a library user can build one by hand, and a wrong one must
 * not be graded: an HumanEval `entryPoint` is pasted into the program (`check(<entryPoint>)`), so
 * `f) or print("x"` would run as code and count as passed, and a missing one grades correct code
 * as failed (`check(undefined)`). The official HumanEval record (task_id, entry_point,
 * canonical_solution) is rejected with a hint to convert it through the loader.
 */
import { z } from 'zod';
import type { HumanEvalItem, TaskItem } from './types';

/** A task item that cannot be graded: names the item (when it has an id) and the field. */
export class TaskItemError extends Error {
  constructor(
    readonly field: string,
    detail: string,
    readonly itemId?: string,
  ) {
    super(`task item${itemId ? ` '${itemId}'` : ''}: ${field ? `field '${field}': ` : ''}${detail}`);
    this.name = 'TaskItemError';
  }
}

const text = z.string({ required_error: 'is missing', invalid_type_error: 'must be a string' });
const nonEmpty = text.min(1, 'must be a non-empty string');
const PY_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const gsm8kSchema = z.object({ task: z.literal('gsm8k'), id: nonEmpty, question: nonEmpty, answer: text, gold: nonEmpty });
const mmluSchema = z.object({
  task: z.literal('mmlu'),
  id: nonEmpty,
  subject: text,
  question: nonEmpty,
  choices: z.tuple([text, text, text, text], { invalid_type_error: 'must be an array of 4 strings' }),
  answer: z.enum(['A', 'B', 'C', 'D'], { errorMap: () => ({ message: 'must be one of A, B, C, D' }) }),
});
const humanEvalSchema = z
  .object({
    task: z.literal('humaneval'),
    id: nonEmpty,
    prompt: nonEmpty,
    canonicalSolution: text,
    test: text.refine((t) => /\bdef\s+check\s*\(/.test(t), 'must define check(candidate)'),
    entryPoint: text.regex(PY_IDENTIFIER, 'must be a Python identifier (it is pasted into check(...))'),
  })
  .superRefine((it, ctx) => {
    // (zod runs this even when a field failed above; only an identifier may enter a RegExp)
    if (PY_IDENTIFIER.test(it.entryPoint) && !new RegExp(`\\bdef\\s+${it.entryPoint}\\s*\\(`).test(it.prompt)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['entryPoint'], message: `the prompt does not define '${it.entryPoint}'` });
    }
  });

const schemas = { gsm8k: gsm8kSchema, mmlu: mmluSchema, humaneval: humanEvalSchema } as const;

/** The field names of the official HumanEval release, with the item fields they become. */
const OFFICIAL_HUMANEVAL: Record<string, string> = { task_id: 'id', entry_point: 'entryPoint', canonical_solution: 'canonicalSolution' };

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Returns the item unchanged when it is a well-formed TaskItem; otherwise throws a TaskItemError
 * naming the field. `expect` restricts the task (the sandbox accepts only HumanEval items).
 */
export function assertTaskItem<T extends TaskItem['task'] = TaskItem['task']>(item: unknown, expect?: T): Extract<TaskItem, { task: T }> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new TaskItemError('', `expected an object, got ${describe(item)}`);
  const rec = item as Record<string, unknown>;
  const id = typeof rec.id === 'string' ? rec.id : typeof rec.task_id === 'string' ? rec.task_id : undefined;
  const official = Object.keys(OFFICIAL_HUMANEVAL).filter((k) => k in rec);
  if (official.length > 0) {
    const renames = official.map((k) => `${k} -> ${OFFICIAL_HUMANEVAL[k]}`).join(', ');
    throw new TaskItemError(
      official[0],
      `this is the official HumanEval record (snake_case fields); convert it with humanEvalItemFromOfficial(record) or load the file with loadHumanEval (${renames}, plus task: 'humaneval')`,
      id,
    );
  }
  const task = rec.task;
  if (task !== 'gsm8k' && task !== 'mmlu' && task !== 'humaneval') throw new TaskItemError('task', `must be gsm8k, mmlu or humaneval, got ${describe(task)}`, id);
  if (expect !== undefined && task !== expect) throw new TaskItemError('task', `expected a ${expect} item, got ${describe(task)}`, id);
  const r = schemas[task].safeParse(item);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.');
    const got = issue.code === 'invalid_type' || issue.code === 'invalid_string' || issue.code === 'custom' || issue.code === 'invalid_enum_value' ? `, got ${describe(issue.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], item))}` : '';
    throw new TaskItemError(field, `${issue.message}${issue.code === 'custom' && field === 'entryPoint' ? '' : got}`, id);
  }
  return item as Extract<TaskItem, { task: T }>;
}

const officialRecord = z.object({ task_id: nonEmpty, prompt: nonEmpty, canonical_solution: text, test: text, entry_point: text }).passthrough();

/** The loader's conversion of one official HumanEval record ({task_id, prompt, canonical_solution, test, entry_point}), validated. */
export function humanEvalItemFromOfficial(record: unknown): HumanEvalItem {
  const r = officialRecord.safeParse(record);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TaskItemError(issue.path.join('.'), issue.message, typeof (record as { task_id?: unknown })?.task_id === 'string' ? (record as { task_id: string }).task_id : undefined);
  }
  const o = r.data;
  return assertTaskItem({ task: 'humaneval', id: o.task_id, prompt: o.prompt, canonicalSolution: o.canonical_solution, test: o.test, entryPoint: o.entry_point }, 'humaneval');
}
