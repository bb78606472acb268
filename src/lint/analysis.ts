// What a policy decides for a syscall, read from its IR: whether every call, some calls or no call
// of it is allowed, which arguments its rules test, and the verdict for concrete arguments.
import type { CheckedPolicy, CheckedRule } from '../check/checked.ts';
import type { Cond, IrRule, PolicyIr } from '../ir/types.ts';
import { argHighOffset, argLowOffset } from '../seccomp/abi.ts';
import type { Action } from '../seccomp/action.ts';

/** The call runs (allow, log). */
export function isAllowing(action: Action): boolean {
  return action.kind === 'allow' || action.kind === 'log';
}

/** The call may run, possibly after a supervisor or tracer looks at it. */
export function mayRun(action: Action): boolean {
  return isAllowing(action) || action.kind === 'notify' || action.kind === 'trace';
}

/** The decision list of a syscall: its rules in order (empty: the default decides). */
export function decisionRules(ir: PolicyIr, nr: number): readonly IrRule[] {
  return ir.syscalls.find((s) => s.nr === nr)?.rules ?? [];
}

/**
 * The actions a syscall can get, in order: each rule's up to the first unconditional one, then
 * the default if no rule decides every call. Rules that never match are not in the IR.
 */
export function reachableActions(ir: PolicyIr, nr: number): Action[] {
  const actions: Action[] = [];
  for (const rule of decisionRules(ir, nr)) {
    actions.push(rule.action);
    if (rule.condition.kind === 'true') return actions;
  }
  actions.push(ir.defaultAction);
  return actions;
}

/** open: every call gets an action the predicate accepts; refused: none does; filtered: some do. */
export type Openness = 'open' | 'filtered' | 'refused';

export function openness(ir: PolicyIr, nr: number, accepts: (action: Action) => boolean = isAllowing): Openness {
  const actions = reachableActions(ir, nr);
  if (actions.every(accepts)) return 'open';
  return actions.some(accepts) ? 'filtered' : 'refused';
}

/** The rules a syscall has in the checked policy, in order (shadowed ones included). */
export function checkedRules(policy: CheckedPolicy, nr: number): CheckedRule[] {
  return policy.rules.filter((r) => r.syscall.nr === nr);
}

/** The words of seccomp_data an argument occupies. */
export function argOffsets(index: number): [number, number] {
  return [argLowOffset(index), argHighOffset(index)];
}

/** Every word offset a condition tests. */
export function testedOffsets(cond: Cond, into: Set<number> = new Set()): Set<number> {
  switch (cond.kind) {
    case 'true':
    case 'false': break;
    case 'test': into.add(cond.test.offset); break;
    case 'not': testedOffsets(cond.operand, into); break;
    case 'and':
    case 'or': for (const operand of cond.operands) testedOffsets(operand, into); break;
    case 'in':
    case 'ranges': for (const word of cond.words) into.add(word.offset); break;
  }
  return into;
}

/** Values and masks a condition compares a word with: material for candidate arguments. */
export function wordConstants(cond: Cond, offset: number, into: Set<number> = new Set()): Set<number> {
  switch (cond.kind) {
    case 'true':
    case 'false': break;
    case 'test':
      if (cond.test.offset === offset) {
        into.add(cond.test.value >>> 0);
        if (cond.test.mask !== undefined) into.add(cond.test.mask >>> 0);
      }
      break;
    case 'not': wordConstants(cond.operand, offset, into); break;
    case 'and':
    case 'or': for (const operand of cond.operands) wordConstants(operand, offset, into); break;
    case 'in':
      cond.words.forEach((word, i) => {
        if (word.offset !== offset) return;
        if (word.mask !== undefined) into.add(word.mask >>> 0);
        for (const tuple of cond.values) into.add(tuple[i]! >>> 0);
      });
      break;
    case 'ranges':
      cond.words.forEach((word, i) => {
        if (word.offset !== offset) return;
        if (word.mask !== undefined) into.add(word.mask >>> 0);
        for (const piece of cond.pieces) for (const bound of piece[i]!) into.add(bound >>> 0);
      });
      break;
  }
  return into;
}

/** Whether a condition holds for the words of a struct seccomp_data. */
export function evaluate(cond: Cond, words: Uint32Array): boolean {
  switch (cond.kind) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !evaluate(cond.operand, words);
    case 'and': return cond.operands.every((o) => evaluate(o, words));
    case 'or': return cond.operands.some((o) => evaluate(o, words));
    case 'test': {
      const { offset, op, mask, value } = cond.test;
      const word = words[offset / 4]! >>> 0;
      if (op === 'set') return (word & value) !== 0;
      const masked = (word & (mask ?? 0xffffffff)) >>> 0;
      return op === 'eq' ? masked === value >>> 0 : op === 'gt' ? masked > value >>> 0 : masked >= value >>> 0;
    }
    case 'in':
      return cond.values.some((tuple) => cond.words.every((w, i) => wordValue(words, w) === tuple[i]! >>> 0));
    case 'ranges':
      return cond.pieces.some((piece) => cond.words.every((w, i) => {
        const value = wordValue(words, w);
        return value >= piece[i]![0] >>> 0 && value <= piece[i]![1] >>> 0;
      }));
  }
}

/** A word of seccomp_data under a mask, unsigned. */
function wordValue(words: Uint32Array, word: { readonly offset: number; readonly mask?: number }): number {
  return (words[word.offset / 4]! & (word.mask ?? 0xffffffff)) >>> 0;
}

/** The struct seccomp_data words of a call with these arguments (missing ones are 0). */
export function argumentWords(args: readonly bigint[]): Uint32Array {
  const words = new Uint32Array(16);
  args.forEach((value, i) => {
    const v = BigInt.asUintN(64, value);
    words[4 + 2 * i] = Number(v & 0xffffffffn);
    words[5 + 2 * i] = Number(v >> 32n);
  });
  return words;
}

/** The verdict of the policy for one call of a syscall. */
export function verdict(ir: PolicyIr, nr: number, args: readonly bigint[]): { action: Action; rule?: IrRule } {
  const words = argumentWords(args);
  for (const rule of decisionRules(ir, nr)) {
    if (evaluate(rule.condition, words)) return { action: rule.action, rule };
  }
  return { action: ir.defaultAction };
}

/**
 * Candidate values for an argument: 0, all ones, and the constants the syscall's rules compare its
 * words with (each, and with the neighbouring values of each).
 */
export function candidateValues(ir: PolicyIr, nr: number, index: number): bigint[] {
  const [low, high] = argOffsets(index);
  const lows = new Set<number>([0, 0xffffffff]);
  const highs = new Set<number>([0]);
  for (const rule of decisionRules(ir, nr)) {
    for (const c of wordConstants(rule.condition, low)) for (const d of [c, c - 1, c + 1]) lows.add(d >>> 0);
    for (const c of wordConstants(rule.condition, high)) highs.add(c >>> 0);
  }
  const out: bigint[] = [];
  for (const h of highs) for (const l of lows) out.push((BigInt(h) << 32n) | BigInt(l));
  return out;
}
