// A resolved profile → a CheckedPolicy per ABI of the filter (the host's, then each architecture
// the profile lists for it), with runc's semantics (libcontainer/seccomp/seccomp_linux.go,
// InitSeccomp and matchCall) and libseccomp's way of combining rules:
// - every name of an entry becomes a rule, added to each ABI that has the syscall by that name
//   (on i386 also through socketcall/ipc, abi-syscalls.ts); an entry whose action equals the
//   default is skipped (libseccomp refuses such rules);
// - a name of no table is skipped (a warning; an error with `strict`); names of other
//   architectures' syscalls that no ABI of the filter has are skipped quietly (reported as info);
// - the `args` of an entry are ANDed, unless an argument index repeats: then each comparison is a
//   rule of its own (runc's fallback, ORing them);
// - every comparison is on the full 64 bits of the argument on a 64-bit ABI, on its low 32 bits on
//   i386, arm and x32, as libseccomp compares, whatever the prototype declares;
//   SCMP_CMP_MASKED_EQ is `(arg & value) == valueTwo`, with valueTwo masked as libseccomp masks it;
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
import { libseccompBits, libseccompSyscalls, type AbiSyscall } from './abi-syscalls.ts';
import { ARCHES } from '../arch/index.ts';
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
  /** The ABIs of the filter, host first: one section each. */
  readonly compiledAbis: readonly string[];
  /** Listed architectures seccompile has no table for (their calls get foreignArchAction). */
  readonly uncompiledArchitectures: readonly string[];
  /** The profile's `flags`; undefined when absent (runc then adds SPEC_ALLOW when it can). */
  readonly flags?: readonly string[];
  readonly listenerPath?: string;
  readonly listenerMetadata?: string;
  /** syscalls[] entries that do not apply to this host, with why. */
  readonly droppedEntries: readonly { readonly index: number; readonly reason: string }[];
  /** Names skipped: syscalls of none of the filter's ABIs. */
  readonly skippedNames: readonly { readonly name: string; readonly entry: number; readonly reason: 'other-arch' | 'unknown' }[];
  /** Syscalls whose entries overlap with different actions: libseccomp's tree order decides them. */
  readonly overlapping: readonly string[];
}

export interface TranslateResult {
  /** The host's; absent when the profile cannot be compiled (errors). */
  readonly policy?: CheckedPolicy;
  /** Every ABI's, host first, when the filter has several. */
  readonly policies?: readonly CheckedPolicy[];
  readonly metadata: OciMetadata;
  readonly diagnostics: readonly Diagnostic[];
}

/** Calls of ABIs the filter lacks: libseccomp's bad-arch action is KILL (a thread); seccompile ends the process. */
export const OCI_X32_ACTION: Action = KILL_PROCESS;
export const OCI_FOREIGN_ARCH_ACTION: Action = KILL_PROCESS;

const FLAG_NAMES: Readonly<Record<OciFlag, FilterFlagName>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 'tsync',
  SECCOMP_FILTER_FLAG_LOG: 'log',
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 'spec_allow',
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 'wait_killable_recv',
};

/** One rule as runc hands it to libseccomp: a syscall by name. */
interface RuncRule {
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
  const abis = filterAbis(resolved, arch);

  const defaults = mapAction(profile.defaultAction.value, profile.defaultErrnoRet);
  if (defaults.note) diagnostics.push({ code: 'SC7010', severity: 'warning', span: profile.defaultErrnoRet!.span, message: defaults.note });
  if (defaults.refused) diagnostics.push({ code: 'SC7007', severity: 'error', span: (profile.defaultErrnoRet ?? profile.defaultAction).span, message: `defaultErrnoRet: ${defaults.refused}` });
  if (defaults.action.kind === 'notify') {
    diagnostics.push({ code: 'SC7007', severity: 'error', span: profile.defaultAction.span, message: 'SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the runtime\'s own writes would wait for the listener)' });
  }

  // runc's list of rules, one per name, in profile order.
  const rules: RuncRule[] = [];
  // rulesOnAbis[r][i]: what rules[r] is added to on abis[i] (libseccompSyscalls)
  const rulesOnAbis: (readonly AbiSyscall[])[][] = [];
  const abiList = abis.map((a) => a.title).join(', ');
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
      // what the name becomes on each ABI of the filter, found once for the check and the rules
      const onAbis = abis.map((abi) => libseccompSyscalls(abi, name.value));
      const inFilter = onAbis.some((found) => found.length > 0);
      if (inFilter && mapped.refused && !refusedReported) {
        // runc fails on the first rule it adds with this action
        refusedReported = true;
        diagnostics.push({ code: 'SC7007', severity: 'error', span: (entry.errnoRet ?? entry.action).span, message: `${where}.errnoRet: ${mapped.refused}` });
      } else if (inFilter) {
        rules.push({ action: mapped.action, raw: mapped.raw, args: entry.args, entry, name });
        rulesOnAbis.push(onAbis);
      } else if (FOREIGN_SYSCALL_NAMES.has(name.value) || ARCHES.some((a) => a.syscalls.byName(name.value))) {
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
      diagnostics.push({ code: 'SC7005', severity: 'info', span: foreign[0]!.span, message: `${where}: ${foreign.length === 1 ? `${list} is a syscall` : `${foreign.length} names are syscalls`} of other architectures, skipped on ${abiList}${foreign.length === 1 ? '' : `: ${list}`}` });
    }
  }

  // Each ABI of the filter gets every rule, by the syscall's name on that ABI, merged by its own
  // rule database. The host's findings are reported; another ABI's only when they are errors (its
  // warnings repeat the host's).
  const policies: CheckedPolicy[] = [];
  const requestedFlags = requested(profile.flags?.map((f) => f.value) ?? [], rules.some((r) => r.action.kind === 'notify'));
  const staleWarned = new Set<Diagnostic['span']>();
  abis.forEach((abi, i) => {
    const sink: Diagnostic[] = i === 0 ? diagnostics : [];
    const translatedSyscalls: { group: SyscallGroup; translated: Translated }[] = [];
    for (const group of bySyscall(rules, rulesOnAbis, i)) translatedSyscalls.push({ group, translated: translateSyscall(group, sink, abi, i > 0) });
    if (i === 0) for (const { group, translated } of translatedSyscalls) if (translated.overlapping) overlapping.push(group.syscall.name);
    const stale = warnStaleAccumulator(translatedSyscalls, abi, i > 0);
    if (i === 0) {
      diagnostics.push(...stale);
      for (const d of stale) staleWarned.add(d.span);
    } else {
      // where the host's rules are not at risk, another ABI's may be (its tree differs)
      diagnostics.push(...sink.filter((d) => d.severity === 'error'), ...stale.filter((d) => !staleWarned.has(d.span)));
    }
    policies.push({
      arch: abi,
      defaultAction: defaults.action,
      x32Action: OCI_X32_ACTION,
      foreignArchAction: OCI_FOREIGN_ARCH_ACTION,
      rules: concatRules(translatedSyscalls),
      defaultSpan: profile.defaultAction.span,
      ...(requestedFlags.length > 0 ? { requestedFlags } : {}),
    });
  });

  const metadata = buildMetadata(resolved, abis, skippedNames, overlapping);
  if (abis.length > 1) {
    diagnostics.push({
      code: 'SC7008', severity: 'info', span: resolved.architectures[0]!.span,
      message: `the filter has a section for each ABI the profile lists for ${arch.oci.goArch} hosts: ${abiList}, each with the profile's rules by that ABI's syscall numbers, as runc's filter has`,
    });
  }
  for (const scmp of metadata.uncompiledArchitectures) {
    const at = resolved.architectures.find((a) => a.value === scmp)!;
    diagnostics.push({
      code: 'SC7008', severity: 'info', span: at.span,
      message: `${scmp} is not compiled: seccompile has no syscall table for it, and its calls get the bad-architecture action (kill_process)`,
      hint: 'a process on this host cannot make calls of that architecture; see docs/oci.md',
    });
  }
  if (profile.flags?.some((f) => f.value === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')) {
    const at = profile.flags.find((f) => f.value === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')!;
    diagnostics.push({ code: 'SC7010', severity: 'warning', span: at.span, message: 'runc does not know SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV and refuses the profile (crun accepts it)' });
  }

  if (diagnostics.some((d) => d.severity === 'error')) return { metadata, diagnostics };
  return { policy: policies[0]!, ...(policies.length > 1 ? { policies } : {}), metadata, diagnostics };
}

/**
 * The ABIs of the filter, host first: libseccomp's filter always has its native arch, then each
 * architecture the profile lists for this host (`architectures`, or its archMap entry) that
 * seccompile has a table for, in the order listed.
 */
function filterAbis(resolved: ResolvedProfile, host: Arch): Arch[] {
  const abis = [host];
  for (const listed of resolved.architectures) {
    const abi = ARCHES.find((a) => a.oci.scmpArch === listed.value);
    if (abi && !abis.includes(abi)) abis.push(abi);
  }
  return abis;
}

/** Filter flags to install with. libseccomp adds TSYNC_ESRCH to TSYNC when the filter has a listener. */
function requested(flags: readonly OciFlag[], notify: boolean): FilterFlagName[] {
  const names = new Set(flags.map((f) => FLAG_NAMES[f]));
  if (names.has('tsync') && notify) names.add('tsync_esrch');
  return [...names];
}

/** Conditional libseccomp rules of one syscall that seccompile takes (see translateSyscall). */
const MAX_CONDITIONAL_RULES = 2048;

/** The rules libseccomp adds to one syscall of an ABI, in the order runc adds them (see abi-syscalls.ts). */
interface SyscallGroup {
  readonly syscall: Syscall;
  readonly rules: RuncRule[];
  /** Rule by rule: made through a multiplexer, argument 0 equal to this. */
  readonly multiplexed: (number | undefined)[];
}

/** What one syscall's rules become (db: the database they were merged in, when they were). */
interface Translated {
  readonly rules: CheckedRule[];
  readonly overlapping: boolean;
  readonly db?: SyscallDb;
}

/** Every syscall's rules in one list (a loop: flatMap's callback runs per syscall, interpreted). */
function concatRules(syscalls: readonly { translated: Translated }[]): CheckedRule[] {
  const rules: CheckedRule[] = [];
  for (let i = 0; i < syscalls.length; i++) {
    const own = syscalls[i]!.translated.rules;
    for (let j = 0; j < own.length; j++) rules.push(own[j]!);
  }
  return rules;
}

/** ABI `abi`'s syscalls and the rules each gets (rulesOnAbis[r][abi]: where rules[r] goes). */
function bySyscall(rules: readonly RuncRule[], rulesOnAbis: readonly (readonly AbiSyscall[])[][], abi: number): Iterable<SyscallGroup> {
  const groups = new Map<number, SyscallGroup>();
  for (let r = 0; r < rules.length; r++) {
    for (const { syscall, multiplexed } of rulesOnAbis[r]![abi]!) {
      const group = groups.get(syscall.nr);
      // most syscalls get one rule: arrays of one, not arrays grown by push
      if (!group) groups.set(syscall.nr, { syscall, rules: [rules[r]!], multiplexed: [multiplexed] });
      else {
        group.rules.push(rules[r]!);
        group.multiplexed.push(multiplexed);
      }
    }
  }
  return groups.values();
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

/** `named`: say which ABI in messages (not the host's). */
function translateSyscall(group: SyscallGroup, diagnostics: Diagnostic[], abi: Arch, named: boolean): Translated {
  const { syscall } = group;
  // Most syscalls of a profile have unconditional rules only: libseccomp keeps the first of them.
  let plainOnly = true;
  for (let r = 0; r < group.rules.length && plainOnly; r++) plainOnly = group.rules[r]!.args.length === 0 && group.multiplexed[r] === undefined;
  if (plainOnly) return { rules: unconditional(syscall, group.rules, 0, diagnostics), overlapping: false };
  const label = named ? `${syscall.name}\` on ${abi.title}` : `${syscall.name}\``;
  const bits = libseccompBits(abi);
  // Each libseccomp rule, in the order runc adds them.
  const units: { rule: RuncRule; multiplexed: number | undefined; args: OciArg[]; cmps: ScmpArgCmp[] }[] = [];
  group.rules.forEach((rule, r) => {
    for (const args of argGroups(rule.args)) units.push({ rule, multiplexed: group.multiplexed[r], args, cmps: args.map(argCmp) });
  });
  // libseccomp's rule merging (ported below) is quadratic in a syscall's rules, and its filter
  // spends at least two instructions per conditional rule: past this, runc cannot load it anyway.
  if (units.length > MAX_CONDITIONAL_RULES) {
    diagnostics.push({
      code: 'SC7007', severity: 'error', span: group.rules[0]!.name.span,
      message: `\`${syscall.name}\` has ${units.length} conditional rules (entries, and args whose index repeats): libseccomp's filter for them would exceed the kernel's 4,096 instructions, so runc cannot load it; seccompile compiles at most ${MAX_CONDITIONAL_RULES} per syscall`,
      hint: 'merge the values: a policy can test sets and ranges (`seccompile convert`), which a profile cannot',
    });
    return { rules: [], overlapping: false };
  }
  // On i386 a profile that names socketcall or ipc itself has, around that unconditional rule,
  // the multiplexer's rule for each socket or IPC call it names (`arg0 == SYS_…`). libseccomp's
  // database keeps the first unconditional rule and drops every rule after it; rules of one
  // action comparing only argument 0 before it cannot fail to merge. So that rule decides, as the
  // database would find after merging every rule (test/oci/libseccomp-db.test.ts).
  const plain = units.findIndex((u) => u.cmps.length === 0 && u.multiplexed === undefined);
  if (plain >= 0 && units.slice(0, plain).every((u) => u.cmps.length === 0 && u.rule.raw === units[0]!.rule.raw)) {
    return { rules: unconditional(syscall, units.map((u) => u.rule), plain, diagnostics), overlapping: false };
  }
  const db = new SyscallDb(bits);
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    const rc = db.add({ action: unit.rule.raw, args: unit.cmps, origin: i, ...(unit.multiplexed !== undefined ? { multiplexed: unit.multiplexed } : {}) });
    if (rc === ELOOP) {
      diagnostics.push(loopsForever(label, unit.rule));
      return { rules: [], overlapping: false };
    }
    if (rc !== 0) {
      const earlier = units.slice(0, i).find((u) => u.rule.raw !== unit.rule.raw);
      diagnostics.push({
        code: 'SC7007', severity: 'error', span: unit.rule.name.span,
        message: `libseccomp refuses this rule for \`${label}: it conflicts with an earlier rule with another action (runc fails to start the container)`,
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
      diagnostics.push(loopsForever(label, units[units.length - 1]!.rule));
      return { rules: [], overlapping: false };
    case 'unconditional': return result(unconditional(syscall, units.map((u) => u.rule), decisions.origin, diagnostics), false);
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
        const condition = pathCondition(path.checks, unit.rule.entry.span, bits);
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

/** The unconditional rule `rules[origin]` decides every call; entries with other actions never apply. */
function unconditional(syscall: Syscall, rules: readonly RuncRule[], origin: number, diagnostics: Diagnostic[]): CheckedRule[] {
  const winner = rules[origin]!;
  for (const loser of rules) {
    if (loser === winner || actionsEqual(loser.action, winner.action)) continue;
    diagnostics.push({
      code: 'SC7009', severity: 'warning', span: loser.name.span,
      message: `this entry never applies to \`${syscall.name}\`: libseccomp lets the unconditional ${formatAction(winner.action)} entry decide every call`,
      related: [{ message: 'the unconditional entry', span: winner.entry.span }],
    });
  }
  return [checkedRule(syscall, winner.action, undefined, winner.entry.span, winner.name.span)];
}

function loopsForever(label: string, rule: RuncRule): Diagnostic {
  return {
    code: 'SC7007', severity: 'error', span: rule.name.span,
    message: `libseccomp never finishes merging the rules for \`${label} (its rule tree gets a cycle): runc would hang starting the container`,
    hint: 'simplify the overlapping conditions of this syscall\'s entries',
  };
}

/**
 * Warnings about syscalls whose rules libseccomp 2.5 may compile into BPF that contradicts its own
 * rule database (a stale accumulator; see SyscallDb.staleAccumulatorRisk). `named`: say which ABI.
 */
function warnStaleAccumulator(syscalls: readonly { group: SyscallGroup; translated: Translated }[], abi: Arch, named: boolean): Diagnostic[] {
  // only syscalls merged in the database have a tree (a loop: most have none)
  const keyed: { group: SyscallGroup; db: SyscallDb; keys: ReturnType<SyscallDb['levelKeys']> }[] = [];
  for (const { group, translated: { db } } of syscalls) if (db) keyed.push({ group, db, keys: db.levelKeys() });
  const trees = new Map<string, Set<string>>();
  for (const { keys } of keyed) {
    for (const level of keys.levels) {
      const set = trees.get(level) ?? new Set<string>();
      set.add(keys.tree);
      trees.set(level, set);
    }
  }
  const warnings: Diagnostic[] = [];
  for (const { group, db, keys } of keyed) {
    const shared = (level: string): boolean => [...(trees.get(level) ?? [])].some((tree) => tree !== keys.tree);
    if (!db.staleAccumulatorRisk(shared)) continue;
    const { syscall } = group;
    warnings.push({
      code: 'SC7010', severity: 'warning', span: group.rules[0]!.name.span,
      message: `libseccomp 2.5 may compile the rules for \`${syscall.name}\`${named ? ` on ${abi.title}` : ''} into BPF that contradicts them (it reuses a stale accumulator after a comparison of another word), so runtimes may give some calls another verdict; seccompile follows the rules as libseccomp's rule database defines them`,
      hint: 'see docs/oci.md, "Where libseccomp\'s BPF differs from its rules"',
    });
  }
  return warnings;
}

function buildMetadata(resolved: ResolvedProfile, abis: readonly Arch[], skippedNames: OciMetadata['skippedNames'], overlapping: readonly string[]): OciMetadata {
  const { profile } = resolved;
  const architectures = [...new Set(resolved.architectures.map((a) => a.value))];
  return {
    architectures,
    compiledAbis: abis.map((a) => a.name),
    uncompiledArchitectures: architectures.filter((a) => !abis.some((abi) => abi.oci.scmpArch === a)),
    ...(profile.flags ? { flags: profile.flags.map((f) => f.value) } : {}),
    ...(profile.listenerPath ? { listenerPath: profile.listenerPath.value } : {}),
    ...(profile.listenerMetadata ? { listenerMetadata: profile.listenerMetadata.value } : {}),
    droppedEntries: resolved.dropped.map((d) => ({ index: d.entry.index, reason: d.reason })),
    skippedNames,
    overlapping,
  };
}
