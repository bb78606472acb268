// Boolean simplification of IR conditions: constant folding, flattening, and contradictions
// between tests of the same word (`fd == 1 and fd == 2`, `fd < 5 or fd >= 5`).
import { FALSE, TRUE, type Cond, type MaskedWord, type WordInterval, type WordTest } from './types.ts';

const WORD_MAX = 0xffffffff;

export function not(operand: Cond): Cond {
  switch (operand.kind) {
    case 'true': return FALSE;
    case 'false': return TRUE;
    case 'not': return operand.operand;
    default: return { kind: 'not', operand };
  }
}

export function and(operands: readonly Cond[]): Cond {
  return junction('and', operands);
}

export function or(operands: readonly Cond[]): Cond {
  return junction('or', operands);
}

export function test(t: WordTest): Cond {
  const mask = t.mask ?? WORD_MAX;
  switch (t.op) {
    case 'eq':
      if ((t.value & ~mask) !== 0) return FALSE;
      if (mask === 0) return TRUE; // value is 0 here
      break;
    case 'gt':
      if (t.value >= mask) return FALSE;
      break;
    case 'ge':
      if (t.value === 0) return TRUE;
      if (t.value > mask) return FALSE;
      break;
    case 'set':
      if (t.value === 0) return FALSE;
      break;
  }
  return { kind: 'test', test: t.mask === WORD_MAX ? { ...t, mask: undefined } : t };
}

/** Simplifies a whole tree bottom-up. */
export function simplify(cond: Cond): Cond {
  switch (cond.kind) {
    case 'true':
    case 'false': return cond;
    case 'test': return test(cond.test);
    case 'not': return not(simplify(cond.operand));
    case 'and': return and(cond.operands.map(simplify));
    case 'or': return or(cond.operands.map(simplify));
    case 'in': return inSet(cond.words, cond.values);
    case 'ranges': return rangeSet(cond.words, cond.pieces);
  }
}

function junction(kind: 'and' | 'or', operands: readonly Cond[]): Cond {
  const absorbing = kind === 'and' ? 'false' : 'true';
  const identity = kind === 'and' ? 'true' : 'false';
  const flat: Cond[] = [];
  const seen = new Set<string>();
  for (const operand of operands) {
    const parts = operand.kind === kind ? operand.operands : [operand];
    for (const part of parts) {
      if (part.kind === absorbing) return part;
      if (part.kind === identity) continue;
      const key = JSON.stringify(part);
      if (seen.has(key)) continue;
      seen.add(key);
      flat.push(part);
    }
  }
  if (kind === 'or' && flat.length > 1) {
    const merged = mergeSets(flat);
    if (merged.length < flat.length) return junction('or', merged);
  }
  if (flat.length === 0) return kind === 'and' ? TRUE : FALSE;
  if (flat.length === 1) return flat[0]!;
  // An `or` is always true when the `and` of the negations is contradictory.
  const contradictory = kind === 'and' ? contradicts(flat) : contradicts(flat.map(not));
  if (contradictory) return kind === 'and' ? FALSE : TRUE;
  return { kind, operands: flat };
}

/** Whether unmasked comparisons of the same word admit no common value. */
function contradicts(conjuncts: readonly Cond[]): boolean {
  const ranges = new Map<number, { lo: number; hi: number; excluded: Set<number> }>();
  for (const c of conjuncts) {
    const negated = c.kind === 'not';
    const inner = negated ? c.operand : c;
    if (inner.kind !== 'test' || inner.test.mask !== undefined || inner.test.op === 'set') continue;
    const { offset, op, value } = inner.test;
    let range = ranges.get(offset);
    if (!range) {
      range = { lo: 0, hi: WORD_MAX, excluded: new Set() };
      ranges.set(offset, range);
    }
    if (op === 'eq' && negated) range.excluded.add(value);
    else if (op === 'eq') [range.lo, range.hi] = [Math.max(range.lo, value), Math.min(range.hi, value)];
    else if (op === 'gt' && !negated) range.lo = Math.max(range.lo, value + 1);
    else if (op === 'gt') range.hi = Math.min(range.hi, value);
    else if (op === 'ge' && !negated) range.lo = Math.max(range.lo, value);
    else range.hi = Math.min(range.hi, value - 1);
  }
  for (const { lo, hi, excluded } of ranges.values()) {
    if (lo > hi) return true;
    // Only a small remaining interval can be fully excluded by `!=` tests.
    if (hi - lo < excluded.size) {
      let allExcluded = true;
      for (let v = lo; v <= hi && allExcluded; v++) allExcluded = excluded.has(v);
      if (allExcluded) return true;
    }
  }
  return false;
}

/**
 * A set test, normalised: tuples that cannot match under the masks are dropped, words whose mask
 * is 0 disappear (their component must be 0), tuples are sorted and distinct.
 */
export function inSet(words: readonly MaskedWord[], values: readonly (readonly number[])[]): Cond {
  const kept: number[] = [];
  const normalWords: MaskedWord[] = [];
  words.forEach((word, i) => {
    if (word.mask !== 0) {
      kept.push(i);
      normalWords.push(word.mask === WORD_MAX ? { offset: word.offset } : word);
    }
  });
  const byKey = new Map<string, number[]>();
  for (const tuple of values) {
    const possible = words.every((word, i) => (tuple[i]! & ~(word.mask ?? WORD_MAX)) === 0);
    if (!possible) continue;
    const reduced = kept.map((i) => tuple[i]! >>> 0);
    byKey.set(reduced.join(','), reduced);
  }
  const tuples = [...byKey.values()].sort(compareTuples);
  if (tuples.length === 0) return FALSE;
  if (normalWords.length === 0) return TRUE;
  if (tuples.length === 1) return and(normalWords.map((word, i) => test({ offset: word.offset, op: 'eq', value: tuples[0]![i]!, ...(word.mask === undefined ? {} : { mask: word.mask }) })));
  return { kind: 'in', words: normalWords, values: tuples };
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The set a condition tests, when it is an equality or a set over words (for merging `or`s). */
function asSet(cond: Cond): { words: readonly MaskedWord[]; values: readonly (readonly number[])[] } | undefined {
  if (cond.kind === 'in') return cond;
  if (cond.kind === 'test' && cond.test.op === 'eq') return { words: [{ offset: cond.test.offset, ...(cond.test.mask === undefined ? {} : { mask: cond.test.mask }) }], values: [[cond.test.value]] };
  if (cond.kind === 'and' && cond.operands.every((o) => o.kind === 'test' && o.test.op === 'eq')) {
    const tests = cond.operands.map((o) => (o as Extract<Cond, { kind: 'test' }>).test);
    return { words: tests.map((t) => ({ offset: t.offset, ...(t.mask === undefined ? {} : { mask: t.mask }) })), values: [tests.map((t) => t.value)] };
  }
  return undefined;
}

/** `x == 1 or x == 2 or x in {3, 4}` on the same words becomes one set. */
function mergeSets(operands: readonly Cond[]): Cond[] {
  const groups = new Map<string, { words: readonly MaskedWord[]; values: (readonly number[])[]; first: number }>();
  const out: (Cond | undefined)[] = [];
  operands.forEach((operand) => {
    const set = asSet(operand);
    if (!set) {
      out.push(operand);
      return;
    }
    const key = JSON.stringify(set.words);
    const group = groups.get(key);
    if (group) {
      group.values.push(...set.values);
      out.push(undefined);
    } else {
      groups.set(key, { words: set.words, values: [...set.values], first: out.length });
      out.push(operand);
    }
  });
  for (const group of groups.values()) {
    if (group.values.length > 1) out[group.first] = inSet(group.words, group.values);
  }
  return out.filter((c): c is Cond => c !== undefined);
}

/**
 * An interval-set test, normalised: intervals clipped to each word's mask, words whose mask is 0
 * dropped (their value is 0), and the simplest form chosen: false, true, one interval of one word
 * as plain tests, exact values as a set (`in`), else `ranges`.
 */
export function rangeSet(words: readonly MaskedWord[], pieces: readonly (readonly WordInterval[])[]): Cond {
  const kept: number[] = [];
  words.forEach((word, i) => {
    if (word.mask !== 0) kept.push(i);
  });
  const normal: WordInterval[][] = [];
  for (const piece of pieces) {
    // A word whose mask is 0 reads as 0: the piece holds only if its interval contains 0.
    if (words.some((word, i) => word.mask === 0 && piece[i]![0] !== 0)) continue;
    const clipped = kept.map((i): WordInterval => [piece[i]![0], Math.min(piece[i]![1], words[i]!.mask ?? WORD_MAX)]);
    if (clipped.every(([lo, hi]) => lo <= hi)) normal.push(clipped);
  }
  const normalWords = kept.map((i) => (words[i]!.mask === WORD_MAX ? { offset: words[i]!.offset } : words[i]!));
  if (normal.length === 0) return FALSE;
  const full = (piece: readonly WordInterval[]): boolean => piece.every(([lo, hi], i) => lo === 0 && hi === (normalWords[i]!.mask ?? WORD_MAX));
  if (normalWords.length === 0 || normal.some(full)) return TRUE;
  if (normal.every((piece) => piece.every(([lo, hi]) => lo === hi))) return inSet(normalWords, normal.map((piece) => piece.map(([lo]) => lo)));
  if (normalWords.length === 1 && normal.length === 1) return intervalTest(normalWords[0]!, normal[0]![0]!);
  normal.sort((a, b) => a[0]![0] - b[0]![0] || (a[1]?.[0] ?? 0) - (b[1]?.[0] ?? 0));
  return { kind: 'ranges', words: normalWords, pieces: normal };
}

/** `lo <= (word & mask) <= hi` as plain tests. */
export function intervalTest(word: MaskedWord, [lo, hi]: WordInterval): Cond {
  const max = word.mask ?? WORD_MAX;
  const at = (op: WordTest['op'], value: number): Cond => test({ offset: word.offset, op, value, ...(word.mask === undefined ? {} : { mask: word.mask }) });
  if (lo === hi) return at('eq', lo);
  const atLeast = lo === 0 ? TRUE : at('ge', lo);
  const atMost = hi >= max ? TRUE : not(at('gt', hi));
  return and([atLeast, atMost]);
}
