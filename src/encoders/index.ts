// Public API of src/encoders: text -> vector encoders and the encoding cache.
export * from './types';
export { hashingEncoder, hashText, hashingTokens, murmur3, type HashingEncoderOptions } from './hashing';
export { EncodingCache, cachedEncoder, encodingKey, vectorToBase64, base64ToVector, ENCODINGS_FILE, type CachedEncoder } from './cache';
export { llamaCppEncoder, type LlamaCppEncoderOptions } from './llama-cpp';
export { transformersEncoder, meanPool, l2NormalizeInPlace, type TransformersEncoderOptions } from './transformers';
