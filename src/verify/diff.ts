// `seccompile diff A B`: which calls change verdict between two policies, profiles or filters,
// derived from their semantics with the solver (not sampled). Calls are grouped by syscall (and
// the classes no syscall names: numbers without a rule, x32 calls, other architectures); for each
// group, every pair of verdicts that occurs is reported with one example call.
import type { Bool, BitVec, Context } from 'z3-solver';
import type { Instruction } from '../bpf/insn.ts';
import type { CheckedPolicy, CheckedRule, Condition } from '../check/checked.ts';
import { conditionText, numberText, type OperandStyle } from '../check/condition-text.ts';
import { actionValue } from '../seccomp/action.ts';
import type { Span } from '../diagnostics/source.ts';
import { DEFAULT_ARCH, type Arch } from '../arch/index.ts';
import { OFFSET_ARCH, OFFSET_NR, SKIPPED_SYSCALL_NR } from '../seccomp/abi.ts';
import { encodeFilter } from './filter-semantics.ts';
import { describeModel, type Counterexample } from './index.ts';
import { checkWithin, startZ3 } from './solver.ts';
import { conditionEncoder, encodeSections } from './policy-semantics.ts';

type Word = BitVec<32, 'main'>;

/** One side of a diff: a checked policy (from a policy or a profile), or a raw filter. */
/** A policy (each ABI's, in `sections`, for a filter of several), or a compiled program. */
export type DiffSide = { readonly policy: CheckedPolicy; readonly sections?: readonly CheckedPolicy[] } | { readonly program: readonly Instruction[] };

export interface VerdictChange {
  /** The syscall, or the class of calls: `other syscalls`, `x32 calls`, `other architectures`. */
  readonly group: string;
  readonly nr?: number;
  /** Where B decides the syscall (its first rule for it), for annotations. */
  readonly span?: Span;
  readonly before: number;
  readonly after: number;
  /** Where it happens, in the language's terms, when both sides are policies (`family == 16`). */
  readonly region?: string;
  readonly example: Counterexample;
  /** The ABI whose syscalls the groups name. */
  readonly arch: Arch;
}

/** A statement that can decide a syscall's calls: one of its rules, or the default. */
interface Decider {
  readonly value: number;
  /** The calls it decides: its condition, where no earlier rule for the syscall applies. */
  readonly path: Bool<'main'>;
  readonly rule?: CheckedRule;
  /** Some earlier rule for the syscall has a condition: the rule's own condition overstates. */
  readonly afterOthers: boolean;
}

function decidersOf(z3: Context<'main'>, policy: CheckedPolicy, nr: number, holds: (c: Condition) => Bool<'main'>): Decider[] {
  const out: Decider[] = [];
  const earlier: Bool<'main'>[] = [];
  for (const rule of policy.rules) {
    if (rule.syscall.nr !== nr) continue;
    const own = rule.condition ? holds(rule.condition) : z3.Bool.val(true);
    out.push({ value: actionValue(rule.action), path: z3.And(own, ...earlier.map((e) => z3.Not(e))), rule, afterOthers: earlier.length > 0 });
    if (!rule.condition) return out;
    earlier.push(own);
  }
  out.push({ value: actionValue(policy.defaultAction), path: z3.And(...earlier.map((e) => z3.Not(e))), afterOthers: earlier.length > 0 });
  return out;
}

/** Arguments by name, a bit test spelled out. */
const BY_NAME: OperandStyle = {
  operand: (o) => (o.mask === undefined ? o.arg.name : `(${o.arg.name} & ${numberText(o.mask)})`),
  bits: (operand) => `${operand} != 0`,
};

/** A condition with the syscall's argument names: `family == 16`, `(flags & 0x3) != 0`. */
export function regionText(condition: Condition): string {
  return conditionText(condition, BY_NAME);
}

/** The region of a pair of deciders, in words: their own conditions, and what else bounds them. */
function describeRegion(a: Decider, b: Decider): string | undefined {
  const parts = [a, b].filter((d) => d.rule?.condition).map((d) => regionText(d.rule!.condition!));
  const unique = [...new Set(parts)];
  const rest = a.afterOthers || b.afterOthers ? 'no earlier rule applies' : undefined;
  const text = [...unique, ...(rest ? [rest] : [])].join(' and ');
  return text === '' ? undefined : text;
}

/** The solver gave up on a query within the time budget: the diff is not known, never "equivalent". */
export class DiffUndecided extends Error {}

/** At most this many verdict pairs per group: more would only repeat the point. */
const MAX_PAIRS = 8;

export async function diffVerdicts(a: DiffSide, b: DiffSide, options: { timeoutMs?: number; arch?: Arch } = {}): Promise<VerdictChange[]> {
  const { z3 } = await startZ3();
  const budget = options.timeoutMs ?? 60_000;
  const words = Array.from({ length: 16 }, (_, i) => z3.BitVec.const(`w${i}`, 32));
  const term = (side: DiffSide): Word => ('policy' in side ? encodeSections(z3, side.sections ?? [side.policy], words) : encodeFilter(z3, side.program, words));
  const before = term(a);
  const after = term(b);
  const word = (v: number): Word => z3.BitVec.val(v >>> 0, 32);
  const nr = words[OFFSET_NR / 4]!;
  const arch = words[OFFSET_ARCH / 4]!;
  // The ABI whose syscalls are named: a policy's own, else the one asked for.
  const target = 'policy' in b ? b.policy.arch : 'policy' in a ? a.policy.arch : options.arch ?? DEFAULT_ARCH;
  const other = target.otherAbi;
  const sameArch = arch.eq(word(target.auditArch));
  const native = other
    ? z3.And(sameArch, z3.Or(z3.Not(z3.And(nr.uge(word(other.lo)), nr.ule(word(other.hi)))), nr.eq(word(SKIPPED_SYSCALL_NR))))
    : sameArch;
  // Every syscall of the table, each a group; then what no syscall of the table names.
  const known = target.syscalls.all();
  const groups: { name: string; nr?: number; where: Bool<'main'> }[] = [
    ...known.map((s) => ({ name: s.name, nr: s.nr, where: z3.And(native, nr.eq(word(s.nr))) })),
    { name: 'other syscall numbers', where: z3.And(native, ...known.map((s) => nr.neq(word(s.nr)))) },
    ...(other ? [{ name: `${other.name} calls`, where: z3.And(sameArch, z3.Not(native)) }] : []),
    { name: 'other architectures', where: arch.neq(word(target.auditArch)) },
  ];
  const spans = 'policy' in b ? new Map(b.policy.rules.map((r) => [r.syscall.nr, r.syscallSpan] as const).reverse()) : new Map<number, Span>();
  const changes: VerdictChange[] = [];
  const solver = new z3.Solver();
  try {
    solver.set('timeout', budget);
    solver.add(before.neq(after));
    const holds = conditionEncoder(z3, words);
    for (const group of groups) {
      // Two policies and a syscall: each pair of deciding statements is a region of its own.
      if (group.nr !== undefined && 'policy' in a && 'policy' in b) {
        for (const da of decidersOf(z3, a.policy, group.nr, holds)) {
          for (const db of decidersOf(z3, b.policy, group.nr, holds)) {
            if (da.value === db.value) continue;
            solver.push();
            solver.add(group.where, da.path, db.path);
            const answer = await checkWithin(z3, solver, budget);
            if (answer === 'unknown') throw new DiffUndecided(`the solver could not decide on ${group.name} within ${budget / 1000} s`);
            if (answer === 'sat') {
              const model = solver.model();
              try {
                const example = describeModel(model, words, before, after);
                const region = describeRegion(da, db);
                const span = db.rule?.syscallSpan ?? spans.get(group.nr);
                changes.push({ group: group.name, nr: group.nr, ...(span ? { span } : {}), before: da.value, after: db.value, ...(region ? { region } : {}), example, arch: target });
              } finally {
                model.release();
              }
            }
            solver.pop();
          }
        }
        continue;
      }
      solver.push();
      solver.add(group.where);
      for (let pairs = 0; pairs < MAX_PAIRS; pairs++) {
        const answer = await checkWithin(z3, solver, budget);
        if (answer === 'unknown') throw new DiffUndecided(`the solver could not decide on ${group.name} within ${budget / 1000} s`);
        if (answer === 'unsat') break;
        const model = solver.model();
        try {
          const example: Counterexample = describeModel(model, words, before, after);
          const span = group.nr === undefined ? undefined : spans.get(group.nr);
          changes.push({ group: group.name, ...(group.nr !== undefined ? { nr: group.nr } : {}), ...(span ? { span } : {}), before: example.policy, after: example.filter, example, arch: target });
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
