// `seccompile diff A B`: which calls change verdict between two policies, profiles or filters,
// derived from their semantics with the solver (not sampled). Calls are grouped by syscall (and
// the classes no syscall names: numbers without a rule, x32 calls, other architectures); for each
// group, every pair of verdicts that occurs is reported with one example call.
import type { Bool, BitVec } from 'z3-solver';
import type { Instruction } from '../bpf/insn.ts';
import type { CheckedPolicy } from '../check/checked.ts';
import type { Span } from '../diagnostics/source.ts';
import { AUDIT_ARCH_X86_64, OFFSET_ARCH, OFFSET_NR, SKIPPED_SYSCALL_NR, X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { syscallByNumber, x86_64Syscalls } from '../syscalls/index.ts';
import { encodeFilter } from './filter-semantics.ts';
import { describeModel, startZ3, type Counterexample } from './index.ts';
import { encodePolicy } from './policy-semantics.ts';

type Word = BitVec<32, 'main'>;

/** One side of a diff: a checked policy (from a policy or a profile), or a raw filter. */
export type DiffSide = { readonly policy: CheckedPolicy } | { readonly program: readonly Instruction[] };

export interface VerdictChange {
  /** The syscall, or the class of calls: `other syscalls`, `x32 calls`, `other architectures`. */
  readonly group: string;
  readonly nr?: number;
  /** Where B decides the syscall (its first rule for it), for annotations. */
  readonly span?: Span;
  readonly before: number;
  readonly after: number;
  readonly example: Counterexample;
}

/** At most this many verdict pairs per group: more would only repeat the point. */
const MAX_PAIRS = 8;

export async function diffVerdicts(a: DiffSide, b: DiffSide, options: { timeoutMs?: number } = {}): Promise<VerdictChange[]> {
  const { z3 } = await startZ3();
  const words = Array.from({ length: 16 }, (_, i) => z3.BitVec.const(`w${i}`, 32));
  const term = (side: DiffSide): Word => ('policy' in side ? encodePolicy(z3, side.policy, words) : encodeFilter(z3, side.program, words));
  const before = term(a);
  const after = term(b);
  const word = (v: number): Word => z3.BitVec.val(v >>> 0, 32);
  const nr = words[OFFSET_NR / 4]!;
  const arch = words[OFFSET_ARCH / 4]!;
  const native = z3.And(arch.eq(word(AUDIT_ARCH_X86_64)), z3.Or(nr.ult(word(X32_SYSCALL_BIT)), nr.eq(word(SKIPPED_SYSCALL_NR))));
  // Every syscall of the table, each a group; then what no syscall of the table names.
  const known = x86_64Syscalls().map((s) => s.nr);
  const groups: { name: string; nr?: number; where: Bool<'main'> }[] = [
    ...known.map((n) => ({ name: syscallByNumber(n)!.name, nr: n, where: z3.And(native, nr.eq(word(n))) })),
    { name: 'other syscall numbers', where: z3.And(native, ...known.map((n) => nr.neq(word(n)))) },
    { name: 'x32 calls', where: z3.And(arch.eq(word(AUDIT_ARCH_X86_64)), z3.Not(native)) },
    { name: 'other architectures', where: arch.neq(word(AUDIT_ARCH_X86_64)) },
  ];
  const spans = 'policy' in b ? new Map(b.policy.rules.map((r) => [r.syscall.nr, r.syscallSpan] as const).reverse()) : new Map<number, Span>();
  const changes: VerdictChange[] = [];
  const solver = new z3.Solver();
  try {
    solver.set('timeout', options.timeoutMs ?? 60_000);
    solver.add(before.neq(after));
    for (const group of groups) {
      solver.push();
      solver.add(group.where);
      for (let pairs = 0; pairs < MAX_PAIRS; pairs++) {
        const answer = await solver.check();
        if (answer === 'unknown') throw new Error('the solver could not decide within its time budget');
        if (answer === 'unsat') break;
        const model = solver.model();
        try {
          const example: Counterexample = describeModel(model, words, before, after);
          const span = group.nr === undefined ? undefined : spans.get(group.nr);
          changes.push({ group: group.name, ...(group.nr !== undefined ? { nr: group.nr } : {}), ...(span ? { span } : {}), before: example.policy, after: example.filter, example });
          solver.add(z3.Not(z3.And(before.eq(word(example.policy)), after.eq(word(example.filter)))));
        } finally {
          model.release();
        }
      }
      solver.pop();
    }
  } finally {
    solver.release();
  }
  return changes;
}
