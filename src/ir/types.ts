// The policy IR: for each syscall an ordered decision list whose conditions are boolean trees over
// tests of single 32-bit words of seccomp_data. Lowering to BPF needs nothing else.
import type { Arch } from '../arch/arch.ts';
import type { Span } from '../diagnostics/source.ts';
import type { FilterFlagName } from '../seccomp/abi.ts';
import type { Action } from '../seccomp/action.ts';

/**
 * One test of one 32-bit word: `(word & mask) == value`, `> value`, `>= value` (unsigned), or
 * `word & value != 0` for `set`. mask is undefined when the whole word is compared.
 */
export interface WordTest {
  /** Offset of the word in struct seccomp_data. */
  readonly offset: number;
  readonly op: 'eq' | 'gt' | 'ge' | 'set';
  readonly mask?: number;
  readonly value: number;
}

/** A word of seccomp_data as a set test reads it: `word & mask` (the whole word when mask is undefined). */
export interface MaskedWord {
  readonly offset: number;
  readonly mask?: number;
}

export type Cond =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'test'; readonly test: WordTest }
  | { readonly kind: 'not'; readonly operand: Cond }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Cond[] }
  /**
   * Set membership: for some tuple of `values`, every masked word equals its component
   * (`values[k][i]` for `words[i]`). Tuples are sorted and distinct; a 64-bit argument has two
   * words, high first. Kept as a set so code generation can search it instead of testing each.
   */
  | { readonly kind: 'in'; readonly words: readonly MaskedWord[]; readonly values: readonly (readonly number[])[] }
  /**
   * Interval sets: for some piece, every masked word lies in its interval (`pieces[k][i]` for
   * `words[i]`, inclusive bounds). What several comparisons of one argument become, so that they
   * are searched together. For a 64-bit argument the pieces have disjoint high-word intervals.
   */
  | { readonly kind: 'ranges'; readonly words: readonly MaskedWord[]; readonly pieces: readonly (readonly WordInterval[])[] };

export type WordInterval = readonly [number, number];

export interface IrRule {
  readonly condition: Cond;
  readonly action: Action;
  /** The policy rule this came from, for diagnostics. */
  readonly origin?: Span;
}

export interface SyscallDecision {
  readonly nr: number;
  readonly name: string;
  /** Tried in order; the first whose condition holds decides, else the policy default. */
  readonly rules: readonly IrRule[];
}

export interface PolicyIr {
  /** The ABI the filter is for; its prologue rejects every other. */
  readonly arch: Arch;
  readonly defaultAction: Action;
  readonly x32Action: Action;
  readonly foreignArchAction: Action;
  /** For the target's numbers that neither its table nor a rule names, instead of the default (`unknown`). */
  readonly unknownAction?: Action;
  /** Syscalls that have rules, ordered by number. */
  readonly syscalls: readonly SyscallDecision[];
  readonly metadata: PolicyMetadata;
}

export interface PolicyMetadata {
  /** The filter uses `notify`: install it with SECCOMP_FILTER_FLAG_NEW_LISTENER. */
  readonly needsListener: boolean;
  /** Every SECCOMP_FILTER_FLAG_* to install the filter with (new_listener included when needed). */
  readonly flags: readonly FilterFlagName[];
  /** Oldest kernel that knows every action and flag used, as [major, minor]. */
  readonly minKernel: readonly [number, number];
}

export const TRUE: Cond = { kind: 'true' };
export const FALSE: Cond = { kind: 'false' };
