// Input checks shared by the statistics functions. Each message names the function and the
// argument, and the index of the first bad value, so a failure deep in a notebook is traceable.
import { StatsInputError } from './errors';

/** A read-only sequence of numbers: plain arrays and typed arrays (e.g. tfjs `dataSync()`). */
export type NumericArray = ArrayLike<number>;

/**
 * Copies `values` into a plain array after checking that it is array-like and that every entry
 * is a finite number; throws {@link StatsInputError} naming `fn`, `name` and the bad index.
 */
export function finiteArray(fn: string, name: string, values: NumericArray): number[] {
  if (values == null || typeof values.length !== 'number') {
    throw new StatsInputError(`${fn}: ${name} must be an array of numbers, got ${typeof values}`);
  }
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StatsInputError(`${fn}: ${name}[${i}] is ${String(v)}; every value must be a finite number`);
    }
    out[i] = v;
  }
  return out;
}

/** Throws unless `a` and `b` have the same length (paired data). */
export function sameLength(fn: string, a: readonly number[], b: readonly number[], names = ['x', 'y']): void {
  if (a.length !== b.length) {
    throw new StatsInputError(
      `${fn}: ${names[0]} and ${names[1]} must have the same length, got ${a.length} and ${b.length}`,
    );
  }
}

/** Throws unless `values` has at least `min` entries; `why` says what needs them. */
export function atLeast(fn: string, name: string, values: readonly unknown[], min: number, why: string): void {
  if (values.length < min) {
    throw new StatsInputError(`${fn}: ${name} has ${values.length} value(s); ${why} needs at least ${min}`);
  }
}

/** True when every entry equals the first (a constant sample has no ranks to correlate). */
export function isConstant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

/** Throws unless `level` is a probability strictly between 0 and 1. */
export function confidenceLevel(fn: string, level: number): number {
  if (!(typeof level === 'number' && level > 0 && level < 1)) {
    throw new StatsInputError(`${fn}: confidence level must be strictly between 0 and 1, got ${String(level)}`);
  }
  return level;
}

/** The three alternatives scipy.stats understands; two-sided is the default everywhere. */
export type Alternative = 'two-sided' | 'less' | 'greater';

/** Checks an `alternative` option (JavaScript callers can pass any string). */
export function alternative(fn: string, value: Alternative | undefined): Alternative {
  const v = value ?? 'two-sided';
  if (v !== 'two-sided' && v !== 'less' && v !== 'greater') {
    throw new StatsInputError(`${fn}: alternative must be 'two-sided', 'less' or 'greater', got '${String(v)}'`);
  }
  return v;
}
