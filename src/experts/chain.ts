/**
 * The chain protocol (Appendix E): experts answer one after another in a given order; each sees
 * the response of the expert consulted just before it, placed ahead of the task, together with
 * instructions to build on it, correct it or complete it; the last expert's answer is the
 * chain's answer. The wording below is ours.
 */
import type { TaskItem } from '../tasks/types';
import { formatTaskPrompt } from './task-prompt';
import type { Expert, GenerateOptions, Generation } from './types';

/** A response earlier in the chain. */
export interface PreviousResponse {
  expertId: string;
  text: string;
}

const ROLE = 'You are one expert in a team of language models that solve a task in turns.';

const WITH_PREVIOUS = [
  'The expert consulted just before you answered as follows:',
  '<<< previous response',
  '{previous}',
  '>>> end of previous response',
  '',
  'Read that response critically before writing your own. If its reasoning and answer are right, build on them and keep that answer; if you find a mistake, correct it and explain the fix; if something is missing, add it. Whatever you decide, finish with your own complete final answer in the format the task asks for, because the last expert of the chain gives the final answer.',
].join('\n');

const FIRST = 'You are the first expert to answer. Solve the task completely and give your final answer in the format it asks for.';

/** The prompt for the next expert: coordination instructions, the last response (if any), then the task. */
export function chainPrompt(taskText: string, previous?: PreviousResponse): string {
  const middle = previous ? WITH_PREVIOUS.replace('{previous}', previous.text.trim()) : FIRST;
  return `${ROLE}\n\n${middle}\n\nTask:\n${taskText}`;
}

/** The standalone prompt of `item` (the chain's first position). */
export function standalonePrompt(item: TaskItem): string {
  return chainPrompt(formatTaskPrompt(item));
}

/** One step of a chain run. */
export interface ChainStep {
  expertId: string;
  prompt: string;
  generation: Generation;
}

export interface ChainResult {
  item: TaskItem;
  order: string[];
  steps: ChainStep[];
  /** the last step's text: the chain's answer */
  finalText: string;
}

export interface ChainOptions extends Pick<GenerateOptions, 'signal' | 'seed'> {
  /** task text; default `formatTaskPrompt(item)` */
  taskText?: string;
}

/**
 * Runs experts in `order` (expert ids) on `item`. Expert k sees expert k-1's response in its
 * prompt and receives all earlier responses (oldest first) as `opts.previous`.
 */
export async function runChain(experts: readonly Expert[], order: readonly string[], item: TaskItem, opts: ChainOptions = {}): Promise<ChainResult> {
  if (order.length === 0) throw new Error('runChain: the order is empty');
  const byId = new Map(experts.map((e) => [e.id, e]));
  const taskText = opts.taskText ?? formatTaskPrompt(item);
  const steps: ChainStep[] = [];
  const previous: PreviousResponse[] = [];
  for (const id of order) {
    const expert = byId.get(id);
    if (!expert) throw new Error(`runChain: no expert with id "${id}" (have ${[...byId.keys()].join(', ')})`);
    opts.signal?.throwIfAborted();
    const prompt = chainPrompt(taskText, previous[previous.length - 1]);
    const generation = await expert.generate(prompt, {
      item,
      previous: [...previous],
      ...(opts.seed === undefined ? {} : { seed: opts.seed }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    steps.push({ expertId: id, prompt, generation });
    previous.push({ expertId: id, text: generation.text });
  }
  return { item, order: [...order], steps, finalText: steps[steps.length - 1].generation.text };
}
