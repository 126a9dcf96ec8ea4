/**
 * The error every function in `src/stats` throws for input it cannot analyse (mismatched lengths,
 * NaN, too few points, constant input). Callers that want to skip a degenerate case (say, an
 * untrained epoch whose scores are all equal) can catch exactly this class and nothing else.
 */
export class StatsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatsInputError';
  }
}
