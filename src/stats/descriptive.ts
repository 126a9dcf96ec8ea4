// Descriptive helpers re-exported from simple-statistics (well tested there), so that notebooks
// and other areas can import everything statistical from one place. Semantics are
// simple-statistics': `sampleVariance` / `sampleStandardDeviation` divide by n - 1,
// `quantile` uses simple-statistics' own rule (not numpy's linear interpolation).
export { mean, median, sampleVariance, sampleStandardDeviation, quantile } from 'simple-statistics';
