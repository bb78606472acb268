// A checked condition written back in the policy language. Callers name the arguments their own
// way (`count`, `arg2_64`) and choose how a bit test reads; the structure is written once here.
import type { ArgOperand, Condition } from './checked.ts';

/** Small numbers in decimal, others in hex, as the docs write them. */
export function numberText(value: bigint): string {
  return value < 4096n ? value.toString() : `0x${value.toString(16)}`;
}

export interface OperandStyle {
  /** An argument, masked or not. */
  operand(operand: ArgOperand): string;
  /** A value compared with the operand (default: numberText). */
  value?(operand: ArgOperand, value: bigint): string;
  /** A bit test (any bit of the masked argument set), given the operand's text. */
  bits(operandText: string): string;
}

export function conditionText(condition: Condition, style: OperandStyle): string {
  const text = (c: Condition): string => conditionText(c, style);
  const value = (operand: ArgOperand, v: bigint): string => (style.value ? style.value(operand, v) : numberText(v));
  switch (condition.kind) {
    case 'and':
    case 'or': return condition.operands.map((c) => (c.kind === 'and' || c.kind === 'or' ? `(${text(c)})` : text(c))).join(` ${condition.kind} `);
    case 'not': return `not (${text(condition.operand)})`;
    case 'compare': return `${style.operand(condition.operand)} ${condition.op} ${value(condition.operand, condition.value)}`;
    case 'in': return `${style.operand(condition.operand)} in {${condition.values.map((v) => value(condition.operand, v)).join(', ')}}`;
    case 'bits': return style.bits(style.operand(condition.operand));
  }
}
