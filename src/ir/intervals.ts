// Conditions on one argument as sets of values: `fd <= 2 or fd == 5 or fd >= 9` is the interval set
// {[0, 2], [5, 5], [9, max]}. Combining comparisons this way before they become word tests lets a
// condition be searched in one pass over the argument's words, however it was written, and finds
// conditions that always or never hold. Sets are sorted lists of disjoint, non-adjacent intervals.

export type Interval = readonly [bigint, bigint];
export type IntervalSet = readonly Interval[];

export function point(v: bigint): IntervalSet {
  return [[v, v]];
}

/** Values below or above v, within 0..max. */
export function below(v: bigint, inclusive: boolean): IntervalSet {
  const hi = inclusive ? v : v - 1n;
  return hi < 0n ? [] : [[0n, hi]];
}

export function above(v: bigint, inclusive: boolean, max: bigint): IntervalSet {
  const lo = inclusive ? v : v + 1n;
  return lo > max ? [] : [[lo, max]];
}

export function normalize(intervals: readonly Interval[]): IntervalSet {
  const sorted = [...intervals].filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1];
    else out.push([lo, hi]);
  }
  return out;
}

export function union(a: IntervalSet, b: IntervalSet): IntervalSet {
  return normalize([...a, ...b]);
}

export function complement(set: IntervalSet, max: bigint): IntervalSet {
  const out: Interval[] = [];
  let next = 0n;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

export function intersect(a: IntervalSet, b: IntervalSet, max: bigint): IntervalSet {
  return complement(union(complement(a, max), complement(b, max)), max);
}

const WORD = 0xffffffffn;

/**
 * A set of 64-bit values as pieces over its (high, low) words: a value is in the set when, for
 * some piece, its high word is in the piece's first interval and its low word in the second.
 * Pieces have disjoint high-word intervals.
 */
export function splitWords(set: IntervalSet): [Interval, Interval][] {
  const byHigh = new Map<string, { high: Interval; lows: Interval[] }>();
  const add = (high: Interval, low: Interval): void => {
    const key = `${high[0]}:${high[1]}`;
    const entry = byHigh.get(key) ?? { high, lows: [] };
    entry.lows.push(low);
    byHigh.set(key, entry);
  };
  for (const [lo, hi] of set) {
    const [hl, ll, hh, lh] = [lo >> 32n, lo & WORD, hi >> 32n, hi & WORD];
    if (hl === hh) {
      add([hl, hl], [ll, lh]);
      continue;
    }
    // The first and last high words may be partial; those between are whole.
    const wholeFrom = ll === 0n ? hl : hl + 1n;
    const wholeTo = lh === WORD ? hh : hh - 1n;
    if (ll !== 0n) add([hl, hl], [ll, WORD]);
    if (wholeFrom <= wholeTo) add([wholeFrom, wholeTo], [0n, WORD]);
    if (lh !== WORD) add([hh, hh], [0n, lh]);
  }
  const pieces: [Interval, Interval][] = [];
  for (const { high, lows } of byHigh.values()) for (const low of normalize(lows)) pieces.push([high, low]);
  return pieces.sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1][0] < b[1][0] ? -1 : 1));
}
