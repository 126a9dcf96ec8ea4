/** A thin QR factorisation X = Q R of an n x p matrix (n >= p), stored compactly. */
export interface QrFactorization {
  /** the upper-triangular p x p factor R, row-major */
  r: number[][];
  /** applies Q^T to a length-n vector and returns the first p entries */
  applyQt: (v: readonly number[]) => number[];
  /** applies Q^T to a length-n vector and returns all n entries (the last n - p are residual coordinates) */
  applyQtFull: (v: readonly number[]) => number[];
}

/**
 * Householder QR of the n x p matrix `columns` (given column by column, n >= p). Least squares
 * through QR avoids forming X^T X, whose condition number is the square of X's, so nearly
 * collinear regressors lose half as many digits as with the normal equations.
 */
export function householderQr(columns: readonly (readonly number[])[]): QrFactorization {
  const p = columns.length;
  const n = columns[0].length;
  const a = columns.map((c) => [...c]); // a[j][i]: column j, row i; overwritten in place
  const reflectors: number[][] = [];
  for (let k = 0; k < p; k++) {
    const col = a[k];
    let norm = 0;
    for (let i = k; i < n; i++) norm += col[i] * col[i];
    norm = Math.sqrt(norm);
    const v = new Array<number>(n).fill(0);
    if (norm === 0) {
      reflectors.push(v); // zero column: nothing to reflect, R[k][k] = 0 flags rank deficiency
      continue;
    }
    const alpha = col[k] > 0 ? -norm : norm; // sign chosen to avoid cancellation
    for (let i = k; i < n; i++) v[i] = col[i];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    for (let j = k; j < p; j++) {
      const cj = a[j];
      let dot = 0;
      for (let i = k; i < n; i++) dot += v[i] * cj[i];
      const f = (2 * dot) / vv;
      for (let i = k; i < n; i++) cj[i] -= f * v[i];
    }
    reflectors.push(v.map((x) => x / Math.sqrt(vv))); // unit reflector: H = I - 2 u u^T
  }
  const r = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (j >= i ? a[j][i] : 0)));
  const applyQtFull = (vec: readonly number[]): number[] => {
    const out = [...vec];
    for (const u of reflectors) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += u[i] * out[i];
      for (let i = 0; i < n; i++) out[i] -= 2 * dot * u[i];
    }
    return out;
  };
  return { r, applyQt: (vec) => applyQtFull(vec).slice(0, p), applyQtFull };
}

/** Solves R z = b for upper-triangular R by back substitution. */
export function backSubstitute(r: readonly (readonly number[])[], b: readonly number[]): number[] {
  const p = b.length;
  const z = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < p; j++) s -= r[i][j] * z[j];
    z[i] = s / r[i][i];
  }
  return z;
}
