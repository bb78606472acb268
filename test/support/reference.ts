// A reference interpreter of checked policies, written straight from the language's semantics and
// independent of the IR and code generation. Compiled programs must agree with it on every call.
import type { CheckedPolicy, Condition } from '../../src/check/checked.ts';
import { AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from '../../src/seccomp/abi.ts';
import type { Action } from '../../src/seccomp/action.ts';

export interface Call {
  readonly nr: number;
  readonly arch: number;
  readonly args: readonly bigint[];
}

export function referenceVerdict(policy: CheckedPolicy, call: Call): Action {
  if (call.arch !== AUDIT_ARCH_X86_64) return policy.foreignArchAction;
  if (call.nr === 0xffffffff) return policy.unknownAction ?? policy.defaultAction;
  if (call.nr >= X32_SYSCALL_BIT) return policy.x32Action;
  let named = false;
  for (const rule of policy.rules) {
    if (rule.syscall.nr !== call.nr) continue;
    named = true;
    if (!rule.condition || holds(rule.condition, call.args)) return rule.action;
  }
  // `unknown`: numbers neither a rule nor the table names.
  if (policy.unknownAction && !named && !policy.arch.syscalls.byNumber(call.nr)) return policy.unknownAction;
  return policy.defaultAction;
}

function holds(condition: Condition, args: readonly bigint[]): boolean {
  switch (condition.kind) {
    case 'and': return condition.operands.every((c) => holds(c, args));
    case 'or': return condition.operands.some((c) => holds(c, args));
    case 'not': return !holds(condition.operand, args);
    case 'bits': return operandValue(condition.operand, args) !== 0n;
    case 'in': return condition.values.includes(operandValue(condition.operand, args));
    case 'compare': {
      const x = operandValue(condition.operand, args);
      const v = condition.value;
      switch (condition.op) {
        case '==': return x === v;
        case '!=': return x !== v;
        case '<': return x < v;
        case '<=': return x <= v;
        case '>': return x > v;
        case '>=': return x >= v;
      }
    }
  }
}

/** The argument as the kernel reads it (its declared width), masked. */
function operandValue(operand: { arg: { index: number; width: number }; mask?: bigint }, args: readonly bigint[]): bigint {
  const raw = BigInt.asUintN(64, args[operand.arg.index] ?? 0n);
  const value = raw & ((1n << BigInt(operand.arg.width)) - 1n);
  return operand.mask === undefined ? value : value & operand.mask;
}
