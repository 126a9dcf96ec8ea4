/** The three benchmarks of the paper, as validated in-memory items. */
export type TaskName = 'gsm8k' | 'mmlu' | 'humaneval';
export type Choice = 'A' | 'B' | 'C' | 'D';

/** A grade-school math word problem; `answer` is the worked solution ending in `#### <number>`. */
export interface Gsm8kItem {
  task: 'gsm8k';
  id: string;
  question: string;
  answer: string;
  /** the number after `####`, normalised (no commas) */
  gold: string;
}

/** A four-option multiple-choice question from one MMLU subject. */
export interface MmluItem {
  task: 'mmlu';
  id: string;
  subject: string;
  question: string;
  choices: [string, string, string, string];
  answer: Choice;
}

/** A Python function-completion problem with its unit tests. */
export interface HumanEvalItem {
  task: 'humaneval';
  /** equals task_id */
  id: string;
  prompt: string;
  canonicalSolution: string;
  test: string;
  entryPoint: string;
}

export type TaskItem = Gsm8kItem | MmluItem | HumanEvalItem;
