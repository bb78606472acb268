// The checked policy: names resolved, constants evaluated, values reduced to argument widths.
// Rules are expanded to one per syscall, in source order.
import type { Arch } from '../arch/arch.ts';
import type { Span } from '../diagnostics/source.ts';
import type { FilterFlagName } from '../seccomp/abi.ts';
import type { Action } from '../seccomp/action.ts';
import type { Syscall, SyscallArg } from '../syscalls/index.ts';

export interface CheckedPolicy {
  /** The ABI the policy was checked for: its syscall numbers, widths and constants. */
  readonly arch: Arch;
  readonly defaultAction: Action;
  /** Verdict for x32 calls (nr with bit 30 set, except nr == -1). */
  readonly x32Action: Action;
  /** Verdict for calls whose arch is not x86-64 (i386 `int $0x80` calls, for instance). */
  readonly foreignArchAction: Action;
  /**
   * Verdict for the target's syscall numbers its table does not name and no rule names (`unknown`),
   * instead of the default. (The syscalls `unknown … since` adds are rules.)
   */
  readonly unknownAction?: Action;
  readonly rules: readonly CheckedRule[];
  /** Where the default was set, for tools that report on it. */
  readonly defaultSpan?: Span;
  /** Filter flags the source asks for (an OCI profile's `flags`); the compiler adds more as needed. */
  readonly requestedFlags?: readonly FilterFlagName[];
}

export interface CheckedRule {
  readonly syscall: Syscall;
  readonly action: Action;
  /** Absent: the rule applies to every call of the syscall. */
  readonly condition?: Condition;
  /** The whole rule statement. */
  readonly span: Span;
  /** Where this syscall is named in the rule. */
  readonly syscallSpan: Span;
}

/** A rule; every front end builds them here, so that they all have one shape (which V8 optimises). */
export function checkedRule(syscall: Syscall, action: Action, condition: Condition | undefined, span: Span, syscallSpan: Span): CheckedRule {
  return { syscall, action, condition, span, syscallSpan };
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** An argument, optionally masked: `(arg & mask)`. Mask and values are reduced to the argument's width. */
export interface ArgOperand {
  readonly arg: SyscallArg;
  readonly mask?: bigint;
}

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Condition[] }
  | { readonly kind: 'not'; readonly operand: Condition }
  /** `(arg & mask) <op> value`, unsigned. */
  | { readonly kind: 'compare'; readonly operand: ArgOperand; readonly op: CompareOp; readonly value: bigint; readonly span: Span }
  /** `(arg & mask) in {values}`. */
  | { readonly kind: 'in'; readonly operand: ArgOperand; readonly values: readonly bigint[]; readonly span: Span }
  /** `(arg & mask) != 0`: some bit of the mask is set. */
  | { readonly kind: 'bits'; readonly operand: ArgOperand & { readonly mask: bigint }; readonly span: Span };
