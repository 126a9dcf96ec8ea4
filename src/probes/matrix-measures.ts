/**
 * Measures of a collaboration matrix C (rows: source expert, columns: successor) and of
 * selection distributions (Section 2.2, 4.3, 4.4). Pure functions on plain arrays.
 */
import { gini } from '../stats/gini';
import { jacobiEigenvalues } from '../stats/jacobi-eigenvalues';

export type Matrix = number[][];

function checkSquare(C: Matrix, fn: string): number {
  const N = C.length;
  if (N === 0) throw new Error(`${fn}: the matrix is empty`);
  C.forEach((row, i) => {
    if (row.length !== N) throw new Error(`${fn}: row ${i} has ${row.length} entries, expected ${N} (a square matrix)`);
    row.forEach((x, j) => {
      if (!Number.isFinite(x)) throw new Error(`${fn}: C[${i}][${j}] = ${x} is not finite`);
    });
  });
  return N;
}

/** Shannon entropy (nats) of a non-negative vector normalised to sum 1; 0 for an all-zero vector. */
export function entropyOf(p: readonly number[]): number {
  const total = p.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return 0;
  let h = 0;
  for (const x of p) if (x > 0) h -= (x / total) * Math.log(x / total);
  return h;
}

/**
 * Collaboration (routing) entropy: the mean over rows of each row's entropy, in nats
 * (Section 4.3, "routing confidence"). Rows listed in `skipRows` (e.g. a masked expert) are left out.
 */
export function collaborationEntropy(C: Matrix, skipRows: readonly number[] = []): number {
  const N = checkSquare(C, 'collaborationEntropy');
  const rows = C.map((r, i) => i).filter((i) => !skipRows.includes(i));
  if (rows.length === 0) throw new Error(`collaborationEntropy: every one of the ${N} rows is skipped`);
  return rows.reduce((a, i) => a + entropyOf(C[i]), 0) / rows.length;
}

/**
 * Numerical rank of C: the number of singular values above `tol * s_max` (default tol = N * 1e-7,
 * the float32 resolution the model computes in). Singular values are the square roots of the
 * eigenvalues of C^T C, found by cyclic Jacobi rotations (C is at most a few dozen experts wide).
 */
export function matrixRank(C: Matrix, tol?: number): number {
  const N = checkSquare(C, 'matrixRank');
  const sv = singularValues(C);
  const smax = Math.max(...sv);
  if (smax === 0) return 0;
  const t = (tol ?? N * 1e-7) * smax;
  return sv.filter((s) => s > t).length;
}

/** Singular values of a square matrix, descending. */
export function singularValues(C: Matrix): number[] {
  const N = checkSquare(C, 'singularValues');
  // A = C^T C is symmetric positive semi-definite; its eigenvalues are the squared singular values.
  const A = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => C.reduce((s, row) => s + row[i] * row[j], 0)));
  return jacobiEigenvalues(A).map((x) => Math.sqrt(Math.max(0, x))).sort((a, b) => b - a);
}

/** Relational importance u_j = sum_{i != j} C_ij: the incoming mass of each expert (Section 2.2). */
export function relationalImportance(C: Matrix, skipRows: readonly number[] = []): number[] {
  const N = checkSquare(C, 'relationalImportance');
  const u = new Array<number>(N).fill(0);
  C.forEach((row, i) => {
    if (skipRows.includes(i)) return;
    row.forEach((x, j) => {
      if (i !== j) u[j] += x;
    });
  });
  return u;
}

/**
 * Gini coefficient of a non-negative vector (incoming mass, usage counts); 0 when the vector has
 * no mass at all (nothing is centralised), else `gini` of src/stats.
 */
export function giniOf(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('giniOf: empty vector');
  if (xs.every((x) => x === 0)) return 0;
  return gini(xs);
}

/** Successor centralization: Gini of the incoming mass u_j (Section 4.3). */
export function incomingGini(C: Matrix, skipRows: readonly number[] = []): number {
  return giniOf(relationalImportance(C, skipRows));
}

/** Element-wise mean of equally shaped matrices. */
export function meanMatrix(ms: readonly Matrix[]): Matrix {
  if (ms.length === 0) throw new Error('meanMatrix: no matrices');
  const N = ms[0].length;
  const out = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (const m of ms) m.forEach((row, i) => row.forEach((x, j) => (out[i][j] += x / ms.length)));
  return out;
}

/** Element-wise mean of equally long vectors. */
export function meanVector(vs: readonly (readonly number[])[]): number[] {
  if (vs.length === 0) throw new Error('meanVector: no vectors');
  const out = new Array<number>(vs[0].length).fill(0);
  for (const v of vs) v.forEach((x, i) => (out[i] += x / vs.length));
  return out;
}

/** How often each expert appears anywhere in the chains (calls per expert). */
export function usageCounts(chains: readonly (readonly number[])[], N: number): number[] {
  const out = new Array<number>(N).fill(0);
  for (const c of chains) for (const e of c) out[e] += 1;
  return out;
}

/** How often each expert starts a chain. */
export function firstExpertCounts(chains: readonly (readonly number[])[], N: number): number[] {
  const out = new Array<number>(N).fill(0);
  for (const c of chains) if (c.length > 0) out[c[0]] += 1;
  return out;
}
