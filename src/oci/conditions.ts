// Conditions of OCI rules: the word tests of a path through libseccomp's rule tree turned into
// comparisons of whole 64-bit arguments, ranges where they can be (`hi == 1 and lo >= 5` is
// `arg >= 0x100000005 and arg <= 0x1ffffffff`), and neighbouring rules of one action joined.
// Every transformation keeps the verdicts of a first-match rule list.
import { checkedRule, type ArgOperand, type CheckedRule, type Condition } from '../check/checked.ts';
import type { Span } from '../diagnostics/source.ts';
import { actionsEqual } from '../seccomp/action.ts';
import type { SyscallArg } from '../syscalls/index.ts';
import type { WordCheck } from './libseccomp-db.ts';

/**
 * Argument N as libseccomp sees it: on a 64-bit ABI all 64 bits, whatever the prototype declares;
 * on a 32-bit ABI the low word alone.
 */
const argOperands = (width: 32 | 64): readonly SyscallArg[] => Array.from({ length: 6 }, (_, index) => ({ index, name: `arg${index}`, type: 'unsigned long', width, pointer: false }));
export const ARG64 = argOperands(64);
const ARG32 = argOperands(32);

export function andOf(operands: Condition[]): Condition | undefined {
  if (operands.length === 0) return undefined;
  return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
}

const WORD = 0xffffffff;
const MAX64 = (1n << 64n) - 1n;

/**
 * The tests of one path through libseccomp's tree as a condition, argument by argument: tests of a
 * whole word become ranges (`hi == 1 and lo >= 5` is `arg >= 0x100000005 and arg <= 0x1ffffffff`),
 * the rest stay word tests. null when the tests contradict each other.
 */
export function pathCondition(checks: readonly WordCheck[], span: Span, bits: 32 | 64 = 64): Condition | undefined | null {
  const byArg = new Map<number, WordCheck[]>();
  for (const check of checks) byArg.set(check.arg, [...(byArg.get(check.arg) ?? []), check]);
  const parts: Condition[] = [];
  for (const [arg, list] of byArg) {
    const conditions = argConditions(arg, list, span, bits);
    if (conditions === null) return null;
    parts.push(...conditions);
  }
  return andOf(parts);
}

function argConditions(arg: number, checks: readonly WordCheck[], span: Span, bits: 32 | 64): Condition[] | null {
  const range = { high: [0, WORD], low: [0, WORD] };
  const residual: WordCheck[] = [];
  const notEqual: WordCheck[] = [];
  for (const c of checks) {
    if (c.mask === 0) {
      // (word & 0) is 0: the test is constant
      const holds = c.op === 'ge' ? c.datum === 0 : c.op === 'eq' ? c.datum === 0 : false;
      if (holds === c.negated) return null;
    } else if (c.mask !== WORD) residual.push(c);
    else if (c.negated && c.op === 'eq') notEqual.push(c);
    else {
      const r = range[c.high ? 'high' : 'low'];
      if (c.op === 'eq') r.splice(0, 2, Math.max(r[0]!, c.datum), Math.min(r[1]!, c.datum));
      else if (!c.negated) r[0] = Math.max(r[0]!, c.op === 'gt' ? c.datum + 1 : c.datum);
      else r[1] = Math.min(r[1]!, c.op === 'gt' ? c.datum : c.datum - 1);
    }
  }
  // `!=` narrows a range at its ends; elsewhere it stays a test
  for (let changed = true; changed;) {
    changed = false;
    for (let i = notEqual.length - 1; i >= 0; i--) {
      const c = notEqual[i]!;
      const r = range[c.high ? 'high' : 'low'];
      if (c.datum < r[0]! || c.datum > r[1]!) {
        // always true
      } else if (c.datum === r[0]) {
        r[0]++;
      } else if (c.datum === r[1]) {
        r[1]--;
      } else {
        continue;
      }
      notEqual.splice(i, 1);
      changed = true;
    }
  }
  if (range.high[0]! > range.high[1]! || range.low[0]! > range.low[1]!) return null;
  const out: Condition[] = [];
  if (bits === 32) {
    // a 32-bit ABI's tree tests the low word alone: it is the argument
    const operand = ARG32[arg]!;
    const [lo, hi] = range.low.map(BigInt) as [bigint, bigint];
    out.push(...intervalParts({ arg: operand }, lo, hi, 0xffffffffn, span));
    for (const c of [...notEqual, ...residual]) out.push(wordCondition(c, span, operand));
    return out;
  }
  const operand = ARG64[arg]!;
  const interval = (mask: bigint | undefined, lo: bigint, hi: bigint, max: bigint): void => {
    out.push(...intervalParts(mask === undefined ? { arg: operand } : { arg: operand, mask }, lo, hi, max, span));
  };
  const [hlo, hhi] = range.high.map(BigInt) as [bigint, bigint];
  const [llo, lhi] = range.low.map(BigInt) as [bigint, bigint];
  if (hlo === hhi) interval(undefined, (hlo << 32n) | llo, (hlo << 32n) | lhi, MAX64);
  else if (llo === 0n && lhi === 0xffffffffn) interval(undefined, hlo << 32n, (hhi << 32n) | 0xffffffffn, MAX64);
  else {
    interval(0xffffffffn << 32n, hlo << 32n, hhi << 32n, 0xffffffffn << 32n);
    interval(0xffffffffn, llo, lhi, 0xffffffffn);
  }
  // a masked equality of both words is one masked comparison of the argument
  const maskedHigh = residual.find((c) => c.high && c.op === 'eq' && !c.negated);
  const maskedLow = residual.find((c) => !c.high && c.op === 'eq' && !c.negated);
  if (maskedHigh && maskedLow) {
    residual.splice(residual.indexOf(maskedHigh), 1);
    residual.splice(residual.indexOf(maskedLow), 1);
    const mask = (BigInt(maskedHigh.mask) << 32n) | BigInt(maskedLow.mask);
    out.push({ kind: 'compare', operand: { arg: operand, mask }, op: '==', value: (BigInt(maskedHigh.datum) << 32n) | BigInt(maskedLow.datum), span });
  }
  for (const c of notEqual) {
    // with the high word fixed, `low != d` is `arg != high:d`
    if (!c.high && hlo === hhi) out.push({ kind: 'compare', operand: { arg: operand }, op: '!=', value: (hlo << 32n) | BigInt(c.datum), span });
    else out.push(wordCondition(c, span, operand));
  }
  for (const c of residual) out.push(wordCondition(c, span, operand));
  return out;
}

/** `lo <= operand <= hi` as comparisons: `==` for one value, and no bound where it is the operand's own (0, `max`). */
function intervalParts(operand: ArgOperand, lo: bigint, hi: bigint, max: bigint, span: Span): Condition[] {
  if (lo === hi) return [{ kind: 'compare', operand, op: '==', value: lo, span }];
  return [
    ...(lo > 0n ? [{ kind: 'compare', operand, op: '>=', value: lo, span } as const] : []),
    ...(hi < max ? [{ kind: 'compare', operand, op: '<=', value: hi, span } as const] : []),
  ];
}

/** A range of one whole argument, with some values left out. */
interface ArgRange {
  readonly arg: number;
  readonly operand: SyscallArg;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly except: readonly bigint[];
}

const maxOf = (operand: SyscallArg): bigint => (1n << BigInt(operand.width)) - 1n;
const inRange = (r: ArgRange, v: bigint): boolean => v >= r.lo && v <= r.hi && !r.except.includes(v);

/** The range a condition is, if it is one (`arg >= a and arg <= b and arg != c`). */
function asRange(condition: Condition | undefined): ArgRange | undefined {
  const parts = condition === undefined ? [] : condition.kind === 'and' ? condition.operands : [condition];
  let range: { arg: number; operand: SyscallArg; lo: bigint; hi: bigint; except: bigint[] } | undefined;
  for (const part of parts) {
    if (part.kind !== 'compare' || part.operand.mask !== undefined || !['==', '>=', '<=', '!='].includes(part.op)) return undefined;
    const arg = part.operand.arg.index;
    range ??= { arg, operand: part.operand.arg, lo: 0n, hi: maxOf(part.operand.arg), except: [] };
    if (range.arg !== arg) return undefined;
    if (part.op === '!=') range.except.push(part.value);
    else {
      if (part.op !== '<=') range.lo = part.value > range.lo ? part.value : range.lo;
      if (part.op !== '>=') range.hi = part.value < range.hi ? part.value : range.hi;
    }
  }
  return range;
}

/**
 * Two consecutive rules with one action whose conditions are touching ranges of one argument, as
 * libseccomp's tree splits `arg > 1` into the high and the low word: one rule. Merging neighbours
 * of the same action never changes a first-match list.
 */
export function mergeRanges(a: CheckedRule, b: CheckedRule): CheckedRule | undefined {
  if (!actionsEqual(a.action, b.action)) return undefined;
  const ra = asRange(a.condition);
  const rb = asRange(b.condition);
  if (!ra || !rb || ra.arg !== rb.arg || ra.lo > rb.hi + 1n || rb.lo > ra.hi + 1n) return undefined;
  const lo = ra.lo < rb.lo ? ra.lo : rb.lo;
  const hi = ra.hi > rb.hi ? ra.hi : rb.hi;
  // a value left out of one range stays out only if the other range lacks it too
  const except = [...new Set([...ra.except.filter((v) => !inRange(rb, v)), ...rb.except.filter((v) => !inRange(ra, v))])].sort((x, y) => (x < y ? -1 : 1));
  const operand = { arg: ra.operand };
  const span = a.span;
  const parts = intervalParts(operand, lo, hi, maxOf(ra.operand), span);
  for (const v of except) parts.push({ kind: 'compare', operand, op: '!=', value: v, span });
  return checkedRule(a.syscall, a.action, andOf(parts), a.span, a.syscallSpan);
}

/** A test of one word of the tree as a comparison of the masked argument. */
function wordCondition(check: WordCheck, span: Span, operand: SyscallArg): Condition {
  const shift = check.high ? 32n : 0n;
  const op = check.negated ? ({ eq: '!=', gt: '<=', ge: '<' } as const)[check.op] : ({ eq: '==', gt: '>', ge: '>=' } as const)[check.op];
  const mask = BigInt(check.mask) << shift;
  // a full mask of a 32-bit argument is no mask
  return { kind: 'compare', operand: operand.width === 32 && mask === 0xffffffffn ? { arg: operand } : { arg: operand, mask }, op, value: BigInt(check.datum) << shift, span };
}

/**
 * The rules of a syscall that all have one action, in any order: the ranges of one argument from
 * one entry joined where they touch (`arg0 <= 37`, `arg0 == 39`, `arg0 >= 41`).
 */
export function unionRanges(rules: readonly CheckedRule[]): CheckedRule[] {
  const out: CheckedRule[] = [];
  const groups = new Map<string, CheckedRule[]>();
  for (const rule of rules) {
    const range = asRange(rule.condition);
    if (!range) {
      out.push(rule);
      continue;
    }
    const key = `${rule.span.start}:${range.arg}`;
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  for (const group of groups.values()) {
    const sorted = group.sort((a, b) => (asRange(a.condition)!.lo < asRange(b.condition)!.lo ? -1 : 1));
    let current = sorted[0]!;
    for (const next of sorted.slice(1)) {
      const merged = mergeRanges(current, next);
      if (merged) current = merged;
      else {
        out.push(current);
        current = next;
      }
    }
    out.push(current);
  }
  return out;
}
