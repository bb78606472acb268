// Set tests (`cmd in {…}`, hundreds of ioctl numbers) as a binary search instead of a chain: the
// word is loaded once, `jge` bisects the sorted values, and runs of consecutive values become
// intervals. What the path already proves about A (its bounds) saves the last test when it can.
import type { BlockId, CfgBuilder, Terminator } from '../bpf/cfg.ts';
import { loadWord, type SetLowering } from '../codegen/lower.ts';
import type { MaskedWord } from '../ir/types.ts';

const WORD_MAX = 0xffffffff;
/** Up to this many items are tested in a row rather than bisected. */
const CHAIN = 2;

/** Values lo..hi of one word, all leading to `target`. */
interface Item {
  readonly lo: number;
  readonly hi: number;
  readonly target: BlockId;
}

export const searchSet: SetLowering = (builder, set, whenTrue, whenFalse) =>
  searchLevel(builder, set.words, set.values, 0, whenTrue, whenFalse);

/** Tests word `level` of the tuples (sorted), then the next word within each group. */
function searchLevel(builder: CfgBuilder, words: readonly MaskedWord[], tuples: readonly (readonly number[])[], level: number, whenTrue: BlockId, whenFalse: BlockId): BlockId {
  const last = level === words.length - 1;
  const items: Item[] = [];
  for (let start = 0; start < tuples.length;) {
    const value = tuples[start]![level]!;
    let end = start;
    while (end < tuples.length && tuples[end]![level] === value) end++;
    const target = last ? whenTrue : searchLevel(builder, words, tuples.slice(start, end), level + 1, whenTrue, whenFalse);
    const previous = items[items.length - 1];
    // Consecutive values with the same outcome form one interval.
    if (previous && previous.target === target && previous.hi + 1 === value) items[items.length - 1] = { ...previous, hi: value };
    else items.push({ lo: value, hi: value, target });
    start = end;
  }
  const word = words[level]!;
  const max = word.mask ?? WORD_MAX;
  return bisect(builder, items, 0, items.length - 1, 0, max, whenFalse, loadWord(word));
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
  // A short chain, back to front. A failed test says nothing about which side A is on, so every
  // item assumes only the bounds of the whole node.
  let next = whenFalse;
  for (let i = last; i >= first; i--) next = testItem(builder, items[i]!, lo, hi, next, i === first ? load : []);
  return next;
}

/** Goes to item.target when item.lo <= A <= item.hi, else to `otherwise`, knowing lo <= A <= hi. */
function testItem(builder: CfgBuilder, item: Item, lo: number, hi: number, otherwise: BlockId, load: ReturnType<typeof loadWord>): BlockId {
  const coversLow = item.lo <= lo;
  const coversHigh = item.hi >= hi;
  if (coversLow && coversHigh) return load.length > 0 ? builder.block(load, { kind: 'goto', target: item.target }) : item.target;
  if (item.lo === item.hi) return builder.block(load, { kind: 'branch', op: 'jeq', k: item.lo, whenTrue: item.target, whenFalse: otherwise });
  if (coversLow) return builder.block(load, { kind: 'branch', op: 'jgt', k: item.hi, whenTrue: otherwise, whenFalse: item.target });
  if (coversHigh) return builder.block(load, { kind: 'branch', op: 'jge', k: item.lo, whenTrue: item.target, whenFalse: otherwise });
  const upper = builder.block([], { kind: 'branch', op: 'jgt', k: item.hi, whenTrue: otherwise, whenFalse: item.target });
  return builder.block(load, { kind: 'branch', op: 'jge', k: item.lo, whenTrue: upper, whenFalse: otherwise });
}
