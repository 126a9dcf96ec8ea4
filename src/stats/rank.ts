/** Average ranks of a sample together with the sizes of its groups of tied values. */
export interface Ranking {
  /** 1-based ranks in input order; tied values share the mean of the ranks they span */
  ranks: number[];
  /** size of every group of equal values that has more than one member */
  tieSizes: number[];
}

/**
 * Ranks `values` the way scipy.stats.rankdata(method='average') does: sort ascending, give the
 * k-th smallest rank k, and give each group of equal values the average of its ranks.
 */
export function averageRanks(values: readonly number[]): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(n);
  const tieSizes: number[] = [];
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    // positions start..end-1 (0-based) hold ranks start+1..end; their mean is (start+1+end)/2
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    if (end - start > 1) tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}
