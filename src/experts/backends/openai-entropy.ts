/**
 * Token entropy from what an OpenAI-compatible server reveals: the log-probabilities of the top-k
 * candidate tokens (`top_logprobs`), not the whole vocabulary.
 *
 * We return the entropy of the distribution coarsened to "each of the k known tokens, plus one
 * bucket for everything else": H_k = -sum_i p_i ln p_i - r ln r, with r = 1 - sum_i p_i. Merging
 * outcomes never raises entropy, so H_k is a lower bound on the full predictive entropy; it is
 * exact when the k tokens carry all the mass, and tight when the tail is small (k = 20 usually
 * leaves little). Compare entropies only between runs with the same k.
 */

/** One generated token with its own log-probability and the top alternatives the server sent. */
export interface TokenCandidates {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

/** Truncated entropy (nats) from the known candidates' log-probabilities (duplicates by token removed). */
export function truncatedEntropy(candidates: TokenCandidates): number {
  const byToken = new Map<string, number>();
  for (const t of candidates.top) byToken.set(t.token, t.logprob);
  if (!byToken.has(candidates.token)) byToken.set(candidates.token, candidates.logprob);
  let h = 0;
  let mass = 0;
  for (const lp of byToken.values()) {
    if (!Number.isFinite(lp)) continue; // -inf: probability 0, contributes nothing
    const p = Math.exp(lp);
    mass += p;
    h -= p * lp;
  }
  const rest = 1 - mass;
  if (rest > 1e-12) h -= rest * Math.log(rest);
  return Math.max(0, h);
}
