// Set tests (`cmd in {…}`, hundreds of ioctl numbers; several comparisons of one argument) as a
// binary search instead of a chain: each word is loaded once, `jge` bisects the sorted intervals,
// and runs of consecutive values become one interval. What the path already proves about A (its
// bounds) saves the last test when it can.
import type { BlockId, CfgBuilder, Terminator } from '../bpf/cfg.ts';
import { loadWord, type SetLowering, type SwitchLowering } from '../codegen/lower.ts';
import type { MaskedWord, WordInterval } from '../ir/types.ts';

const WORD_MAX = 0xffffffff;
/** Up to this many items are tested in a row rather than bisected. */
const CHAIN = 2;

/** Values lo..hi of one word, all leading to `target`. */
interface Item {
  readonly lo: number;
  readonly hi: number;
  readonly target: BlockId;
}

/** Intervals of each word, and where a call whose words all lie in them goes. */
interface Piece {
  readonly intervals: readonly WordInterval[];
  readonly target: BlockId;
}

export const searchSet: SetLowering = (builder, set, whenTrue, whenFalse) => {
  const pieces = set.kind === 'ranges' ? set.pieces : set.values.map((tuple) => tuple.map((v): WordInterval => [v, v]));
  return searchLevel(builder, set.words, pieces.map((intervals) => ({ intervals, target: whenTrue })), 0, whenFalse);
};

/**
 * Values of the same words with different outcomes (distinct tuples, each with its target), in
 * one search: the high word is tested once, then the low word, about 2·log2(values) tests in all
 * where a chain takes one or two per value.
 */
export const searchSwitch: SwitchLowering = (builder, words, cases, otherwise) =>
  searchLevel(builder, words, cases.map(({ values, target }) => ({ intervals: values.map((v): WordInterval => [v, v]), target })), 0, otherwise);

/**
 * Tests word `level`: the pieces' intervals at this level (disjoint) become the items of a
 * bisection, each leading on to a search of the next word among its pieces, or straight to
 * their target when they share one and the remaining words do not matter.
 */
function searchLevel(builder: CfgBuilder, words: readonly MaskedWord[], pieces: readonly Piece[], level: number, whenFalse: BlockId): BlockId {
  const groups = new Map<string, { interval: WordInterval; pieces: Piece[] }>();
  for (const piece of pieces) {
    const interval = piece.intervals[level]!;
    const key = `${interval[0]}:${interval[1]}`;
    const group = groups.get(key) ?? { interval, pieces: [] };
    group.pieces.push(piece);
    groups.set(key, group);
  }
  const wordMax = (w: number): number => words[w]!.mask ?? WORD_MAX;
  const restIsFree = (piece: Piece): boolean => piece.intervals.every(([lo, hi], w) => w <= level || (lo === 0 && hi >= wordMax(w)));
  const items: Item[] = [];
  for (const { interval, pieces: group } of [...groups.values()].sort((a, b) => a.interval[0] - b.interval[0])) {
    const shared = group.every((p) => p.target === group[0]!.target);
    const decided = shared && (level === words.length - 1 || group.some(restIsFree));
    if (!decided && level === words.length - 1) throw new Error('internal error: one value with two outcomes in a search');
    const target = decided ? group[0]!.target : searchLevel(builder, words, group, level + 1, whenFalse);
    const previous = items[items.length - 1];
    // Neighbouring intervals with the same outcome form one interval.
    if (previous && previous.target === target && previous.hi + 1 === interval[0]) items[items.length - 1] = { ...previous, hi: interval[1] };
    else items.push({ lo: interval[0], hi: interval[1], target });
  }
  return bisect(builder, items, 0, items.length - 1, 0, wordMax(level), whenFalse, loadWord(words[level]!));
}

/**
 * Code for items first..last, knowing lo <= A <= hi. The first block made for this word carries
 * `load`; blocks below it find the word already in A.
 */
function bisect(builder: CfgBuilder, items: readonly Item[], first: number, last: number, lo: number, hi: number, whenFalse: BlockId, load: ReturnType<typeof loadWord>): BlockId {
  const block = (exit: Terminator): BlockId => builder.block(load, exit);
  if (last - first + 1 > CHAIN) {
    const mid = (first + last + 1) >> 1;
    const split = items[mid]!.lo;
    const right = bisect(builder, items, mid, last, split, hi, whenFalse, []);
    const left = bisect(builder, items, first, mid - 1, lo, split - 1, whenFalse, []);
    return block({ kind: 'branch', op: 'jge', k: split, whenTrue: right, whenFalse: left });
  }
  // A short chain, back to front. A failed test says little about which side A is on, so every
  // item assumes only the bounds of the whole node; but items are in order, so A below an item is
  // below every later one too, and that call is not the chain's.
  let next = whenFalse;
  for (let i = last; i >= first; i--) next = testItem(builder, items[i]!, lo, hi, next, whenFalse, i === first ? load : []);
  return next;
}

/**
 * Goes to item.target when item.lo <= A <= item.hi, else to `otherwise` (A above the item) or
 * `below` (A below it), knowing lo <= A <= hi.
 */
function testItem(builder: CfgBuilder, item: Item, lo: number, hi: number, otherwise: BlockId, below: BlockId, load: ReturnType<typeof loadWord>): BlockId {
  const coversLow = item.lo <= lo;
  const coversHigh = item.hi >= hi;
  if (coversLow && coversHigh) return load.length > 0 ? builder.block(load, { kind: 'goto', target: item.target }) : item.target;
  if (item.lo === item.hi) return builder.block(load, { kind: 'branch', op: 'jeq', k: item.lo, whenTrue: item.target, whenFalse: otherwise });
  if (coversLow) return builder.block(load, { kind: 'branch', op: 'jgt', k: item.hi, whenTrue: otherwise, whenFalse: item.target });
  if (coversHigh) return builder.block(load, { kind: 'branch', op: 'jge', k: item.lo, whenTrue: item.target, whenFalse: below });
  const upper = builder.block([], { kind: 'branch', op: 'jgt', k: item.hi, whenTrue: otherwise, whenFalse: item.target });
  return builder.block(load, { kind: 'branch', op: 'jge', k: item.lo, whenTrue: upper, whenFalse: below });
}
