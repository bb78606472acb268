// `seccompile verify`: proves with an SMT solver (Z3, in WebAssembly) that a filter gives every
// possible call exactly the verdict the policy gives it: every syscall number, architecture value,
// instruction pointer and all 64 bits of the six arguments. The two sides are built independently
// (policy-semantics.ts, filter-semantics.ts); the solver looks for one call where they differ.
// Z3 is loaded only here (solver.ts), so that no other command pays for it.
import type { Context, Solver } from 'z3-solver';
import type { Instruction } from '../bpf/insn.ts';
import type { CheckedPolicy } from '../check/checked.ts';
import { encodeFilter, FilterEncodingError } from './filter-semantics.ts';
import { encodeSections } from './policy-semantics.ts';
import { checkWithin, startZ3 } from './solver.ts';

/** A call on which the filter and the policy disagree. */
export interface Counterexample {
  readonly nr: number;
  readonly arch: number;
  readonly instructionPointer: bigint;
  readonly args: readonly bigint[];
  /** What the policy says, and what the filter returns (seccomp return values). */
  readonly policy: number;
  readonly filter: number;
}

export type ProofResult =
  | { readonly status: 'proven'; readonly milliseconds: number }
  | { readonly status: 'counterexample'; readonly counterexample: Counterexample; readonly milliseconds: number }
  /** The solver gave up within the time budget, or the program cannot be encoded. */
  | { readonly status: 'unknown'; readonly reason: string; readonly milliseconds: number };

export interface ProofOptions {
  /** The solver's time budget; default 60 s. */
  readonly timeoutMs?: number;
}

/**
 * Proves a compiled filter against its policy, every section of a filter for several ABIs (a
 * profile that lists i386 and x32 has three): what a caller of proveFilter must not forget.
 */
export function proveCompiled(filter: { readonly policy: CheckedPolicy; readonly program: readonly Instruction[]; readonly sections?: readonly { readonly policy: CheckedPolicy }[] }, options: ProofOptions = {}): Promise<ProofResult> {
  return proveFilter(filter.sections?.map((s) => s.policy) ?? filter.policy, filter.program, options);
}

/** `policy`: the filter's policy, or each ABI's for a filter of several (CompiledFilter.sections). */
export async function proveFilter(policy: CheckedPolicy | readonly CheckedPolicy[], program: readonly Instruction[], options: ProofOptions = {}): Promise<ProofResult> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const { z3 } = await startZ3();
  const words = Array.from({ length: 16 }, (_, i) => z3.BitVec.const(`w${i}`, 32));
  let filterValue;
  try {
    filterValue = encodeFilter(z3, program, words);
  } catch (error) {
    if (error instanceof FilterEncodingError) return { status: 'unknown', reason: `the filter cannot be proven: ${error.message}`, milliseconds: elapsed() };
    throw error;
  }
  const policyValue = encodeSections(z3, Array.isArray(policy) ? policy : [policy as CheckedPolicy], words);
  const check = new z3.Solver();
  // Solvers and models hold WebAssembly memory (2 GiB at most) until released: many proofs in one
  // process (a test suite) would run out before the garbage collector frees them.
  try {
    const budget = options.timeoutMs ?? 60_000;
    check.set('timeout', budget);
    check.add(filterValue.neq(policyValue));
    const answer = await checkWithin(z3, check, budget);
    if (answer === 'unsat') return { status: 'proven', milliseconds: elapsed() };
    if (answer === 'unknown') return { status: 'unknown', reason: `the solver could not decide within ${((options.timeoutMs ?? 60_000) / 1000).toFixed(0)} s`, milliseconds: elapsed() };
    return { status: 'counterexample', counterexample: counterexample(check.model(), words, policyValue, filterValue), milliseconds: elapsed() };
  } finally {
    check.release();
  }
}

/** The call the model describes, and both verdicts on it. */
function counterexample(model: ReturnType<Solver<'main'>['model']>, words: readonly unknown[], policyValue: unknown, filterValue: unknown): Counterexample {
  try {
    return describeModel(model, words, policyValue, filterValue);
  } finally {
    model.release();
  }
}

/** The call a model describes, and the two sides' values on it (`policy` is the first). */
export function describeModel(model: ReturnType<Solver<'main'>['model']>, words: readonly unknown[], policyValue: unknown, filterValue: unknown): Counterexample {
  const value = (term: unknown): bigint => BigInt((model.eval(term as never, true) as unknown as { value(): bigint }).value());
  const w = words.map(value);
  return {
    nr: Number(w[0]!), arch: Number(w[1]!), instructionPointer: (w[3]! << 32n) | w[2]!,
    args: Array.from({ length: 6 }, (_, i) => (w[5 + 2 * i]! << 32n) | w[4 + 2 * i]!),
    policy: Number(value(policyValue)), filter: Number(value(filterValue)),
  };
}
