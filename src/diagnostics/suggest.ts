// "Did you mean …?" suggestions by edit distance. Runs only on the error path.

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest candidate, if it is close enough to be what the user meant. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    // Case mistakes (`o_creat`) count as one edit whatever their length.
    const distance = candidate.toLowerCase() === lower ? 1 : editDistance(word, candidate, limit);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * closestMatch for the first `budget` words only. A hostile input can hold tens of thousands of
 * unknown names, each compared with thousands of candidates; a report shows only the first 100
 * diagnostics in full, so suggestions past those are work nobody reads.
 */
export class Suggestions {
  constructor(private left = 100) {}

  closest(word: string, candidates: Iterable<string>): string | undefined {
    return this.left-- > 0 ? closestMatch(word, candidates) : undefined;
  }
}
