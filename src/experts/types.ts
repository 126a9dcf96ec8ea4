import type { TaskItem } from '../tasks/types';

export type BackendName = 'llama-cpp' | 'openai' | 'transformers' | 'replay' | 'simulated';

/** Decoding parameters; part of every transcript key. */
export interface DecodingParams {
  temperature: number;
  topP: number;
  /** the paper feeds the first 512 generated tokens to the orchestrator */
  maxTokens: number;
  seed?: number;
}

export interface GenerateOptions extends Partial<DecodingParams> {
  signal?: AbortSignal;
  /**
   * The task item being answered. Real backends ignore it; the simulated backend needs it to
   * know what a correct answer is (its skill decides whether it writes one).
   */
  item?: TaskItem;
  /** Earlier responses in the chain (Appendix E), oldest first. Real backends see them in the prompt. */
  previous?: { expertId: string; text: string }[];
}

export interface Generation {
  text: string;
  tokens?: number[];
  /** predictive entropy (nats) of each generated token's distribution */
  tokenEntropies?: number[];
  usage: { promptTokens: number; completionTokens: number };
}

/** One member of a consortium. */
export interface Expert {
  id: string;
  backend: BackendName;
  model: string;
  params: DecodingParams;
  /**
   * Backend settings beyond `model` and `params` that change the text for the same prompt (a
   * system prompt, plain completion instead of the chat template, another sampler, other weights'
   * precision); part of the transcript key when present. Absent when the backend runs as default.
   */
  variant?: string;
  generate(prompt: string, opts?: GenerateOptions): Promise<Generation>;
  dispose?(): Promise<void>;
}
