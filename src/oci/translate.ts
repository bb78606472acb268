// A resolved profile → a CheckedPolicy, with runc's semantics (libcontainer/seccomp/
// seccomp_linux.go, InitSeccomp and matchCall) and libseccomp's way of combining rules:
// - every name of an entry becomes a rule; an entry whose action equals the default is skipped
//   (libseccomp refuses such rules);
// - a name unknown on x86-64 is skipped (a warning; an error with `strict`); names of other
//   architectures' syscalls are skipped quietly (reported as info);
// - the `args` of an entry are ANDed, unless an argument index repeats: then each comparison is a
//   rule of its own (runc's fallback, ORing them);
// - every comparison is on the full 64 bits of the argument, as libseccomp compares on x86-64,
//   whatever the prototype declares; SCMP_CMP_MASKED_EQ is `(arg & value) == valueTwo`, with
//   valueTwo masked as libseccomp masks it;
// - the rules of each syscall go through a port of libseccomp's rule database (libseccomp-db.ts),
//   which finds the rules libseccomp refuses (runc then fails to start the container) and gives
//   the decision list libseccomp's tree amounts to: which entry wins when entries overlap, and
//   which rules libseccomp drops. That list, simplified into ranges, is the syscall's rules.
import { checkedRule, type CheckedPolicy, type CheckedRule, type Condition } from '../check/checked.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { closestMatch } from '../diagnostics/suggest.ts';
import type { FilterFlagName } from '../seccomp/abi.ts';
import { actionsEqual, actionValue, formatAction, KILL_PROCESS, type Action } from '../seccomp/action.ts';
import type { Arch } from '../arch/arch.ts';
import type { Syscall } from '../syscalls/index.ts';
import { mapAction } from './actions.ts';
import { mergeRanges, pathCondition, unionRanges } from './conditions.ts';
import { disjoint } from './disjoint.ts';
import { FOREIGN_SYSCALL_NAMES } from '../syscalls/foreign.ts';
import { ELOOP, SyscallDb, type ScmpArgCmp } from './libseccomp-db.ts';
import type { Located, OciArg, OciFlag, OciSyscallEntry } from './profile.ts';
import type { ResolvedProfile } from './resolve.ts';

export interface TranslateOptions {
  /** Names unknown on the target are errors rather than warnings. */
  readonly strict?: boolean;
}

/** What the profile says besides its rules, for the CLI and for tools such as lint. */
export interface OciMetadata {
  /** The architectures a runtime would filter on the host (SCMP_ARCH_…; empty: the native one only). */
  readonly architectures: readonly string[];
  /** Of those, the ones seccompile does not compile (their calls get foreignArchAction/x32Action). */
  readonly uncompiledArchitectures: readonly string[];
  /** The profile's `flags`; undefined when absent (runc then adds SPEC_ALLOW when it can). */
  readonly flags?: readonly string[];
  readonly listenerPath?: string;
  readonly listenerMetadata?: string;
  /** syscalls[] entries that do not apply to this host, with why. */
  readonly droppedEntries: readonly { readonly index: number; readonly reason: string }[];
  /** Names skipped: not x86-64 syscalls. */
  readonly skippedNames: readonly { readonly name: string; readonly entry: number; readonly reason: 'other-arch' | 'unknown' }[];
  /** Syscalls whose entries overlap with different actions: libseccomp's tree order decides them. */
  readonly overlapping: readonly string[];
}

export interface TranslateResult {
  /** Absent when the profile cannot be compiled (errors). */
  readonly policy?: CheckedPolicy;
  readonly metadata: OciMetadata;
  readonly diagnostics: readonly Diagnostic[];
}

/** Seccompile compiles x86-64 only; x32 and other arches are rejected as unknown calls. */
export const OCI_X32_ACTION: Action = KILL_PROCESS;
export const OCI_FOREIGN_ARCH_ACTION: Action = KILL_PROCESS;

const FLAG_NAMES: Readonly<Record<OciFlag, FilterFlagName>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 'tsync',
  SECCOMP_FILTER_FLAG_LOG: 'log',
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 'spec_allow',
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 'wait_killable_recv',
};

/** One rule as runc hands it to libseccomp. */
interface RuncRule {
  readonly syscall: Syscall;
  readonly action: Action;
  readonly raw: number;
  readonly args: readonly OciArg[];
  readonly entry: OciSyscallEntry;
  readonly name: Located<string>;
}

export function translateProfile(resolved: ResolvedProfile, arch: Arch, options: TranslateOptions = {}): TranslateResult {
  const { profile } = resolved;
  const diagnostics: Diagnostic[] = [];
  const skippedNames: { name: string; entry: number; reason: 'other-arch' | 'unknown' }[] = [];
  const overlapping: string[] = [];

  const defaults = mapAction(profile.defaultAction.value, profile.defaultErrnoRet);
  if (defaults.note) diagnostics.push({ code: 'SC7010', severity: 'warning', span: profile.defaultErrnoRet!.span, message: defaults.note });
  if (defaults.refused) diagnostics.push({ code: 'SC7007', severity: 'error', span: (profile.defaultErrnoRet ?? profile.defaultAction).span, message: `defaultErrnoRet: ${defaults.refused}` });
  if (defaults.action.kind === 'notify') {
    diagnostics.push({ code: 'SC7007', severity: 'error', span: profile.defaultAction.span, message: 'SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the runtime\'s own writes would wait for the listener)' });
  }

  // runc's list of rules, one per name, in profile order.
  const rules: RuncRule[] = [];
  for (const entry of resolved.entries) {
    const mapped = mapAction(entry.action.value, entry.errnoRet);
    const where = `syscalls[${entry.index}]`;
    if (mapped.note) diagnostics.push({ code: 'SC7010', severity: 'warning', span: entry.errnoRet!.span, message: `${where}.errnoRet: ${mapped.note}` });
    if (mapped.unusedErrnoRet) diagnostics.push({ code: 'SC7006', severity: 'info', span: entry.errnoRet!.span, message: `${where}.errnoRet has no effect with ${entry.action.value}` });
    if (entry.names.length === 0) {
      diagnostics.push({ code: 'SC7006', severity: 'warning', span: entry.span, message: `${where} names no syscalls: it has no effect` });
      continue;
    }
    if (mapped.raw === defaults.raw) {
      diagnostics.push({ code: 'SC7006', severity: 'info', span: entry.action.span, message: `${where} has the default action (${formatAction(defaults.action)}): runc skips it` });
      continue;
    }
    const foreign: Located<string>[] = [];
    let refusedReported = false;
    for (const name of entry.names) {
      if (mapped.action.kind === 'notify' && name.value === 'write') {
        diagnostics.push({ code: 'SC7007', severity: 'error', span: name.span, message: 'SCMP_ACT_NOTIFY cannot be used for `write` (runc refuses it: it writes the listener\'s fd to its parent with write)' });
        continue;
      }
      const syscall = arch.syscalls.byName(name.value);
      if (syscall && mapped.refused && !refusedReported) {
        // runc fails on the first rule it adds with this action
        refusedReported = true;
        diagnostics.push({ code: 'SC7007', severity: 'error', span: (entry.errnoRet ?? entry.action).span, message: `${where}.errnoRet: ${mapped.refused}` });
      } else if (syscall) {
        rules.push({ syscall, action: mapped.action, raw: mapped.raw, args: entry.args, entry, name });
      } else if (FOREIGN_SYSCALL_NAMES.has(name.value)) {
        foreign.push(name);
        skippedNames.push({ name: name.value, entry: entry.index, reason: 'other-arch' });
      } else {
        skippedNames.push({ name: name.value, entry: entry.index, reason: 'unknown' });
        const suggestion = closestMatch(name.value, arch.syscalls.all().map((s) => s.name));
        diagnostics.push({
          code: 'SC7004', severity: options.strict ? 'error' : 'warning', span: name.span,
          message: `\`${name.value}\` is not ${arch.name === 'x86_64' ? 'an x86-64' : `a ${arch.title}`} syscall: runtimes skip it`,
          hint: suggestion ? `did you mean \`${suggestion}\`?` : `check the name against the ${arch.title} syscall table`,
        });
      }
    }
    if (foreign.length > 0) {
      const list = foreign.map((n) => n.value).join(', ');
      diagnostics.push({ code: 'SC7005', severity: 'info', span: foreign[0]!.span, message: `${where}: ${foreign.length === 1 ? `${list} is a syscall` : `${foreign.length} names are syscalls`} of other architectures, skipped on ${arch.title}${foreign.length === 1 ? '' : `: ${list}`}` });
    }
  }

  const checkedRules: CheckedRule[] = [];
  const translatedSyscalls = bySyscall(rules).map((group) => ({ group, translated: translateSyscall(group, diagnostics) }));
  for (const { group, translated } of translatedSyscalls) {
    if (translated.overlapping) overlapping.push(group[0]!.syscall.name);
    checkedRules.push(...translated.rules);
  }
  warnStaleAccumulator(translatedSyscalls, diagnostics);

  const metadata = buildMetadata(resolved, arch, skippedNames, overlapping);
  for (const scmp of metadata.uncompiledArchitectures) {
    const at = resolved.architectures.find((a) => a.value === scmp)!;
    diagnostics.push({
      code: 'SC7008', severity: 'info', span: at.span,
      message: `${scmp} is not compiled: seccompile's filter is for ${arch.title} alone, and rejects ${scmp === 'SCMP_ARCH_X32' ? 'x32 calls' : 'calls of this architecture'} (kill_process)`,
      hint: 'a runtime would apply the same rules to these calls; see docs/oci.md',
    });
  }
  if (profile.flags?.some((f) => f.value === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')) {
    const at = profile.flags.find((f) => f.value === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')!;
    diagnostics.push({ code: 'SC7010', severity: 'warning', span: at.span, message: 'runc does not know SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV and refuses the profile (crun accepts it)' });
  }

  if (diagnostics.some((d) => d.severity === 'error')) return { metadata, diagnostics };
  const requestedFlags = requested(profile.flags?.map((f) => f.value) ?? [], checkedRules.some((r) => r.action.kind === 'notify'));
  const policy: CheckedPolicy = {
    arch,
    defaultAction: defaults.action,
    x32Action: OCI_X32_ACTION,
    foreignArchAction: OCI_FOREIGN_ARCH_ACTION,
    rules: checkedRules,
    defaultSpan: profile.defaultAction.span,
    ...(requestedFlags.length > 0 ? { requestedFlags } : {}),
  };
  return { policy, metadata, diagnostics };
}

/** Filter flags to install with. libseccomp adds TSYNC_ESRCH to TSYNC when the filter has a listener. */
function requested(flags: readonly OciFlag[], notify: boolean): FilterFlagName[] {
  const names = new Set(flags.map((f) => FLAG_NAMES[f]));
  if (names.has('tsync') && notify) names.add('tsync_esrch');
  return [...names];
}

/** Conditional libseccomp rules of one syscall that seccompile takes (see translateSyscall). */
const MAX_CONDITIONAL_RULES = 2048;

function bySyscall(rules: readonly RuncRule[]): RuncRule[][] {
  const groups = new Map<number, RuncRule[]>();
  for (const rule of rules) {
    const group = groups.get(rule.syscall.nr);
    if (group) group.push(rule);
    else groups.set(rule.syscall.nr, [rule]);
  }
  return [...groups.values()];
}

/** The comparisons of one OCI arg, as libseccomp takes them. */
function argCmp(arg: OciArg): ScmpArgCmp {
  return { arg: arg.index.value, op: arg.op.value, datumA: arg.value.value, datumB: arg.valueTwo.value };
}

/** runc's split: the args of an entry form one rule, or one rule each when an index repeats. */
function argGroups(args: readonly OciArg[]): OciArg[][] {
  if (args.length === 0) return [[]];
  const indexes = new Set(args.map((a) => a.index.value));
  return indexes.size < args.length ? args.map((a) => [a]) : [[...args]];
}

function translateSyscall(group: readonly RuncRule[], diagnostics: Diagnostic[]): { rules: CheckedRule[]; overlapping: boolean; db?: SyscallDb } {
  const syscall = group[0]!.syscall;
  // Each libseccomp rule, in the order runc adds them.
  const units: { rule: RuncRule; args: OciArg[]; cmps: ScmpArgCmp[] }[] = [];
  let conditional = false;
  for (const rule of group) {
    for (const args of argGroups(rule.args)) {
      units.push({ rule, args, cmps: args.map(argCmp) });
      conditional ||= args.length > 0;
    }
  }
  // Most syscalls of a profile have unconditional rules only: libseccomp keeps the first of them.
  if (!conditional) return { rules: unconditional(syscall, units, 0, diagnostics), overlapping: false };
  // libseccomp's rule merging (ported below) is quadratic in a syscall's rules, and its filter
  // spends at least two instructions per conditional rule: past this, runc cannot load it anyway.
  if (units.length > MAX_CONDITIONAL_RULES) {
    diagnostics.push({
      code: 'SC7007', severity: 'error', span: group[0]!.name.span,
      message: `\`${syscall.name}\` has ${units.length} conditional rules (entries, and args whose index repeats): libseccomp's filter for them would exceed the kernel's 4,096 instructions, so runc cannot load it; seccompile compiles at most ${MAX_CONDITIONAL_RULES} per syscall`,
      hint: 'merge the values: a policy can test sets and ranges (`seccompile convert`), which a profile cannot',
    });
    return { rules: [], overlapping: false };
  }
  const db = new SyscallDb();
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    const rc = db.add({ action: unit.rule.raw, args: unit.cmps, origin: i });
    if (rc === ELOOP) {
      diagnostics.push(loopsForever(syscall, unit.rule));
      return { rules: [], overlapping: false };
    }
    if (rc !== 0) {
      const earlier = units.slice(0, i).find((u) => u.rule.raw !== unit.rule.raw);
      diagnostics.push({
        code: 'SC7007', severity: 'error', span: unit.rule.name.span,
        message: `libseccomp refuses this rule for \`${syscall.name}\`: it conflicts with an earlier rule with another action (runc fails to start the container)`,
        hint: 'give the conflicting entries conditions that do not overlap, or the same action',
        ...(earlier ? { related: [{ message: `the earlier entry, ${formatAction(earlier.rule.action)}`, span: earlier.rule.entry.span }] } : {}),
      });
      return { rules: [], overlapping: false };
    }
  }
  const decisions = db.decisions();
  const result = (rules: CheckedRule[], overlapping: boolean): { rules: CheckedRule[]; overlapping: boolean; db: SyscallDb } => ({ rules, overlapping, db });
  const ruleFor = (unit: (typeof units)[number], condition: Condition | undefined): CheckedRule => checkedRule(syscall, unit.rule.action, condition, unit.rule.entry.span, unit.rule.name.span);
  switch (decisions.kind) {
    case 'none': return result([], false);
    case 'loops':
      diagnostics.push(loopsForever(syscall, units[units.length - 1]!.rule));
      return { rules: [], overlapping: false };
    case 'unconditional': return result(unconditional(syscall, units, decisions.origin, diagnostics), false);
    case 'paths': {
      const conflicting = units.find((a, i) => units.some((b, j) => j > i && a.rule.raw !== b.rule.raw && !disjoint(a.cmps, b.cmps)));
      if (conflicting) {
        diagnostics.push({
          code: 'SC7009', severity: 'warning', span: conflicting.rule.name.span,
          message: `entries for \`${syscall.name}\` overlap with different actions: libseccomp does not try them in profile order, and seccompile follows libseccomp's order`,
          hint: 'make the conditions of entries with different actions exclusive; see docs/oci.md, "Overlapping entries"',
        });
      }
      // libseccomp's rule tree decides, even for entries that look independent: it drops or merges
      // some rules of one action (the tree is the truth, checked against libseccomp's own export).
      let rules: CheckedRule[] = [];
      for (const path of decisions.paths) {
        const unit = units[path.origin]!;
        const condition = pathCondition(path.checks, unit.rule.entry.span);
        // a path whose word tests contradict each other never matches
        if (condition === null) continue;
        const rule = ruleFor(unit, condition);
        const merged = rules.length > 0 ? mergeRanges(rules[rules.length - 1]!, rule) : undefined;
        if (merged) rules[rules.length - 1] = merged;
        else rules.push(rule);
      }
      if (new Set(rules.map((r) => actionValue(r.action))).size === 1) rules = unionRanges(rules);
      return result(rules, conflicting !== undefined);
    }
  }
}

/** The unconditional rule `units[origin]` decides every call; entries with other actions never apply. */
function unconditional(syscall: Syscall, units: readonly { readonly rule: RuncRule }[], origin: number, diagnostics: Diagnostic[]): CheckedRule[] {
  const winner = units[origin]!.rule;
  for (const { rule: loser } of units) {
    if (loser === winner || actionsEqual(loser.action, winner.action)) continue;
    diagnostics.push({
      code: 'SC7009', severity: 'warning', span: loser.name.span,
      message: `this entry never applies to \`${syscall.name}\`: libseccomp lets the unconditional ${formatAction(winner.action)} entry decide every call`,
      related: [{ message: 'the unconditional entry', span: winner.entry.span }],
    });
  }
  return [checkedRule(syscall, winner.action, undefined, winner.entry.span, winner.name.span)];
}

function loopsForever(syscall: Syscall, rule: RuncRule): Diagnostic {
  return {
    code: 'SC7007', severity: 'error', span: rule.name.span,
    message: `libseccomp never finishes merging the rules for \`${syscall.name}\` (its rule tree gets a cycle): runc would hang starting the container`,
    hint: 'simplify the overlapping conditions of this syscall\'s entries',
  };
}

/**
 * Warns about syscalls whose rules libseccomp 2.5 may compile into BPF that contradicts its own
 * rule database (a stale accumulator; see SyscallDb.staleAccumulatorRisk).
 */
function warnStaleAccumulator(syscalls: readonly { group: readonly RuncRule[]; translated: { db?: SyscallDb } }[], diagnostics: Diagnostic[]): void {
  const keyed = syscalls.flatMap(({ group, translated: { db } }) => (db ? [{ group, db, keys: db.levelKeys() }] : []));
  const trees = new Map<string, Set<string>>();
  for (const { keys } of keyed) {
    for (const level of keys.levels) {
      const set = trees.get(level) ?? new Set<string>();
      set.add(keys.tree);
      trees.set(level, set);
    }
  }
  for (const { group, db, keys } of keyed) {
    const shared = (level: string): boolean => [...(trees.get(level) ?? [])].some((tree) => tree !== keys.tree);
    if (!db.staleAccumulatorRisk(shared)) continue;
    const syscall = group[0]!.syscall;
    diagnostics.push({
      code: 'SC7010', severity: 'warning', span: group[0]!.name.span,
      message: `libseccomp 2.5 may compile the rules for \`${syscall.name}\` into BPF that contradicts them (it reuses a stale accumulator after a 64-bit comparison), so runtimes may give some calls another verdict; seccompile follows the rules as libseccomp's rule database defines them`,
      hint: 'see docs/oci.md, "Where libseccomp\'s BPF differs from its rules"',
    });
  }
}

function buildMetadata(resolved: ResolvedProfile, arch: Arch, skippedNames: OciMetadata['skippedNames'], overlapping: readonly string[]): OciMetadata {
  const { profile } = resolved;
  const architectures = [...new Set(resolved.architectures.map((a) => a.value))];
  return {
    architectures,
    uncompiledArchitectures: architectures.filter((a) => a !== arch.oci.scmpArch),
    ...(profile.flags ? { flags: profile.flags.map((f) => f.value) } : {}),
    ...(profile.listenerPath ? { listenerPath: profile.listenerPath.value } : {}),
    ...(profile.listenerMetadata ? { listenerMetadata: profile.listenerMetadata.value } : {}),
    droppedEntries: resolved.dropped.map((d) => ({ index: d.entry.index, reason: d.reason })),
    skippedNames,
    overlapping,
  };
}
