// Checked policy → IR. Argument comparisons become tests of 32-bit words, split by the argument's
// width: a 64-bit value compares its high word first and the low word only on a tie; 32-bit and
// 16-bit arguments compare the low word only (the kernel ignores the rest), under a width mask.
// Rules that can never match are dropped and reported.
import type { ArgOperand, CheckedPolicy, Condition } from '../check/checked.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Span } from '../diagnostics/source.ts';
import { argHighOffset, argLowOffset } from '../seccomp/abi.ts';
import type { FilterFlagName } from '../seccomp/abi.ts';
import { actionMinKernel, actionsEqual, type Action } from '../seccomp/action.ts';
import { FLAG_MIN_KERNEL, resolveFilterFlags } from '../seccomp/flags.ts';
import { compareKernel } from '../seccomp/kernel-version.ts';
import { and, inSet, not, or, rangeSet, simplify, test } from './simplify.ts';
import { above, below, complement, intersect, normalize, point, splitWords, union, type Interval, type IntervalSet } from './intervals.ts';
import { FALSE, TRUE, type Cond, type IrRule, type PolicyIr, type SyscallDecision, type WordTest } from './types.ts';

const WORD = 0xffffffffn;

export interface LowerResult {
  readonly ir: PolicyIr;
  /** Rules that never match, conditions that always hold. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface LowerPolicyOptions {
  /** Filter flags asked for besides those of the policy itself (the CLI's --flag). */
  readonly flags?: readonly FilterFlagName[];
}

export function lowerPolicy(policy: CheckedPolicy, options: LowerPolicyOptions = {}): LowerResult {
  const diagnostics: Diagnostic[] = [];
  const bySyscall = new Map<number, { name: string; rules: PendingRule[]; decider?: PendingRule; conditions?: Map<string, PendingRule> }>();
  // Indexed loops over the rules: this runs once per compile, before V8 optimises it, where a
  // for-of loop allocates an iterator result on every step.
  for (let r = 0; r < policy.rules.length; r++) {
    const rule = policy.rules[r]!;
    let entry = bySyscall.get(rule.syscall.nr);
    if (!entry) {
      entry = { name: rule.syscall.name, rules: [] };
      bySyscall.set(rule.syscall.nr, entry);
    }
    if (entry.decider) {
      diagnostics.push(shadowed(rule.syscall.name, rule.syscallSpan, entry.decider.origin));
      continue;
    }
    const condition = rule.condition ? simplify(lowerCondition(rule.condition)) : TRUE;
    if (condition.kind === 'false') {
      diagnostics.push({ code: 'SC3004', severity: 'warning', span: rule.syscallSpan, message: `this rule never applies to \`${rule.syscall.name}\`: its condition can never hold` });
      continue;
    }
    if (rule.condition && condition.kind === 'true') {
      diagnostics.push({ code: 'SC3005', severity: 'warning', span: rule.syscallSpan, message: `the condition always holds for \`${rule.syscall.name}\`` });
    }
    // The same condition again: the first rule catches every call the second would (its text
    // repeated, or the same test written another way). Keyed from a syscall's second rule on:
    // most syscalls have one.
    let same: PendingRule | undefined;
    let key = '';
    if (entry.rules.length > 0) {
      entry.conditions ??= new Map([[conditionKey(entry.rules[0]!.condition), entry.rules[0]!]]);
      key = conditionKey(condition);
      same = entry.conditions.get(key);
    }
    if (same) {
      diagnostics.push({
        code: 'SC3004', severity: 'warning', span: rule.syscallSpan,
        message: `this rule never applies to \`${rule.syscall.name}\`: an earlier rule has the same condition`,
        ...(same.origin ? { related: [{ message: 'the same condition here', span: same.origin }] } : {}),
      });
      continue;
    }
    const pending: PendingRule = { condition, action: rule.action, origin: rule.span, syscallSpan: rule.syscallSpan, checked: rule.condition };
    entry.conditions?.set(key, pending);
    // most syscalls have one rule: an array of one, not an empty one grown by push
    if (entry.rules.length === 0) entry.rules = [pending];
    else entry.rules.push(pending);
    if (condition.kind === 'true') entry.decider = pending;
  }
  bySyscall.forEach((entry) => {
    if (entry.rules.length > 1) entry.rules = mergeRuns(entry.name, entry.rules, diagnostics);
  });

  // The newest kernel an action needs, and whether one notifies, over every action of the filter.
  let minKernel = actionMinKernel(policy.defaultAction);
  let needsListener = false;
  const raise = (version: typeof minKernel): void => {
    if (compareKernel(version, minKernel) > 0) minKernel = version;
  };
  const use = (action: Action): void => {
    if (action.kind === 'notify') needsListener = true;
    raise(actionMinKernel(action));
  };
  use(policy.defaultAction);
  use(policy.x32Action);
  use(policy.foreignArchAction);
  if (policy.unknownAction) use(policy.unknownAction);
  const syscalls: SyscallDecision[] = [];
  // A typed array sorts numbers natively, without calling back into a comparator. Filled by
  // forEach: Float64Array.from(keys()) steps an iterator, twice as slow even once optimised.
  const numbers = new Float64Array(bySyscall.size);
  let filled = 0;
  bySyscall.forEach((_, nr) => {
    numbers[filled++] = nr;
  });
  numbers.sort();
  for (let i = 0; i < numbers.length; i++) {
    const { name, rules } = bySyscall.get(numbers[i]!)!;
    for (let j = 0; j < rules.length; j++) use(rules[j]!.action);
    syscalls.push({ nr: numbers[i]!, name, rules: rules.map(irRule) });
  }
  const { flags, problems } = resolveFilterFlags([...(policy.requestedFlags ?? []), ...(options.flags ?? [])], needsListener);
  for (const problem of problems) diagnostics.push({ code: 'SC4003', severity: 'error', message: `filter flags: ${problem}`, ...(policy.defaultSpan ? { path: policy.defaultSpan.file.path } : {}) });
  for (const flag of flags) raise(FLAG_MIN_KERNEL[flag]);
  return {
    diagnostics: combineShadowed(diagnostics),
    ir: {
      arch: policy.arch,
      defaultAction: policy.defaultAction,
      x32Action: policy.x32Action,
      foreignArchAction: policy.foreignArchAction,
      ...(policy.unknownAction ? { unknownAction: policy.unknownAction } : {}),
      syscalls,
      metadata: { needsListener, flags, minKernel },
    },
  };
}

/** The IR's part of a rule, without what lowering kept for its messages. */
function irRule(rule: IrRule): IrRule {
  return { condition: rule.condition, action: rule.action, origin: rule.origin };
}

interface PendingRule extends IrRule {
  readonly syscallSpan: Span;
  /** The condition before lowering (absent: unconditional), to lower a merged run as a whole. */
  readonly checked?: Condition;
}

/** A lowered condition as text: equal for equal conditions (numbers are 32-bit words). */
function conditionKey(condition: Cond): string {
  return JSON.stringify(condition);
}

/**
 * One warning for the syscalls of one place in a list that earlier rules decide (a `@group` names
 * many), instead of one each.
 */
function combineShadowed(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const byPlace = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (d.code !== 'SC3004' || !d.span || !d.message.endsWith(DECIDED)) continue;
    const key = `${d.span.file.path}:${d.span.start}:${d.span.end}`;
    const list = byPlace.get(key);
    if (list) list.push(d);
    else byPlace.set(key, [d]);
  }
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const list = d.span && d.code === 'SC3004' && d.message.endsWith(DECIDED) ? byPlace.get(`${d.span.file.path}:${d.span.start}:${d.span.end}`) : undefined;
    if (!list || list.length === 1) {
      out.push(d);
      continue;
    }
    if (list[0] !== d) continue;
    const names = list.map((x) => /`([^`]+)`/.exec(x.message)![1]!);
    const shown = names.slice(0, 4).map((n) => `\`${n}\``).join(', ');
    out.push({ ...d, message: `this rule never applies to ${shown}${names.length > 4 ? ` and ${names.length - 4} more` : ''}${DECIDED}` });
  }
  return out;
}

const DECIDED = ': an earlier rule decides every call';

function shadowed(name: string, span: Span, decider: Span | undefined): Diagnostic {
  return {
    code: 'SC3004', severity: 'warning', span,
    message: `this rule never applies to \`${name}\`${DECIDED}`,
    ...(decider ? { related: [{ message: 'decided here', span: decider }] } : {}),
  };
}

/**
 * Neighbouring rules with the same action become one rule whose condition is their `or` (first
 * match makes that exact), so `allow ioctl if cmd == A` written many times becomes one set. A run
 * whose conditions together always hold decides every call: the rules after it never apply.
 */
function mergeRuns(name: string, rules: readonly PendingRule[], diagnostics: Diagnostic[]): PendingRule[] {
  const merged: PendingRule[] = [];
  for (let start = 0; start < rules.length;) {
    let end = start + 1;
    while (end < rules.length && actionsEqual(rules[end]!.action, rules[start]!.action)) end++;
    const run = rules.slice(start, end);
    // Lowered together, comparisons of one argument across the run become one set of values.
    const unconditional = run.some((r) => !r.checked);
    const condition = unconditional ? TRUE : simplify(lowerCondition({ kind: 'or', operands: run.map((r) => r.checked!) }));
    const rule = run.length === 1 ? run[0]! : { ...run[0]!, condition };
    merged.push(rule);
    if (rule.condition.kind === 'true') {
      for (const later of rules.slice(end)) diagnostics.push(shadowed(name, later.syscallSpan, rule.origin));
      break;
    }
    start = end;
  }
  return merged;
}

export function lowerCondition(condition: Condition): Cond {
  switch (condition.kind) {
    case 'and':
    case 'or':
    case 'not': {
      // Several comparisons of one argument are searched together, as one set of values.
      const combined = valuesOf(condition);
      if (combined) return valueSet(combined.operand, combined.values);
      if (condition.kind === 'not') return not(lowerCondition(condition.operand));
      return condition.kind === 'and' ? and(condition.operands.map(lowerCondition)) : or(condition.operands.map(lowerCondition));
    }
    case 'compare': {
      const { operand, value } = condition;
      switch (condition.op) {
        case '==': return equal(operand, value);
        case '!=': return not(equal(operand, value));
        case '>': return greater(operand, value, 'gt');
        case '>=': return greater(operand, value, 'ge');
        case '<': return not(greater(operand, value, 'ge'));
        case '<=': return not(greater(operand, value, 'gt'));
      }
    }
    // falls through: the switch above returns for every operator
    case 'in': {
      if (condition.kind !== 'in') return FALSE;
      const { low, high } = split(condition.operand);
      const words = high ? [high, low] : [low];
      const values = condition.values.map((v) => (high ? [Number(v >> 32n), Number(v & WORD)] : [Number(v & WORD)]));
      return inSet(words.map((w) => ({ offset: w.offset, mask: w.mask })), values);
    }
    case 'bits': {
      const { low, high } = split(condition.operand);
      return or([test({ offset: low.offset, op: 'set', value: low.mask }), high ? test({ offset: high.offset, op: 'set', value: high.mask }) : FALSE]);
    }
  }
}

/** Largest value of an operand: its mask within its width. */
function operandMax(operand: ArgOperand): bigint {
  return (operand.mask ?? (1n << 64n) - 1n) & ((1n << BigInt(operand.arg.width)) - 1n);
}

function operandKey(operand: ArgOperand): string {
  return `${operand.arg.index}:${operand.arg.width}:${operand.mask ?? ''}`;
}

/**
 * The values of one (masked) argument that a condition accepts, when every comparison in it is on
 * that argument (bit tests excepted, which are not intervals).
 */
function valuesOf(condition: Condition): { operand: ArgOperand; values: IntervalSet } | undefined {
  switch (condition.kind) {
    case 'bits': return undefined;
    case 'compare': {
      const { operand, value } = condition;
      const max = operandMax(operand);
      const values = {
        '==': point(value), '!=': complement(point(value), max), '<': below(value, false), '<=': below(value, true),
        '>': above(value, false, max), '>=': above(value, true, max),
      }[condition.op];
      return { operand, values };
    }
    case 'in': return { operand: condition.operand, values: normalize(condition.values.map((v): Interval => [v, v])) };
    case 'not': {
      const inner = valuesOf(condition.operand);
      return inner && { operand: inner.operand, values: complement(inner.values, operandMax(inner.operand)) };
    }
    case 'and':
    case 'or': {
      const parts = condition.operands.map(valuesOf);
      const first = parts[0];
      if (!first || parts.some((p) => !p || operandKey(p.operand) !== operandKey(first.operand))) return undefined;
      const max = operandMax(first.operand);
      const values = parts.slice(1).reduce((acc, p) => (condition.kind === 'and' ? intersect(acc, p!.values, max) : union(acc, p!.values)), first.values);
      return { operand: first.operand, values };
    }
  }
}

/**
 * A set of an argument's values as word tests: one interval set per word, high word first. When
 * the complement is simpler (`family not in {AF_UNIX}`), its negation is used.
 */
function valueSet(operand: ArgOperand, values: IntervalSet): Cond {
  const rest = complement(values, operandMax(operand));
  if (rest.length < values.length) return not(wordSets(operand, rest));
  return wordSets(operand, values);
}

function wordSets(operand: ArgOperand, values: IntervalSet): Cond {
  const { low, high } = split(operand);
  if (!high) return rangeSet([low], values.map(([a, b]) => [[Number(a), Number(b)]]));
  const pieces = splitWords(values).map(([h, l]) => [[Number(h[0]), Number(h[1])], [Number(l[0]), Number(l[1])]] as [number, number][]);
  return rangeSet([high, low], pieces);
}

interface WordPart {
  readonly offset: number;
  /** Bits of the word that take part: the user's mask and the argument's width. */
  readonly mask: number;
}

/** The words an argument occupies: the low word always, the high word only for 64-bit arguments. */
function split(operand: ArgOperand): { low: WordPart; high?: WordPart } {
  const { arg } = operand;
  const mask = (operand.mask ?? (1n << 64n) - 1n) & ((1n << BigInt(arg.width)) - 1n);
  const low = { offset: argLowOffset(arg.index), mask: Number(mask & WORD) };
  return arg.width === 64 ? { low, high: { offset: argHighOffset(arg.index), mask: Number(mask >> 32n) } } : { low };
}

function wordTest(part: WordPart, op: WordTest['op'], value: number): Cond {
  return test({ offset: part.offset, op, mask: part.mask, value });
}

function equal(operand: ArgOperand, value: bigint): Cond {
  const { low, high } = split(operand);
  const lowEq = wordTest(low, 'eq', Number(value & WORD));
  return high ? and([wordTest(high, 'eq', Number(value >> 32n)), lowEq]) : lowEq;
}

/** `(arg & mask) > value` or `>= value`: decided by the high word unless it ties. */
function greater(operand: ArgOperand, value: bigint, op: 'gt' | 'ge'): Cond {
  const { low, high } = split(operand);
  const lowTest = wordTest(low, op, Number(value & WORD));
  if (!high) return lowTest;
  const highValue = Number(value >> 32n);
  return or([wordTest(high, 'gt', highValue), and([wordTest(high, 'eq', highValue), lowTest])]);
}
