// The theoretical optimum the benchmark compares against: the best possible range-tree dispatch for
// a profile. Neighbouring syscall numbers with the same outcome form one range; the cost of a call
// is the prologue (load arch, check it, load nr: 3 instructions for a filter's first ABI, one arch
// test more for each section before it, as the filter orders them), the comparisons of an optimal
// alphabetic tree over the ranges weighted by the profile (the same algorithm the optimiser uses,
// but without its worst-case limits), and the leaf: 1 for a plain return, or what the compiled body
// of a syscall with argument checks executes with arguments zero.
import { accumulatorContents } from '../bpf/disasm.ts';
import { emulate } from '../bpf/emulate.ts';
import { BPF_JMP, bpfClass, type Instruction } from '../bpf/insn.ts';
import { numberRanges, type Outcome } from '../codegen/lower.ts';
import type { PolicyIr } from '../ir/types.ts';
import type { SyscallProfile } from '../optimize/profile.ts';
import { optimalRangeTree } from '../optimize/range-tree.ts';
import { rangeWeights } from '../optimize/dispatch-tree.ts';
import { OFFSET_NR } from '../seccomp/abi.ts';
import { actionValue } from '../seccomp/action.ts';

export interface RangeTreeBound {
  /** Weighted mean instructions per call of the best range-tree filter. */
  readonly bound: number;
  /** Of which comparisons in the dispatch tree. */
  readonly comparisons: number;
  readonly ranges: number;
}

/** Outcomes that behave the same for every argument share a key. */
function outcomeKey(ir: PolicyIr, outcome: Outcome): string {
  const constant = (value: number): string => `ret:${value}`;
  if (outcome.kind === 'default') return constant(actionValue(ir.defaultAction));
  if (outcome.kind === 'unknown') return constant(actionValue(ir.unknownAction ?? ir.defaultAction));
  if (outcome.kind === 'other-abi') return constant(actionValue(ir.arch.otherAbi?.action === 'x32' ? ir.x32Action : ir.foreignArchAction));
  const { rules } = outcome.decision;
  if (rules[0]?.condition.kind === 'true') return constant(actionValue(rules[0].action));
  if (rules.every((r) => actionValue(r.action) === actionValue(ir.defaultAction))) return constant(actionValue(ir.defaultAction));
  return JSON.stringify(rules.map((r) => [r.condition, actionValue(r.action)]));
}

/** A comparison of the syscall number: part of the dispatch. */
function isDispatch(program: readonly Instruction[], holds: Int32Array, pc: number): boolean {
  return holds[pc] === OFFSET_NR && bpfClass(program[pc]!.code) === BPF_JMP;
}

/** Instructions a call of this ABI executes before the dispatch: its arch tests and `ld nr`. */
function prologueLength(program: readonly Instruction[], holds: Int32Array, nr: number, auditArch: number): number {
  const { trace } = emulate(program, { nr, arch: auditArch });
  const first = trace.findIndex((pc) => isDispatch(program, holds, pc));
  return first < 0 ? trace.length : first;
}

/** Instructions a call spends after the dispatch (in the body of its syscall), arguments zero. */
function bodyCost(program: readonly Instruction[], holds: Int32Array, nr: number, auditArch: number, prologue: number): number {
  const { trace } = emulate(program, { nr, arch: auditArch });
  const dispatch = trace.filter((pc) => isDispatch(program, holds, pc)).length;
  return trace.length - prologue - dispatch;
}

export function rangeTreeBound(ir: PolicyIr, program: readonly Instruction[], profile: SyscallProfile): RangeTreeBound {
  const merged: { lo: number; hi: number; key: string; target: number }[] = [];
  for (const range of numberRanges(ir)) {
    const key = outcomeKey(ir, range.outcome);
    const last = merged[merged.length - 1];
    if (last && last.key === key) last.hi = range.hi;
    else merged.push({ lo: range.lo, hi: range.hi, key, target: merged.length });
  }
  const weights = rangeWeights(merged, profile);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return { bound: 0, comparisons: 0, ranges: merged.length };
  const { cost } = optimalRangeTree(weights);
  const holds = accumulatorContents(program);
  const prologue = prologueLength(program, holds, ir.syscalls[0]?.nr ?? 0, ir.arch.auditArch);
  let leaves = 0;
  for (const [nr, weight] of profile.weights) {
    const range = merged.find((r) => r.lo <= nr && nr <= r.hi)!;
    leaves += weight * (range.key.startsWith('ret:') ? 1 : bodyCost(program, holds, nr, ir.arch.auditArch, prologue));
  }
  return { bound: prologue + cost / total + leaves / total, comparisons: cost / total, ranges: merged.length };
}
