/**
 * Loads an ESM-only package from CommonJS code (our src/, tslab cells). See import-esm.cjs.
 * Usage: `const { getLlama } = await importEsm<typeof import('node-llama-cpp')>('node-llama-cpp')`.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const dynamicImport: (specifier: string) => Promise<unknown> = require('./import-esm.cjs');

export function importEsm<T>(specifier: string): Promise<T> {
  return dynamicImport(specifier) as Promise<T>;
}
