/**
 * Generates every bundled sample file (GSM8K JSONL, MMLU CSVs, HumanEval JSONL, wrong HumanEval
 * samples, split files) from the templates with fixed seeds. Pure: returns path -> content, so a
 * test can check the committed files are exactly what the generator produces.
 */
import { csvField } from '../csv';
import { seededSplit, DEFAULT_SPLIT_FRACTIONS, type SplitFile } from '../split-ids';
import { GSM8K_TEMPLATES, fmt } from './gsm8k-templates';
import { HUMANEVAL_PROBLEMS } from './humaneval-problems';
import { MMLU_SUBJECTS, type GeneratedMmlu } from './mmlu-templates';
import { createRng } from './rng';

export const SAMPLE_SEED = 20240611;
export const SPLIT_SEED = 7;
export const GSM8K_COUNT = 130;

/** Paths (relative to data/) of the bundled files. */
export const SAMPLE_PATHS = {
  gsm8k: 'gsm8k/sample.jsonl',
  mmluDir: 'mmlu',
  humaneval: 'humaneval/sample.jsonl',
  humanevalWrong: 'humaneval/wrong-samples.jsonl',
  split: (task: string) => `splits/${task}.json`,
} as const;

function gsm8kFile(): { text: string; ids: string[] } {
  const rng = createRng(SAMPLE_SEED);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (let i = 0; lines.length < GSM8K_COUNT; i++) {
    const [, template] = GSM8K_TEMPLATES[i % GSM8K_TEMPLATES.length];
    const g = template(rng);
    if (seen.has(g.question)) continue;
    seen.add(g.question);
    lines.push(JSON.stringify({ question: g.question, answer: `${g.steps.join('\n')}\n#### ${fmt(g.answer)}` }));
  }
  return { text: lines.join('\n') + '\n', ids: lines.map((_, i) => `gsm8k/sample/${i + 1}`) };
}

function mmluFiles(): { files: Record<string, string>; ids: string[] } {
  const rng = createRng(SAMPLE_SEED + 1);
  const files: Record<string, string> = {};
  const ids: string[] = [];
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
      if (seen.has(g.question)) continue;
      seen.add(g.question);
      rows.push(g);
    }
    const csv = rows.map((r) => [r.question, ...r.choices, 'ABCD'[r.answer]].map(csvField).join(',')).join('\n') + '\n';
    files[`${SAMPLE_PATHS.mmluDir}/${subject}_test.csv`] = csv;
    rows.forEach((_, i) => ids.push(`mmlu/${subject}/test/${i + 1}`));
  }
  return { files, ids };
}

function humanEvalFiles(): { sample: string; wrong: string; ids: string[] } {
  const ids = HUMANEVAL_PROBLEMS.map((_, i) => `InformEval/${i}`);
  const sample = HUMANEVAL_PROBLEMS.map((p, i) =>
    JSON.stringify({ task_id: ids[i], prompt: p.prompt, canonical_solution: p.solution, test: p.test, entry_point: p.name }),
  );
  // The official samples format: one {task_id, completion} per line.
  const wrong = HUMANEVAL_PROBLEMS.flatMap((p, i) => p.mutants.map((m) => JSON.stringify({ task_id: ids[i], completion: m })));
  return { sample: sample.join('\n') + '\n', wrong: wrong.join('\n') + '\n', ids };
}

function splitFile(task: string, ids: string[], groupOf?: (id: string) => string): string {
  const s = seededSplit(ids, SPLIT_SEED, DEFAULT_SPLIT_FRACTIONS, groupOf);
  const file: SplitFile = { task, seed: SPLIT_SEED, fractions: DEFAULT_SPLIT_FRACTIONS, ...s };
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
    [SAMPLE_PATHS.split('gsm8k')]: splitFile('gsm8k', gsm.ids),
    [SAMPLE_PATHS.split('mmlu')]: splitFile('mmlu', mmlu.ids, (id) => id.split('/')[1]),
    [SAMPLE_PATHS.split('humaneval')]: splitFile('humaneval', he.ids),
  };
}
