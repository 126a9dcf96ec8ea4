import { StatsInputError } from './errors';
import { jacobiEigenvalues } from './jacobi-eigenvalues';
import { finiteArray } from './validate';
import type { NumericArray } from './validate';

/** Eigenvalues below this (relative to 1) are rounding noise of a PSD matrix and count as 0. */
const EIGEN_FLOOR = 1e-12;

/** exp of the Shannon entropy of eigenvalues that sum to 1 (negatives from rounding dropped). */
function expEntropyOfEigenvalues(eigenvalues: readonly number[]): number {
  let h = 0;
  for (const l of eigenvalues) if (l > EIGEN_FLOOR) h -= l * Math.log(l);
  return Math.exp(h);
}

/**
 * Vendi score of a precomputed similarity matrix K (n x n, symmetric, positive semi-definite,
 * K_ii = 1): exp(-sum_i l_i log l_i) over the eigenvalues l_i of K / n (Friedman & Dieng, 2023).
 * It reads as an effective number of distinct items: 1 when all items are identical, n when
 * all are orthogonal. Throws {@link StatsInputError} on a non-square, non-symmetric or non-finite K,
 * or a diagonal entry other than 1.
 */
export function vendiScoreFromKernel(kernel: ReadonlyArray<NumericArray>): number {
  const fn = 'vendiScoreFromKernel';
  const n = kernel.length;
  if (n === 0) throw new StatsInputError(`${fn}: the kernel is empty`);
  const k = kernel.map((row, i) => {
    const r = finiteArray(fn, `kernel[${i}]`, row);
    if (r.length !== n) throw new StatsInputError(`${fn}: kernel[${i}] has ${r.length} entries; the kernel must be ${n} x ${n}`);
    if (Math.abs(r[i] - 1) > 1e-9) throw new StatsInputError(`${fn}: kernel[${i}][${i}] is ${r[i]}; similarities of an item with itself must be 1`);
    return r.map((v) => v / n);
  });
  return expEntropyOfEigenvalues(jacobiEigenvalues(k));
}

/**
 * Vendi score of a set of embedding vectors under the cosine-similarity kernel
 * K_ij = <v_i, v_j> / (|v_i| |v_j|): exp of the entropy of the eigenvalues of K / n. This is the
 * diversity measure of the Mixture-of-Agents analysis (seed 001).
 *
 * With unit rows U (n x d), K / n = U U^T / n shares its non-zero eigenvalues with U^T U / n
 * (d x d), so the smaller of the two is decomposed; 768-d sentence embeddings of a few dozen
 * responses cost an n x n Jacobi solve. Throws {@link StatsInputError} on an empty set, ragged or
 * non-finite vectors, or an all-zero vector (its cosine similarity is undefined).
 */
export function vendiScore(vectors: ReadonlyArray<NumericArray>): number {
  const fn = 'vendiScore';
  const n = vectors.length;
  if (n === 0) throw new StatsInputError(`${fn}: no vectors`);
  const d = vectors[0].length;
  const unit = vectors.map((v, i) => {
    const row = finiteArray(fn, `vectors[${i}]`, v);
    if (row.length !== d) throw new StatsInputError(`${fn}: vectors[${i}] has ${row.length} dimensions, vectors[0] has ${d}`);
    const norm = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
    if (norm === 0) throw new StatsInputError(`${fn}: vectors[${i}] is all zeros; its cosine similarity is undefined`);
    return row.map((x) => x / norm);
  });
  const m = Math.min(n, d);
  const matrix = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  if (n <= d) {
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += unit[i][k] * unit[j][k];
        matrix[i][j] = matrix[j][i] = dot / n;
      }
    }
  } else {
    for (const u of unit) {
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) matrix[a][b] += (u[a] * u[b]) / n;
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) matrix[a][b] = matrix[b][a];
  }
  return expEntropyOfEigenvalues(jacobiEigenvalues(matrix));
}
