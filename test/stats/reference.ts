// Loads test/fixtures/scipy/reference.json (written by make_reference.py with scipy 1.10.1) and
// provides the tolerance check every comparison uses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';

/** JSON cannot hold infinities; the generator writes them as strings. */
export type RefNumber = number | 'Infinity' | '-Infinity';

/** Decodes a reference number. */
export function decode(v: RefNumber): number {
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test declares the shape it reads
type Json = any;

let cached: Json | undefined;

/** The parsed reference file (read once per test process). */
export function reference(): Json {
  if (!cached) {
    const file = path.join(__dirname, '..', 'fixtures', 'scipy', 'reference.json');
    cached = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  return cached;
}

/**
 * The reference cases under `key`, asserted to be a non-empty list: a loop over an empty or
 * missing list would check nothing and pass.
 */
export function referenceCases<T = Json>(key: string): T[] {
  const cases: unknown = reference()[key];
  assert.ok(Array.isArray(cases) && cases.length > 0, `reference.json has no '${key}' cases (regenerate it with test/fixtures/scipy/make_reference.py)`);
  return cases as T[];
}

/**
 * Asserts agreement with a scipy value to 1e-6: within 1e-6 relative error; only an expected
 * exact 0 allows 1e-12 absolute (tiny p-values such as 1e-22 are checked relatively, not waved
 * through as "near zero").
 */
export function assertClose(actual: number, expected: RefNumber, label: string, tolerance = 1e-6): void {
  const e = decode(expected);
  if (!Number.isFinite(e)) {
    assert.equal(actual, e, `${label}: expected ${e}, got ${actual}`);
    return;
  }
  const err = Math.abs(actual - e);
  assert.ok(
    err <= tolerance * Math.abs(e) || (e === 0 && err <= 1e-12),
    `${label}: got ${actual}, scipy ${e} (|diff| ${err.toExponential(2)})`,
  );
}
