/**
 * Input checks shared by the figure builders. Each throws an Error that names the builder and
 * the offending field, so a notebook user sees what to fix rather than a blank plot.
 */

/** Throws unless every entry of `values` is a finite number. */
export function assertFinite(where: string, field: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${where}: ${field}[${i}] must be a finite number, got ${String(v)}`);
    }
  }
}

/** Throws unless `values` has exactly `expected` entries. */
export function assertLength(where: string, field: string, values: readonly unknown[], expected: number, against: string): void {
  if (values.length !== expected) {
    throw new Error(`${where}: ${field} has ${values.length} entries but ${against} has ${expected}`);
  }
}

/** Throws if `values` is empty. */
export function assertNonEmpty(where: string, field: string, values: readonly unknown[]): void {
  if (values.length === 0) throw new Error(`${where}: ${field} is empty`);
}
