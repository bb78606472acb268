// The policy side of a proof, straight from the language's documented meaning (docs/language.md),
// built from the checked policy and nothing the compiler derives from it (no IR, no lowering, no
// optimiser), so that a proof covers all of those:
// - a call of another architecture (arch ≠ the target's AUDIT_ARCH) gets `foreign_arch`'s action;
// - a call of the other ABI with the same arch gets `x32`'s on x86-64 (nr ≥ 0x40000000, but not -1, which a
//   tracer uses to skip a call) and `foreign_arch`'s on x32 (nr < 0x40000000);
// - otherwise the first rule for nr whose condition holds decides, and the default when none does.
// An argument is compared at its width: a 32-bit argument on the low word, a 64-bit one on both.
import type { Bool, BitVec, Context } from 'z3-solver';
import type { ArgOperand, CheckedPolicy, Condition } from '../check/checked.ts';
import { argHighOffset, argLowOffset, OFFSET_ARCH, OFFSET_NR } from '../seccomp/abi.ts';
import { actionValue } from '../seccomp/action.ts';

type Word = BitVec<32, 'main'>;
type Cond = Bool<'main'>;

/** Whether a checked condition holds, as a term over the seccomp_data words. */
export function conditionEncoder(z3: Context<'main'>, words: readonly Word[]): (condition: Condition) => Cond {
  const argument = (operand: ArgOperand): BitVec<number, 'main'> => {
    const low = words[argLowOffset(operand.arg.index) / 4]!;
    const whole: BitVec<number, 'main'> = operand.arg.width === 64 ? z3.Concat(words[argHighOffset(operand.arg.index) / 4]!, low) : operand.arg.width === 32 ? low : z3.Extract(operand.arg.width - 1, 0, low);
    return operand.mask === undefined ? whole : whole.and(z3.BitVec.val(operand.mask, operand.arg.width));
  };
  const holds = (condition: Condition): Cond => {
    switch (condition.kind) {
      case 'and': return z3.And(...condition.operands.map(holds));
      case 'or': return z3.Or(...condition.operands.map(holds));
      case 'not': return z3.Not(holds(condition.operand));
      case 'bits': return argument(condition.operand).neq(z3.BitVec.val(0n, condition.operand.arg.width));
      case 'in': {
        const value = argument(condition.operand);
        return z3.Or(...condition.values.map((v) => value.eq(z3.BitVec.val(v, condition.operand.arg.width))));
      }
      case 'compare': {
        const left = argument(condition.operand);
        const right = z3.BitVec.val(condition.value, condition.operand.arg.width);
        switch (condition.op) {
          case '==': return left.eq(right);
          case '!=': return left.neq(right);
          case '<': return left.ult(right);
          case '<=': return left.ule(right);
          case '>': return left.ugt(right);
          case '>=': return left.uge(right);
        }
      }
    }
  };
  return holds;
}

/**
 * A filter for several ABIs: the first ABI whose calls these are (its arch value, and on x86-64
 * with x32 requested too, its own half of the numbers) decides by its policy; an arch none of them
 * has gets `foreign_arch`'s action.
 */
export function encodeSections(z3: Context<'main'>, policies: readonly CheckedPolicy[], words: readonly Word[]): Word {
  if (policies.length === 1) return encodePolicy(z3, policies[0]!, words);
  const word = (value: number): Word => z3.BitVec.val(value >>> 0, 32);
  const nr = words[OFFSET_NR / 4]!;
  const arch = words[OFFSET_ARCH / 4]!;
  const names = new Set<string>(policies.map((p) => p.arch.name));
  let value: Word = word(actionValue(policies[0]!.foreignArchAction));
  for (let i = policies.length - 1; i >= 0; i--) {
    const policy = policies[i]!;
    const other = policy.arch.otherAbi;
    const own = other && names.has(other.name)
      ? z3.And(arch.eq(word(policy.arch.auditArch)), z3.Not(z3.And(nr.uge(word(other.lo)), nr.ule(word(other.hi)))))
      : arch.eq(word(policy.arch.auditArch));
    value = z3.If(own, encodePolicy(z3, policy, words), value) as Word;
  }
  return value;
}

export function encodePolicy(z3: Context<'main'>, policy: CheckedPolicy, words: readonly Word[]): Word {
  const word = (value: number): Word => z3.BitVec.val(value >>> 0, 32);
  const nr = words[OFFSET_NR / 4]!;
  const arch = words[OFFSET_ARCH / 4]!;
  const holds = conditionEncoder(z3, words);

  // Rules by syscall, in policy order: the first that holds decides.
  const bySyscall = new Map<number, { condition?: Condition; value: number }[]>();
  for (const rule of policy.rules) {
    const list = bySyscall.get(rule.syscall.nr) ?? [];
    list.push({ ...(rule.condition ? { condition: rule.condition } : {}), value: actionValue(rule.action) });
    bySyscall.set(rule.syscall.nr, list);
  }
  let native: Word = word(actionValue(policy.defaultAction));
  if (policy.unknownAction) {
    // `unknown`: numbers the table does not name get its verdict (nr -1 too).
    const known = z3.Or(...knownRanges(policy).map(([lo, hi]) => (lo === hi ? nr.eq(word(lo)) : z3.And(nr.uge(word(lo)), nr.ule(word(hi))))));
    native = z3.If(known, native, word(actionValue(policy.unknownAction))) as Word;
  }
  for (const [number, rules] of bySyscall) {
    let decided: Word = word(actionValue(policy.defaultAction));
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i]!;
      decided = rule.condition ? (z3.If(holds(rule.condition), word(rule.value), decided) as Word) : word(rule.value);
    }
    native = z3.If(nr.eq(word(number)), decided, native) as Word;
  }
  const other = policy.arch.otherAbi;
  if (!other) return z3.If(arch.neq(word(policy.arch.auditArch)), word(actionValue(policy.foreignArchAction)), native) as Word;
  const otherAbi = z3.And(nr.uge(word(other.lo)), nr.ule(word(other.hi)));
  const otherAction = other.action === 'x32' ? policy.x32Action : policy.foreignArchAction;
  return z3.If(arch.neq(word(policy.arch.auditArch)), word(actionValue(policy.foreignArchAction)),
    z3.If(otherAbi, word(actionValue(otherAction)), native)) as Word;
}

/** The numbers of the policy's table, as runs of consecutive numbers. */
function knownRanges(policy: CheckedPolicy): [number, number][] {
  const runs: [number, number][] = [];
  for (const { nr } of policy.arch.syscalls.all()) {
    const last = runs[runs.length - 1];
    if (last && last[1] + 1 === nr) last[1] = nr;
    else runs.push([nr, nr]);
  }
  return runs;
}
