// Boolean simplification of IR conditions: constant folding, flattening, and contradictions
// between tests of the same word (`fd == 1 and fd == 2`, `fd < 5 or fd >= 5`).
import { FALSE, TRUE, type Cond, type WordTest } from './types.ts';

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
