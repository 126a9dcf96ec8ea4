/**
 * The GSM8K paper's published model solutions (Cobbe et al. 2021,
 * `example_model_solutions.jsonl`: the 1,319 test questions, each answered by four GPT-3 solvers
 * 6b_finetuning, 6b_verification, 175b_finetuning, 175b_verification, with the authors' is_correct)
 * written into a transcript store under the keys a `replay` consortium looks up, so the published
 * answers stand in for four real experts. They are SOLO answers: nobody read another's answer, so
 * they support standalone analyses and training on solo answers, never chains.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { standalonePrompt } from './chain';
import { decodingParamsOf } from './spec';
import { storeKeyOf } from './store/key';
import { TranscriptStore } from './store/transcript-store';
import { normalisePrompt } from '../tasks/split-ids';
import type { Gsm8kItem } from '../tasks/types';

/** The four solvers, in the file's key order, with the expert ids the consortium gives them. */
export const GSM8K_SOLVERS = [
  { key: '6b_finetuning', id: 'G6F', model: 'GPT-3 6B finetuned (GSM8K paper)' },
  { key: '6b_verification', id: 'G6V', model: 'GPT-3 6B + verifier (GSM8K paper)' },
  { key: '175b_finetuning', id: 'G175F', model: 'GPT-3 175B finetuned (GSM8K paper)' },
  { key: '175b_verification', id: 'G175V', model: 'GPT-3 175B + verifier (GSM8K paper)' },
] as const;
export type Gsm8kSolverKey = (typeof GSM8K_SOLVERS)[number]['key'];

/** Decoding parameters recorded with the imported answers (part of their keys; the paper's sampling is not ours to replay). */
const RECORDED = { backend: 'openai' as const, temperature: 0, topP: 1, maxTokens: 512 };

export interface Gsm8kSolutionLine {
  question: string;
  solutions: Record<Gsm8kSolverKey, { text: string; isCorrect: boolean }>;
}

/** Parses the file; a bad line is an error naming file, line and field. */
export function readGsm8kSolutions(file: string): Gsm8kSolutionLine[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: Gsm8kSolutionLine[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(raw) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message})`);
    }
    if (typeof obj.question !== 'string' || obj.question.trim() === '') throw new Error(`${where}: field 'question' must be a non-empty string`);
    const solutions = {} as Gsm8kSolutionLine['solutions'];
    for (const s of GSM8K_SOLVERS) {
      const v = obj[s.key] as { solution?: unknown; is_correct?: unknown } | undefined;
      if (!v || typeof v.solution !== 'string') throw new Error(`${where}: field '${s.key}.solution' must be a string`);
      if (typeof v.is_correct !== 'boolean') throw new Error(`${where}: field '${s.key}.is_correct' must be true or false`);
      solutions[s.key] = { text: v.solution, isCorrect: v.is_correct };
    }
    out.push({ question: obj.question, solutions });
  });
  if (out.length === 0) throw new Error(`${file}: no solution lines`);
  return out;
}

/** The consortium config of the four replay experts over `runDir` (relative to the config's folder). */
export function gsm8kSolutionsConsortiumYaml(runDir: string, configDir: string): string {
  const rel = path.relative(configDir, runDir) || '.';
  const experts = GSM8K_SOLVERS.map(
    (s) => `  - { id: ${s.id}, backend: replay, run: ${JSON.stringify(rel)}, recordedBackend: ${RECORDED.backend}, model: ${JSON.stringify(s.model)}, temperature: ${RECORDED.temperature}, topP: ${RECORDED.topP}, maxTokens: ${RECORDED.maxTokens} }`,
  );
  return [
    '# The GSM8K paper\'s four GPT-3 solvers (example_model_solutions.jsonl), replayed from their',
    '# published solutions (solo answers only). Written by importGsm8kSolutions.',
    'name: gsm8k-gpt3-solvers',
    'description: GSM8K paper GPT-3 6B/175B finetuned and verifier solutions on the 1319 test questions (replay)',
    'experts:',
    ...experts,
    '',
  ].join('\n');
}

export interface ImportGsm8kResult {
  /** items matched to a solution line, in the items' order */
  items: Gsm8kItem[];
  /** solution lines whose question is not among the items */
  unmatched: number;
  /** records written now (0 when everything was already there) */
  written: number;
  /** the authors' labels: labels[expertId][itemId] */
  labels: Record<string, Record<string, boolean>>;
  /** the consortium config written */
  configFile: string;
}

/**
 * Writes every solver's solution for every matched item into `runDir`'s store under the key its
 * replay expert asks for (the standalone prompt of the item), and the consortium config to
 * `configFile` (default <runDir>/consortium.yaml). Items are matched by normalised question text;
 * re-running writes nothing new.
 */
export function importGsm8kSolutions(opts: { file: string; runDir: string; items: readonly Gsm8kItem[]; configFile?: string }): ImportGsm8kResult {
  const lines = readGsm8kSolutions(opts.file);
  const byQuestion = new Map(opts.items.map((it) => [normalisePrompt(it.question), it]));
  fs.mkdirSync(opts.runDir, { recursive: true });
  const configFile = opts.configFile ?? path.join(opts.runDir, 'consortium.yaml');
  const store = TranscriptStore.open(opts.runDir);
  const labels: Record<string, Record<string, boolean>> = Object.fromEntries(GSM8K_SOLVERS.map((s) => [s.id, {}]));
  const matched: Gsm8kItem[] = [];
  let unmatched = 0;
  let written = 0;
  try {
    for (const line of lines) {
      const item = byQuestion.get(normalisePrompt(line.question));
      if (!item) {
        unmatched++;
        continue;
      }
      matched.push(item);
      const prompt = standalonePrompt(item);
      for (const s of GSM8K_SOLVERS) {
        const params = decodingParamsOf({ id: s.id, model: s.model, temperature: RECORDED.temperature, topP: RECORDED.topP, maxTokens: RECORDED.maxTokens } as Parameters<typeof decodingParamsOf>[0]);
        const recorded = { backend: RECORDED.backend, model: s.model, params };
        const key = storeKeyOf(recorded, prompt);
        const sol = line.solutions[s.key];
        labels[s.id][item.id] = sol.isCorrect;
        const wrote = store.put(key, {
          backend: RECORDED.backend,
          model: s.model,
          prompt,
          temperature: params.temperature,
          topP: params.topP,
          maxTokens: params.maxTokens,
          seed: params.seed ?? null,
          expertId: s.id,
          itemId: item.id,
          task: 'gsm8k',
          text: sol.text,
          usage: { promptTokens: 0, completionTokens: 0 },
        });
        if (wrote) written++;
      }
    }
  } finally {
    store.close();
  }
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.writeFileSync(configFile, gsm8kSolutionsConsortiumYaml(opts.runDir, path.dirname(configFile)));
  const order = new Map(opts.items.map((it, i) => [it.id, i]));
  matched.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { items: matched, unmatched, written, labels, configFile };
}

/** A 2x2 confusion table of a grader against the authors' labels. */
export interface LabelAgreement {
  expertId: string;
  n: number;
  /** both correct / grader correct, label wrong / grader wrong, label correct / both wrong */
  bothCorrect: number;
  graderOnly: number;
  labelOnly: number;
  bothWrong: number;
  agreement: number;
  /** accuracy by the authors' labels and by the grader */
  labelAccuracy: number;
  graderAccuracy: number;
}

export function labelAgreement(expertId: string, pairs: readonly { label: boolean; graded: boolean }[]): LabelAgreement {
  const n = pairs.length;
  if (n === 0) throw new Error(`labelAgreement: no graded answers of ${expertId}`);
  const count = (f: (p: { label: boolean; graded: boolean }) => boolean) => pairs.filter(f).length;
  const bothCorrect = count((p) => p.label && p.graded);
  const graderOnly = count((p) => !p.label && p.graded);
  const labelOnly = count((p) => p.label && !p.graded);
  const bothWrong = count((p) => !p.label && !p.graded);
  return { expertId, n, bothCorrect, graderOnly, labelOnly, bothWrong, agreement: (bothCorrect + bothWrong) / n, labelAccuracy: (bothCorrect + labelOnly) / n, graderAccuracy: (bothCorrect + graderOnly) / n };
}
