/**
 * Generates every bundled sample file (GSM8K JSONL, MMLU CSVs, HumanEval JSONL, wrong HumanEval
 * samples, split files) from the templates with fixed seeds. Every prompt is distinct after
 * normalisation; splits go by prompt hash; MMLU answer letters are balanced per subject and split. Pure: returns path -> content, so a
 * test can check the committed files are exactly what the generator produces.
 */
import { csvField } from '../csv';
import { DEFAULT_SPLIT_FRACTIONS, hashSplit, itemPrompt, normalisePrompt, splitOfPrompt, SPLIT_NAMES, type SplitFile, type SplitName } from '../split-ids';
import type { Choice, Gsm8kItem, HumanEvalItem, MmluItem, TaskItem } from '../types';
import { GSM8K_TEMPLATES, fmt } from './gsm8k-templates';
import { HUMANEVAL_PROBLEMS } from './humaneval-problems';
import { MMLU_SUBJECTS, type GeneratedMmlu } from './mmlu-templates';
import { createRng, type Rng } from './rng';

export const SAMPLE_SEED = 20240611;
export const GSM8K_COUNT = 130;

/** Paths (relative to data/) of the bundled files. */
export const SAMPLE_PATHS = {
  gsm8k: 'gsm8k/sample.jsonl',
  mmluDir: 'mmlu',
  humaneval: 'humaneval/sample.jsonl',
  humanevalWrong: 'humaneval/wrong-samples.jsonl',
  split: (task: string) => `splits/${task}.json`,
} as const;

function gsm8kFile(): { text: string; items: Gsm8kItem[] } {
  const rng = createRng(SAMPLE_SEED);
  const seen = new Set<string>();
  const lines: string[] = [];
  const items: Gsm8kItem[] = [];
  for (let i = 0; lines.length < GSM8K_COUNT; i++) {
    const [, template] = GSM8K_TEMPLATES[i % GSM8K_TEMPLATES.length];
    const g = template(rng);
    // distinct after normalisation (case and spacing), not only verbatim
    const key = normalisePrompt(g.question);
    if (seen.has(key)) continue;
    seen.add(key);
    const answer = `${g.steps.join('\n')}\n#### ${fmt(g.answer)}`;
    lines.push(JSON.stringify({ question: g.question, answer }));
    items.push({ task: 'gsm8k', id: `gsm8k/sample/${lines.length}`, question: g.question, answer, gold: fmt(g.answer) });
  }
  return { text: lines.join('\n') + '\n', items };
}

/**
 * Puts the correct option of each row at a letter drawn so that letters are balanced within the
 * subject and within each (subject, split) group: a group of n rows gets floor(n / 4) shuffled
 * A-B-C-D blocks plus n mod 4 distinct letters, chosen among the subject's least used so far. A
 * subject of 4k rows thus has exactly k of each letter, and no group is off by more than one, so
 * the subject tells nothing about the letter.
 */
function balanceLetters(rows: GeneratedMmlu[], splitOf: (r: GeneratedMmlu) => SplitName, rng: Rng): GeneratedMmlu[] {
  const used = [0, 0, 0, 0];
  const out = rows.slice();
  for (const sp of SPLIT_NAMES) {
    const group = rows.map((r, k) => ({ r, k })).filter((x) => splitOf(x.r) === sp);
    const letters: number[] = [];
    for (let b = 0; b < Math.floor(group.length / 4); b++) letters.push(...rng.shuffle([0, 1, 2, 3]));
    const rest = rng.shuffle([0, 1, 2, 3]).sort((a, b) => used[a] - used[b]).slice(0, group.length % 4);
    letters.push(...rng.shuffle(rest));
    letters.forEach((l) => used[l]++);
    group.forEach(({ r, k }, n) => {
      const correct = r.choices[r.answer];
      const others = r.choices.filter((_, i) => i !== r.answer);
      const at = letters[n];
      const choices = [...others.slice(0, at), correct, ...others.slice(at)] as GeneratedMmlu['choices'];
      out[k] = { ...r, choices, answer: at };
    });
  }
  return out;
}

function mmluFiles(): { files: Record<string, string>; items: MmluItem[] } {
  const rng = createRng(SAMPLE_SEED + 1);
  const files: Record<string, string> = {};
  const items: MmluItem[] = [];
  for (const { subject, generators, count } of MMLU_SUBJECTS) {
    const rows: GeneratedMmlu[] = [];
    const seen = new Set<string>();
    for (let i = 0, tries = 0; rows.length < count; i++, tries++) {
      if (tries > count * 50) throw new Error(`mmlu samples: cannot draw ${count} distinct '${subject}' questions`);
      let g: GeneratedMmlu;
      try {
        g = generators[i % generators.length](rng);
      } catch {
        continue; // distractors collided with each other; draw again
      }
      const key = normalisePrompt(g.question);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(g);
    }
    const asItem = (r: GeneratedMmlu, n: number): MmluItem => ({ task: 'mmlu', id: `mmlu/${subject}/test/${n + 1}`, subject, question: r.question, choices: r.choices, answer: 'ABCD'[r.answer] as Choice });
    const balanced = balanceLetters(rows, (r) => splitOfPrompt(itemPrompt(asItem(r, 0))), rng);
    const csv = balanced.map((r) => [r.question, ...r.choices, 'ABCD'[r.answer]].map(csvField).join(',')).join('\n') + '\n';
    files[`${SAMPLE_PATHS.mmluDir}/${subject}_test.csv`] = csv;
    balanced.forEach((r, n) => items.push(asItem(r, n)));
  }
  return { files, items };
}

function humanEvalFiles(): { sample: string; wrong: string; items: HumanEvalItem[] } {
  const ids = HUMANEVAL_PROBLEMS.map((_, i) => `InformEval/${i}`);
  const sample = HUMANEVAL_PROBLEMS.map((p, i) =>
    JSON.stringify({ task_id: ids[i], prompt: p.prompt, canonical_solution: p.solution, test: p.test, entry_point: p.name }),
  );
  // The official samples format: one {task_id, completion} per line.
  const wrong = HUMANEVAL_PROBLEMS.flatMap((p, i) => p.mutants.map((m) => JSON.stringify({ task_id: ids[i], completion: m })));
  const items: HumanEvalItem[] = HUMANEVAL_PROBLEMS.map((p, i) => ({ task: 'humaneval', id: ids[i], prompt: p.prompt, canonicalSolution: p.solution, test: p.test, entryPoint: p.name }));
  return { sample: sample.join('\n') + '\n', wrong: wrong.join('\n') + '\n', items };
}

/** A split file drawn by prompt hash (see hashSplit in split-ids.ts). */
function splitFile(task: string, items: readonly TaskItem[]): string {
  const file: SplitFile = { task, method: 'prompt-hash', seed: 0, fractions: DEFAULT_SPLIT_FRACTIONS, ...hashSplit(items) };
  return JSON.stringify(file, null, 1) + '\n';
}

/** Every bundled file: path relative to data/ -> exact content. */
export function generateSampleFiles(): Record<string, string> {
  const gsm = gsm8kFile();
  const mmlu = mmluFiles();
  const he = humanEvalFiles();
  return {
    [SAMPLE_PATHS.gsm8k]: gsm.text,
    ...mmlu.files,
    [SAMPLE_PATHS.humaneval]: he.sample,
    [SAMPLE_PATHS.humanevalWrong]: he.wrong,
    [SAMPLE_PATHS.split('gsm8k')]: splitFile('gsm8k', gsm.items),
    [SAMPLE_PATHS.split('mmlu')]: splitFile('mmlu', mmlu.items),
    [SAMPLE_PATHS.split('humaneval')]: splitFile('humaneval', he.items),
  };
}
