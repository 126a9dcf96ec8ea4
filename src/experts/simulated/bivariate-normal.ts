/**
 * P(X < h, Y < k) for a standard bivariate normal with correlation r: the probability that two
 * experts whose own attempts share the item's difficulty factor both succeed (competence.ts draws
 * each attempt through a Gaussian copula with loading sqrt(itemCorrelation), so two attempts'
 * latent normals correlate by sqrt(rho_i * rho_j)). Pure; composite Simpson's rule on
 * integral_{-inf}^{h} phi(x) Phi((k - r x) / sqrt(1 - r^2)) dx, accurate to ~1e-7 here.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function bivariateNormalCdf(h: number, k: number, r: number): number {
  if (!(r >= -1 && r <= 1)) throw new Error(`bivariateNormalCdf: correlation ${r} is outside [-1, 1]`);
  if (h === -Infinity || k === -Infinity) return 0;
  if (h === Infinity) return normalCdf(k, 0, 1);
  if (k === Infinity) return normalCdf(h, 0, 1);
  if (r === 0) return normalCdf(h, 0, 1) * normalCdf(k, 0, 1);
  if (r === 1) return normalCdf(Math.min(h, k), 0, 1);
  if (r === -1) return Math.max(0, normalCdf(h, 0, 1) - normalCdf(-k, 0, 1));
  const lo = -9;
  if (h <= lo) return 0;
  const s = Math.sqrt(1 - r * r);
  const n = 400; // even
  const step = (h - lo) / n;
  const f = (x: number) => INV_SQRT_2PI * Math.exp(-0.5 * x * x) * normalCdf((k - r * x) / s, 0, 1);
  let sum = f(lo) + f(h);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(lo + i * step);
  return (sum * step) / 3;
}
