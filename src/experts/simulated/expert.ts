/**
 * The `simulated` backend: an Expert that writes real response text whose correctness follows
 * its planted skill, temperature and chain behaviour (see competence.ts), in its family's style
 * (see writers/). Everything is seeded from (seed, expert id, item id, chain position).
 */
import { createHash } from 'node:crypto';
import type { TaskItem, TaskName } from '../../tasks/types';
import type { Expert, GenerateOptions, Generation } from '../types';
import { decide, INTACT_READING, itemFactor, itemSubtype, standaloneProbability, type Decision } from './competence';
import { readPrompt } from './read-prompt';
import { answerIsRight, readAnswer, type PreviousAnswer } from './read-previous';
import { pluralityAnswer } from './aggregate';
import { seededRng, type Rng } from './rng';
import type { SimulatedSpec } from './spec';
import { wrongGsm8kFinal, writeGsm8k } from './writers/gsm8k';
import { mutateSolution, restyleSolution, writeHumanEval } from './writers/humaneval';
import { wrongMmluAnswer, writeMmlu } from './writers/mmlu';
import type { Voice } from './voice';

/** One simulated response with the decision behind it (the ground truth of that response). */
export interface SimulatedResponse {
  text: string;
  decision: Decision;
  /** for a wrong HumanEval response: how the code was broken */
  mutation?: string;
  tokenEntropies: number[];
}

/** Everything a simulated expert's parameters determine, as plain data. */
export interface SimulatedDescription {
  simulated: true;
  id: string;
  model: string;
  family: SimulatedSpec['family'];
  size?: string;
  temperature: number;
  topP: number;
  skill: SimulatedSpec['skill'];
  noise: number;
  cues: number;
  itemCorrelation: number;
  chain: SimulatedSpec['chain'];
  dependsOn?: SimulatedSpec['dependsOn'];
  subtypes?: SimulatedSpec['subtypes'];
  subtypeSkill?: SimulatedSpec['subtypeSkill'];
  reveals?: boolean;
  aggregate?: number;
  entropySignal: number;
  prompt: SimulatedSpec['prompt'];
  /** standalone success probability per domain after the temperature penalty */
  standalone: { gsm8k: number; mmlu: number; humaneval: number };
}

export interface SimulatedExpert extends Expert {
  readonly spec: SimulatedSpec;
  describe(): SimulatedDescription;
}

/** A short hash of the parameters, so editing a preset changes the transcript keys. */
function paramsHash(spec: SimulatedSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
}

/** The model name a simulated expert reports, e.g. "simulated:Qwen3 8B:E2:1a2b3c4d". */
export function simulatedModelName(spec: SimulatedSpec): string {
  return `simulated:${spec.model}:${spec.id}:${paramsHash(spec)}`;
}

/** Per-token entropies (nats): exponential draws whose mean grows with temperature and doubt. */
function entropies(n: number, spec: SimulatedSpec, d: Decision, rng: Rng): number[] {
  const mean = 0.15 + 0.35 * spec.temperature + (d.correct ? 0 : spec.entropySignal + 0.6 * spec.cues) + (d.hedge ? 0.2 : 0);
  // 4 decimals: plenty for a confidence signal, and a third of the bytes in the store
  return Array.from({ length: n }, () => Math.round(-Math.log(1 - rng.next()) * mean * 1e4) / 1e4);
}

function readPrevious(item: TaskItem, previous: { expertId: string; text: string } | undefined): { expertId: string; answer: PreviousAnswer | null } | null {
  return previous ? { expertId: previous.expertId, answer: readAnswer(item, previous.text) } : null;
}

/**
 * The response of `spec` to `item` at chain `position`, given the previous response (if any).
 * Pure: the same arguments give the same response.
 */
export function simulateResponse(
  spec: SimulatedSpec,
  item: TaskItem,
  opts: {
    seed: number;
    position: number;
    previous?: { expertId: string; text: string };
    /** every earlier response of the chain, oldest first (an aggregator reads them all) */
    earlier?: readonly { expertId: string; text: string }[];
    maxTokens?: number;
    /** the prompt as given; the expert reads its task there (absent: read intact) */
    prompt?: string;
  },
): SimulatedResponse {
  const base = [opts.seed, spec.id, item.id, opts.position] as const;
  const prev = readPrevious(item, opts.previous);
  const view = prev ? { expertId: prev.expertId, correct: prev.answer ? answerIsRight(item, prev.answer) : null } : null;
  // what the expert can read of its task in the prompt (intact when called without a prompt)
  const reading = opts.prompt === undefined ? INTACT_READING : readPrompt(item, opts.prompt);
  let decision = decide(spec, item, view, seededRng('decide', ...base), itemFactor(opts.seed, item.id), reading);
  // mixture of agents: with probability `aggregate`, the plurality of the earlier answers
  let aggregated: PreviousAnswer | null = null;
  if (spec.aggregate !== undefined && opts.earlier && opts.earlier.length >= 2 && seededRng('aggregate', ...base).next() < spec.aggregate) {
    aggregated = pluralityAnswer(item, opts.earlier.map((e) => e.text));
    if (aggregated) {
      const correct = answerIsRight(item, aggregated);
      decision = { ...decision, correct, source: 'aggregated', verify: decision.verify && correct, visibleSlip: !correct && (spec.cues === 0 || decision.visibleSlip) };
    }
  }
  const answerRng = seededRng('answer', ...base);
  const voice: Voice = { family: spec.family, temperature: spec.temperature, rng: seededRng('text', ...base), cues: spec.cues };
  const copied = aggregated ?? (decision.source === 'copied' && prev?.answer ? prev.answer : null);
  const hasPrevious = prev !== null;
  let text: string;
  let mutation: string | undefined;
  switch (item.task) {
    case 'gsm8k': {
      const final = copied?.task === 'gsm8k' ? copied.value : decision.correct ? item.gold : wrongGsm8kFinal(item, decision.visibleSlip, answerRng);
      text = writeGsm8k(item, final, decision, voice, hasPrevious);
      break;
    }
    case 'mmlu': {
      const letter = copied?.task === 'mmlu' ? copied.value : decision.correct ? item.answer : wrongMmluAnswer(item, answerRng);
      text = writeMmlu(item, letter, decision, voice, hasPrevious);
      break;
    }
    case 'humaneval': {
      let code: string;
      if (copied?.task === 'humaneval') code = copied.value;
      else if (decision.correct) code = item.prompt + restyleSolution(item.canonicalSolution, voice);
      else {
        const m = mutateSolution(item.canonicalSolution, answerRng, spec.cues > 0);
        // zero-leak: broken code gets the same cosmetic restyling as right code
        code = item.prompt + (spec.cues > 0 ? m.code : restyleSolution(m.code, voice));
        mutation = m.mutation;
      }
      text = writeHumanEval(item, code, decision, voice, hasPrevious);
      break;
    }
  }
  // a revealing expert names the item's latent sub-type: its content tells which successor fits
  if (spec.reveals) text = `Reading the task, it calls for the ${itemSubtype(spec.subtypes, item.id)} approach.\n\n${text}`;
  const nTokens = Math.min(approxTokens(text), opts.maxTokens ?? Infinity);
  return { text, decision, ...(mutation ? { mutation } : {}), tokenEntropies: entropies(nTokens, spec, decision, seededRng('entropy', ...base)) };
}

/** A rough token count (4 characters a token), for usage figures. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Builds the Expert for a validated simulated spec. */
export function createSimulatedExpert(spec: SimulatedSpec): SimulatedExpert {
  const model = simulatedModelName(spec);
  const standalone = (task: TaskName) => standaloneProbability(spec, task);
  return {
    id: spec.id,
    backend: 'simulated',
    model,
    spec,
    params: { temperature: spec.temperature, topP: spec.topP, maxTokens: spec.maxTokens, ...(spec.seed === undefined ? {} : { seed: spec.seed }) },
    async generate(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
      if (!opts.item) throw new Error(`simulated expert ${spec.id}: generate() needs opts.item (the task item) to know what a correct answer is`);
      const effective = opts.temperature === undefined ? spec : { ...spec, temperature: opts.temperature };
      const previous = opts.previous && opts.previous.length > 0 ? opts.previous[opts.previous.length - 1] : undefined;
      const r = simulateResponse(effective, opts.item, {
        seed: opts.seed ?? spec.seed ?? 0,
        position: opts.previous?.length ?? 0,
        previous,
        ...(opts.previous ? { earlier: opts.previous } : {}),
        maxTokens: opts.maxTokens ?? spec.maxTokens,
        prompt,
      });
      return { text: r.text, tokenEntropies: r.tokenEntropies, usage: { promptTokens: approxTokens(prompt), completionTokens: approxTokens(r.text) } };
    },
    describe(): SimulatedDescription {
      return {
        simulated: true,
        id: spec.id,
        model,
        family: spec.family,
        ...(spec.size ? { size: spec.size } : {}),
        temperature: spec.temperature,
        topP: spec.topP,
        skill: spec.skill,
        noise: spec.noise,
        cues: spec.cues,
        itemCorrelation: spec.itemCorrelation,
        chain: spec.chain,
        ...(spec.dependsOn ? { dependsOn: spec.dependsOn } : {}),
        ...(spec.subtypes ? { subtypes: spec.subtypes } : {}),
        ...(spec.subtypeSkill ? { subtypeSkill: spec.subtypeSkill } : {}),
        ...(spec.reveals ? { reveals: true } : {}),
        ...(spec.aggregate !== undefined ? { aggregate: spec.aggregate } : {}),
        entropySignal: spec.entropySignal,
        prompt: spec.prompt,
        standalone: { gsm8k: standalone('gsm8k'), mmlu: standalone('mmlu'), humaneval: standalone('humaneval') },
      };
    },
  };
}
