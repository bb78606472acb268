// IR → labelled BPF. The program always starts with the architecture check and sends the numbers
// of another ABI sharing the arch value (x32's on x86-64, x86-64's on x32) to their action before
// any syscall rule can see them; nr == -1 (a tracer skipping a call) gets the default action.
// There is no option to leave these out.
import { CfgBuilder, type BlockId, type Cfg, type Straight } from '../bpf/cfg.ts';
import { BPF_ABS, BPF_ALU, BPF_AND, BPF_K, BPF_LD, BPF_W } from '../bpf/insn.ts';
import { and, intervalTest, or } from '../ir/simplify.ts';
import type { Cond, MaskedWord, PolicyIr, SyscallDecision, WordTest } from '../ir/types.ts';
import { OFFSET_ARCH, OFFSET_NR, SKIPPED_SYSCALL_NR } from '../seccomp/abi.ts';
import { actionValue } from '../seccomp/action.ts';
import { valueRunEndingAt } from './value-runs.ts';
import { linearDispatch, mergeRanges, NR_MAX, type DispatchStrategy, type NrRange } from './dispatch.ts';

/** A set test: exact values (`x in {…}`) or interval sets (several comparisons of one argument). */
export type SetCond = Extract<Cond, { kind: 'in' | 'ranges' }>;

/** How a set test becomes code; the optimiser brings a search. */
export type SetLowering = (builder: CfgBuilder, set: SetCond, whenTrue: BlockId, whenFalse: BlockId) => BlockId;

/** A value of the words compared, and where it leads. */
export interface SwitchCase {
  readonly values: readonly number[];
  readonly target: BlockId;
}

/** How a run of exact-value rules with different actions becomes code (see value-runs.ts). */
export type SwitchLowering = (builder: CfgBuilder, words: readonly MaskedWord[], cases: readonly SwitchCase[], otherwise: BlockId) => BlockId;

export interface LowerOptions {
  readonly dispatch?: DispatchStrategy;
  readonly sets?: SetLowering;
  /** Without one, such runs stay chains of rules. */
  readonly switches?: SwitchLowering;
}

export function load(offset: number): Straight {
  return { code: BPF_LD | BPF_W | BPF_ABS, k: offset };
}

export function andMask(mask: number): Straight {
  return { code: BPF_ALU | BPF_AND | BPF_K, k: mask >>> 0 };
}

/**
 * What a range of syscall numbers leads to: the default, another ABI's action, a decision list, or
 * (with `unknown`) the verdict for numbers the target's table does not name.
 */
export type Outcome = { readonly kind: 'default' } | { readonly kind: 'unknown' } | { readonly kind: 'other-abi' } | { readonly kind: 'decision'; readonly decision: SyscallDecision };

/** The whole number line, 0..0xffffffff, as consecutive ranges with their outcome. */
export function numberRanges(ir: PolicyIr): { lo: number; hi: number; outcome: Outcome }[] {
  const ranges: { lo: number; hi: number; outcome: Outcome }[] = [];
  let next = 0;
  // With `unknown`, a gap between rules is cut where the table's numbers start and stop.
  const known = ir.unknownAction ? ir.arch.syscalls.all().map((s) => s.nr) : [];
  let k = 0;
  const push = (lo: number, hi: number, kind: 'default' | 'unknown'): void => {
    const last = ranges[ranges.length - 1];
    if (last && last.outcome.kind === kind && last.hi + 1 === lo) last.hi = hi;
    else ranges.push({ lo, hi, outcome: { kind } });
  };
  const gap = (upTo: number): void => {
    if (next >= upTo) return;
    if (!ir.unknownAction) {
      ranges.push({ lo: next, hi: upTo - 1, outcome: { kind: 'default' } });
      return;
    }
    while (k < known.length && known[k]! < next) k++;
    for (let at = next; at < upTo;) {
      if (k < known.length && known[k] === at) {
        push(at, at, 'default');
        at++;
        k++;
      } else {
        const end = Math.min(upTo, k < known.length ? known[k]! : upTo);
        push(at, end - 1, 'unknown');
        at = end;
      }
    }
  };
  const other = ir.arch.otherAbi;
  let otherPlaced = !other;
  const placeOther = (before: number): void => {
    if (otherPlaced || other!.lo >= before) return;
    gap(other!.lo);
    ranges.push({ lo: other!.lo, hi: other!.hi, outcome: { kind: 'other-abi' } });
    next = other!.hi + 1;
    otherPlaced = true;
  };
  // The checker refuses rules for the other ABI's numbers, so the two never overlap.
  for (const decision of ir.syscalls) {
    placeOther(decision.nr);
    gap(decision.nr);
    ranges.push({ lo: decision.nr, hi: decision.nr, outcome: { kind: 'decision', decision } });
    next = decision.nr + 1;
  }
  placeOther(SKIPPED_SYSCALL_NR);
  gap(SKIPPED_SYSCALL_NR);
  // nr -1 (a tracer skipped the call, or a program asked for it) names no syscall: the default,
  // or with `unknown` its verdict (the kernel's own answer to it is ENOSYS).
  ranges.push({ lo: SKIPPED_SYSCALL_NR, hi: NR_MAX, outcome: { kind: ir.unknownAction ? 'unknown' : 'default' } });
  return ranges;
}

export function lowerToCfg(ir: PolicyIr, options: LowerOptions = {}): Cfg {
  return lowerSectionsToCfg([{ ir, options }]);
}

/** One ABI's part of a filter: its IR, and how its dispatch and sets are built. */
export interface Section {
  readonly ir: PolicyIr;
  readonly options: LowerOptions;
}

/**
 * A filter for several ABIs: the arch value chooses a section (in the order given), and each
 * section dispatches on its own numbers. On x86-64 with x32 requested too, the x86-64 section's
 * x32 numbers go to the x32 section; an arch no section has gets `foreign_arch`'s action.
 */
export function lowerSectionsToCfg(sections: readonly Section[]): Cfg {
  const builder = new CfgBuilder();
  const foreignRet = builder.ret(actionValue(sections[0]!.ir.foreignArchAction));
  const entries = new Map<string, BlockId>();
  // The arch test of each value once, for the section that receives its calls; x32's, with an
  // x86-64 section, come from its dispatch, with the number already loaded.
  const receivers = sections.filter((s) => s.ir.arch.name !== 'x32' || !sections.some((o) => o.ir.arch.name === 'x86_64'));
  // x32 first, so that the x86-64 section can send x32 numbers to it.
  const byBuildOrder = [...sections].sort((a, b) => Number(b.ir.arch.name === 'x32') - Number(a.ir.arch.name === 'x32'));
  for (const section of byBuildOrder) entries.set(section.ir.arch.name, lowerSection(builder, section, entries, foreignRet, receivers.includes(section)));
  let next = foreignRet;
  for (let i = receivers.length - 1; i >= 0; i--) {
    const { arch } = receivers[i]!.ir;
    next = builder.block(i === 0 ? [load(OFFSET_ARCH)] : [], { kind: 'branch', op: 'jeq', k: arch.auditArch, whenTrue: entries.get(arch.name)!, whenFalse: next });
  }
  return builder.finish(next);
}

/**
 * A section's code: its dispatch, then the rules of each syscall. `loads`: the section starts by
 * loading the number (not when another section's dispatch sends its calls, number in A).
 */
function lowerSection(builder: CfgBuilder, { ir, options }: Section, entries: ReadonlyMap<string, BlockId>, foreignRet: BlockId, loads: boolean): BlockId {
  const defaultRet = builder.ret(actionValue(ir.defaultAction));
  const unknownRet = ir.unknownAction ? builder.ret(actionValue(ir.unknownAction)) : defaultRet;
  const other = ir.arch.otherAbi;
  const otherSection = other ? entries.get(other.name) : undefined;
  const otherAbiRet = otherSection ?? (other?.action === 'x32' ? builder.ret(actionValue(ir.x32Action)) : foreignRet);

  // Syscalls with identical decision lists share one body (lowered once).
  const bodies = new Map<string, BlockId>();
  const targetOf = (outcome: Outcome): BlockId => {
    if (outcome.kind === 'default') return defaultRet;
    if (outcome.kind === 'unknown') return unknownRet;
    if (outcome.kind === 'other-abi') return otherAbiRet;
    const key = decisionKey(outcome.decision);
    let body = bodies.get(key);
    if (body === undefined) {
      body = lowerDecision(builder, outcome.decision, defaultRet, options.sets ?? chainSet, options.switches);
      bodies.set(key, body);
    }
    return body;
  };
  const ranges: NrRange[] = numberRanges(ir).map(({ lo, hi, outcome }) => (outcome.kind === 'other-abi' && otherSection !== undefined ? { lo, hi, target: otherSection, otherSection: true } : { lo, hi, target: targetOf(outcome) }));
  const dispatch = (options.dispatch ?? linearDispatch).build(builder, mergeRanges(ranges));
  return loads ? builder.block([load(OFFSET_NR)], { kind: 'goto', target: dispatch }) : dispatch;
}

function decisionKey(decision: SyscallDecision): string {
  // Most syscalls have one unconditional rule: their key needs no serialising.
  const [only] = decision.rules;
  if (decision.rules.length === 1 && only!.condition.kind === 'true') return `${actionValue(only!.action)}`;
  return JSON.stringify(decision.rules.map((r) => [r.condition, actionValue(r.action)]));
}

/** The rules of one syscall, first to last; falling off the end gives the default. */
function lowerDecision(builder: CfgBuilder, decision: SyscallDecision, defaultRet: BlockId, sets: SetLowering, switches?: SwitchLowering): BlockId {
  let next = defaultRet;
  for (let i = decision.rules.length - 1; i >= 0; i--) {
    const run = switches && valueRunEndingAt(decision.rules, i);
    if (run) {
      // First match: a value claimed by an earlier rule of the run is that rule's.
      const claimed = new Set<string>();
      const cases: SwitchCase[] = [];
      for (const { rule, values } of run.rules) {
        const target = builder.ret(actionValue(rule.action));
        for (const tuple of values) {
          const key = tuple.join(',');
          if (claimed.has(key)) continue;
          claimed.add(key);
          cases.push({ values: tuple, target });
        }
      }
      next = switches(builder, run.words, cases, next);
      i = run.first;
      continue;
    }
    const rule = decision.rules[i]!;
    next = lowerCond(builder, rule.condition, builder.ret(actionValue(rule.action)), next, sets);
  }
  return next;
}

/** Short-circuit code for a condition, built back to front. */
export function lowerCond(builder: CfgBuilder, cond: Cond, whenTrue: BlockId, whenFalse: BlockId, sets: SetLowering = chainSet): BlockId {
  switch (cond.kind) {
    case 'true': return whenTrue;
    case 'false': return whenFalse;
    case 'not': return lowerCond(builder, cond.operand, whenFalse, whenTrue, sets);
    case 'test': return lowerTest(builder, cond.test, whenTrue, whenFalse);
    case 'in':
    case 'ranges': return whenTrue === whenFalse ? whenTrue : sets(builder, cond, whenTrue, whenFalse);
    case 'and': {
      let entry = whenTrue;
      for (let i = cond.operands.length - 1; i >= 0; i--) entry = lowerCond(builder, cond.operands[i]!, entry, whenFalse, sets);
      return entry;
    }
    case 'or': {
      let entry = whenFalse;
      for (let i = cond.operands.length - 1; i >= 0; i--) entry = lowerCond(builder, cond.operands[i]!, whenTrue, entry, sets);
      return entry;
    }
  }
}

/** Loads a masked word into A. */
export function loadWord(word: MaskedWord): Straight[] {
  return word.mask === undefined ? [load(word.offset)] : [load(word.offset), andMask(word.mask)];
}

/**
 * A set as a chain: one `jeq` per value when there is one word (loaded once), else one
 * alternative per tuple; interval sets as one alternative per piece.
 */
export const chainSet: SetLowering = (builder, set, whenTrue, whenFalse) => {
  if (set.kind === 'ranges') {
    const alternatives = set.pieces.map((piece) => and(piece.map((interval, w) => intervalTest(set.words[w]!, interval))));
    return lowerCond(builder, or(alternatives), whenTrue, whenFalse, chainSet);
  }
  if (set.words.length === 1) {
    let next = whenFalse;
    for (let i = set.values.length - 1; i >= 0; i--) {
      const body = i === 0 ? loadWord(set.words[0]!) : [];
      next = builder.block(body, { kind: 'branch', op: 'jeq', k: set.values[i]![0]!, whenTrue, whenFalse: next });
    }
    return next;
  }
  let next = whenFalse;
  for (let i = set.values.length - 1; i >= 0; i--) {
    const tuple = set.values[i]!;
    let entry = whenTrue;
    for (let w = set.words.length - 1; w >= 0; w--) {
      const word = set.words[w]!;
      entry = lowerTest(builder, { offset: word.offset, op: 'eq', value: tuple[w]!, ...(word.mask === undefined ? {} : { mask: word.mask }) }, entry, next);
    }
    next = entry;
  }
  return next;
};

function lowerTest(builder: CfgBuilder, test: WordTest, whenTrue: BlockId, whenFalse: BlockId): BlockId {
  // Both outcomes lead to the same place: no need to look at the argument at all (which also
  // keeps the syscall cacheable by the kernel).
  if (whenTrue === whenFalse) return whenTrue;
  const body = test.mask === undefined || test.op === 'set' ? [load(test.offset)] : [load(test.offset), andMask(test.mask)];
  const op = test.op === 'eq' ? 'jeq' : test.op === 'gt' ? 'jgt' : test.op === 'ge' ? 'jge' : 'jset';
  return builder.block(body, { kind: 'branch', op, k: test.value >>> 0, whenTrue, whenFalse });
}
