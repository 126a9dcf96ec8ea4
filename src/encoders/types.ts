/** Text -> vector. Every encoder is batched; vectors are Float32Array of length `dim`. */
export interface Encoder {
  /** stable name that is part of the encoding-cache key, e.g. "hashing-768" or "transformers:bert-base-uncased" */
  readonly name: string;
  readonly dim: number;
  encode(texts: string[]): Promise<Float32Array[]>;
  dispose?(): Promise<void>;
}
