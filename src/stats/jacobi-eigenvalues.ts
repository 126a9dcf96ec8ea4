import { StatsInputError } from './errors';

/**
 * Eigenvalues of a real symmetric matrix by the cyclic Jacobi method: repeatedly apply plane
 * rotations that zero one off-diagonal entry at a time, sweeping over all pairs, until the
 * off-diagonal mass is negligible; the diagonal then holds the eigenvalues. Each sweep costs
 * O(n^3) and convergence is quadratic, so a handful of sweeps suffice; this is simple, accurate to
 * machine precision and fast enough for the few-hundred-square kernels the workbench builds.
 * Returns the eigenvalues in ascending order. Throws {@link StatsInputError} if the matrix is not
 * square and symmetric (to a relative 1e-10), and if it fails to converge in 100 sweeps.
 */
export function jacobiEigenvalues(matrix: readonly (readonly number[])[]): number[] {
  const n = matrix.length;
  const a = matrix.map((row, i) => {
    if (row.length !== n) throw new StatsInputError(`jacobiEigenvalues: row ${i} has ${row.length} entries, expected ${n}`);
    return [...row];
  });
  let scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(a[i][j]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(a[i][j] - a[j][i]) > 1e-10 * scale) {
        throw new StatsInputError(`jacobiEigenvalues: matrix is not symmetric at (${i}, ${j})`);
      }
    }
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off <= (Number.EPSILON * scale) ** 2 * n * n || off === 0) {
      return a.map((row, i) => row[i]).sort((x, y) => x - y);
    }
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        // rotation angle that zeroes a[p][q]: tan(2 theta) = 2 a_pq / (a_qq - a_pp), smaller root
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  throw new StatsInputError(`jacobiEigenvalues: no convergence after 100 sweeps (n = ${n})`);
}
