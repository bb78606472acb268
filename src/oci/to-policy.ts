// A loaded profile as seccompile policy text (`seccompile convert`): the same checked policy the
// profile compiles to, written readably — one statement per profile entry and action, the entry's
// `comment` above it, errno names, and a header that says what was resolved for which host.
// Arguments are compared on all 64 bits of their register, as libseccomp compares them (the low 32
// on 32-bit ABIs and x32), written by name (`family_64`) where the statement's syscalls share one,
// else by number (`arg0_64`); values by the constants that name them. A syscall whose rules have
// different actions gets them in libseccomp's order, in a block of its own; a filter for several
// ABIs gets an `arch` block for each ABI's own rules. Imports the named-constants table, so only
// `convert` loads this module.
import type { CheckedPolicy, CheckedRule, Condition } from '../check/checked.ts';
import { conditionText, numberText, type OperandStyle } from '../check/condition-text.ts';
import { argumentConstants, exactFlags, exactName } from '../constants/argument-values.ts';
import type { ConstantTable } from '../constants/index.ts';
import type { Syscall, SyscallArg } from '../syscalls/index.ts';
import { coveringGroups } from '../syscalls/groups.ts';
import type { Arch } from '../arch/arch.ts';
import { errnoName } from '../constants/index.ts';
import { actionsEqual, actionValue, formatAction } from '../seccomp/action.ts';
import type { OciProfile, OciSyscallEntry } from './profile.ts';
import { formatKernelVersion } from '../seccomp/kernel-version.ts';
import type { ResolvedProfile } from './resolve.ts';
import type { OciMetadata } from './translate.ts';
import type { KernelVersion } from './profile.ts';

export interface ConvertInput {
  /** The host's policy. */
  readonly policy: CheckedPolicy;
  /** Each ABI's, host first, when the filter is for several. */
  readonly policies?: readonly CheckedPolicy[];
  readonly profile: OciProfile;
  readonly resolved: ResolvedProfile;
  readonly metadata: OciMetadata;
}

export interface ConvertOptions {
  /** The profile's name, for the header. */
  readonly source: string;
  readonly caps: readonly string[];
  readonly kernel: KernelVersion;
  readonly version: string;
}

const LINE_WIDTH = 100;

export function profileToPolicy(input: ConvertInput, options: ConvertOptions): string {
  const { policy, profile, resolved, metadata } = input;
  const sections = input.policies ?? [policy];
  const out: string[] = [];
  out.push(...header(input, options), '');
  out.push(`default ${action(policy.defaultAction)}`);
  out.push(`x32 ${action(policy.x32Action)}`);
  out.push(`foreign_arch ${action(policy.foreignArchAction)}`);

  if (sections.length === 1) out.push(...writeRules(policy.rules, resolved, metadata, [policy.arch]));
  else {
    // A syscall whose rules read the same on every ABI that has it is written once; the others go
    // in an `arch` block per ABI (32-bit ABIs compare argN_32, where the host compares argN_64).
    const texts = sections.map((section) => rulesBySyscall(section.rules));
    const shared = (name: string): boolean => {
      const having = sections.map((section, i) => (section.arch.syscalls.byName(name) ? texts[i]!.get(name) ?? '' : undefined)).filter((t) => t !== undefined);
      return having.every((t) => t === having[0]);
    };
    // Rules that read alike go at the top when every ABI has the syscall, else in a block for the
    // ABIs that have it (`arch i386, arm { … }`), so that the policy compiles for any of them.
    const common = uniqueByName(sections.flatMap((section) => section.rules.filter((r) => shared(r.syscall.name))));
    const owners = (name: string): string => sections.filter((section) => section.arch.syscalls.byName(name)).map((section) => section.arch.name).join(', ');
    const everyAbi = sections.map((section) => section.arch.name).join(', ');
    const blocks = new Map<string, CheckedRule[]>([[everyAbi, []]]);
    const blockFor = (key: string): CheckedRule[] => {
      const block = blocks.get(key) ?? [];
      blocks.set(key, block);
      return block;
    };
    for (const rule of common) blockFor(owners(rule.syscall.name)).push(rule);
    for (const section of sections) {
      const own = section.rules.filter((r) => !shared(r.syscall.name));
      if (own.length > 0) blockFor(section.arch.name).push(...own);
    }
    for (const [abis, rules] of blocks) {
      // A constant's name or a group is written only where it means the same on every ABI the block is for.
      const arches = sections.map((section) => section.arch).filter((arch) => abis.split(', ').includes(arch.name));
      if (abis === everyAbi) out.push(...writeRules(rules, resolved, metadata, arches));
      else if (rules.length > 0) out.push('', `arch ${abis} {`, ...writeRules(rules, resolved, metadata, arches).map((line) => (line === '' ? line : `  ${line}`)), '}');
    }
  }
  if (profile.syscalls.length > 0 && sections.every((section) => section.rules.length === 0)) out.push('', '# No entry applies to this host: every call gets the default action.');
  return out.join('\n') + '\n';
}

/** Each syscall's rules as text, to tell whether two ABIs' rules read alike. */
function rulesBySyscall(rules: readonly CheckedRule[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const rule of rules) texts.set(rule.syscall.name, `${texts.get(rule.syscall.name) ?? ''}${action(rule.action)} ${rule.condition ? conditionText(rule.condition, BY_NUMBER) : ''}\n`);
  return texts;
}

/** The rules of the first ABI that has each syscall (written once, they read alike on all). */
function uniqueByName(rules: readonly CheckedRule[]): CheckedRule[] {
  const first = new Map<string, CheckedRule['syscall']>();
  return rules.filter((rule) => {
    const owner = first.get(rule.syscall.name) ?? rule.syscall;
    first.set(rule.syscall.name, owner);
    return owner === rule.syscall;
  });
}

/** Rules as statements: grouped by profile entry where a syscall has one action, else in libseccomp's order. */
function writeRules(rules: readonly CheckedRule[], resolved: ResolvedProfile, metadata: OciMetadata, arches: readonly Arch[]): string[] {
  const tables = arches.map((arch) => arch.constants);
  const out: string[] = [];
  const entryOf = new Map<number, OciSyscallEntry>(resolved.entries.map((e) => [e.span.start, e]));
  // A syscall whose rules have one action can be written entry by entry; with several actions,
  // the order of its rules matters, so they are written together in libseccomp's order.
  const actions = new Map<string, Set<number>>();
  for (const rule of rules) actions.set(rule.syscall.name, (actions.get(rule.syscall.name) ?? new Set()).add(actionValue(rule.action)));
  const byEntry = new Map<OciSyscallEntry, CheckedRule[]>();
  const ordered = new Map<string, CheckedRule[]>();
  for (const rule of rules) {
    if (actions.get(rule.syscall.name)!.size > 1) {
      ordered.set(rule.syscall.name, [...(ordered.get(rule.syscall.name) ?? []), rule]);
      continue;
    }
    const entry = entryOf.get(rule.span.start);
    if (!entry) throw new Error(`internal error: no profile entry for a rule of ${rule.syscall.name}`);
    byEntry.set(entry, [...(byEntry.get(entry) ?? []), rule]);
  }

  // Neighbouring entries of one syscall and action, each a single `==` of one argument, read as
  // one rule with a set (`personality in {PER_LINUX, …}`): one action, so order does not matter.
  const entries = resolved.entries.filter((entry) => byEntry.has(entry));
  for (let i = 0; i < entries.length; i++) {
    const run = [entries[i]!];
    while (i + 1 < entries.length && sameValueTest(byEntry.get(run[0]!)!, byEntry.get(entries[i + 1]!)!)) run.push(entries[++i]!);
    if (run.length > 1) {
      const rules = run.map((entry) => byEntry.get(entry)![0]!);
      const first = rules[0]!.condition as Extract<Condition, { kind: 'compare' }>;
      const set: Condition = { kind: 'in', operand: first.operand, values: rules.map((r) => (r.condition as Extract<Condition, { kind: 'compare' }>).value), span: first.span };
      out.push('', entryComment(run[0]!, run[run.length - 1]!.index), `${action(rules[0]!.action)} ${rules[0]!.syscall.name} if ${conditionText(set, namedStyle([rules[0]!.syscall], tables))}`);
      continue;
    }
    const entry = run[0]!;
    const entryRules = byEntry.get(entry)!;
    out.push('', entryComment(entry));
    // One statement per action and condition, naming every syscall that has it, in first-seen order.
    const statements = new Map<string, { head: string; rule: CheckedRule; syscalls: Syscall[] }>();
    for (const rule of entryRules) {
      const key = `${action(rule.action)}\u0000${rule.condition ? conditionText(rule.condition, BY_NUMBER) : ''}`;
      const statement = statements.get(key) ?? { head: action(rule.action), rule, syscalls: [] };
      if (!statement.syscalls.some((s) => s.name === rule.syscall.name)) statement.syscalls.push(rule.syscall);
      statements.set(key, statement);
    }
    for (const st of statements.values()) {
      const condition = st.rule.condition ? ` if ${conditionText(st.rule.condition, namedStyle(st.syscalls, tables))}` : '';
      // Syscall groups where every member the ABIs have is listed (`allow @basic-io, …`).
      const { groups, rest } = coveringGroups(st.syscalls.map((s) => s.name), arches);
      out.push(...wrap(st.head, [...groups.map((g) => `@${g}`), ...rest], condition));
    }
  }

  const overlapping = new Set(metadata.overlapping);
  for (const [name, list] of ordered) {
    const entries = [...new Set(list.map((r) => entryOf.get(r.span.start)?.index))].filter((i) => i !== undefined).sort((a, b) => a - b);
    const from = entries.map((i) => `syscalls[${i}]`).join(', ');
    out.push('', overlapping.has(name) ? `# ${name}: entries ${from} overlap with different actions.` : `# ${name}: from entries ${from}.`);
    out.push('# Rules in the order libseccomp tries them (argument by argument, high word first), not in profile order.');
    for (const rule of list) out.push(`${action(rule.action)} ${name}${rule.condition ? ` if ${conditionText(rule.condition, namedStyle([rule.syscall], tables))}` : ''}`);
  }
  return out;
}

function header(input: ConvertInput, options: ConvertOptions): string[] {
  const { profile, resolved, metadata } = input;
  const host = input.policy.arch;
  const abis = (input.policies ?? [input.policy]).map((p) => p.arch);
  const target = abis.map((a) => a.name).join(',');
  const lines = [
    `# Converted by seccompile ${options.version} from ${options.source}, an OCI seccomp profile,`,
    `# for ${host.title} hosts${target === 'x86_64' ? '' : ` (compile it with --arch ${target})`} with ${options.caps.length > 0 ? `capabilities ${[...options.caps].sort().join(', ')}` : 'no capabilities'} and kernel ${formatKernelVersion(options.kernel)}.`,
    '# Rules follow runc and libseccomp: the arguments of an entry are ANDed, every comparison is on',
    '# all 64 bits of the argument\'s register (`family_64`, `arg0_64`; a name alone where the argument',
    '# has 64 bits), on 32-bit ABIs and x32 on its low 32 bits (`_32`), and entries whose action is the',
    '# default are left out.',
  ];
  if (abis.length > 1) lines.push(`# Architectures: ${metadata.architectures.join(', ')}; the filter has a section for each of ${abis.map((a) => a.title).join(', ')}.`);
  else if (metadata.architectures.length > 0) lines.push(`# Architectures: ${metadata.architectures.join(', ')}; only ${host.title} is compiled, calls of the others are rejected.`);
  if (metadata.flags) lines.push(`# Filter flags: ${metadata.flags.length > 0 ? metadata.flags.join(', ') : 'none'} (give them to \`seccompile compile --flag\`).`);
  if (metadata.listenerPath) lines.push(`# Listener: ${metadata.listenerPath}${metadata.listenerMetadata ? ` (metadata ${JSON.stringify(metadata.listenerMetadata)})` : ''}.`);
  if (resolved.dropped.length > 0) {
    lines.push('# Entries that do not apply to this host:');
    for (const { entry, reason } of resolved.dropped) lines.push(...wrapComment(`syscalls[${entry.index}] (${entry.names.map((n) => n.value).join(', ') || 'no names'}): ${reason}`));
  }
  const skipped = metadata.skippedNames;
  const other = [...new Set(skipped.filter((s) => s.reason === 'other-arch').map((s) => s.name))];
  const unknown = [...new Set(skipped.filter((s) => s.reason === 'unknown').map((s) => s.name))];
  if (other.length > 0) lines.push(...wrapComment(`Syscalls of other architectures, skipped: ${other.join(', ')}`));
  if (unknown.length > 0) lines.push(...wrapComment(`Unknown names, skipped: ${unknown.join(', ')}`));
  if (profile.defaultErrnoRet === undefined && profile.defaultAction.value === 'SCMP_ACT_ERRNO') lines.push('# The profile gives no defaultErrnoRet: runc uses EPERM.');
  return lines;
}

/** An entry's heading: where it is (`syscalls[5]`, or `syscalls[5–9]` for several), its names when few, its comment. */
function entryComment(entry: OciSyscallEntry, last?: number): string {
  const names = entry.names.map((n) => n.value);
  const where = last === undefined ? `syscalls[${entry.index}]` : `syscalls[${entry.index}–${last}]`;
  const what = names.length > 0 && names.length <= 4 ? `: ${names.join(', ')}` : '';
  return `# ${where}${what}${entry.comment ? ` (${entry.comment.replace(/\s+/g, ' ')})` : ''}`;
}

/** Two entries' rules are each one `==` of the same operand, for one syscall and action. */
function sameValueTest(a: readonly CheckedRule[], b: readonly CheckedRule[]): boolean {
  const [x, y] = [a[0]!, b[0]!];
  if (a.length !== 1 || b.length !== 1 || x.syscall.name !== y.syscall.name || !actionsEqual(x.action, y.action)) return false;
  const [cx, cy] = [x.condition, y.condition];
  return cx?.kind === 'compare' && cy?.kind === 'compare' && cx.op === '==' && cy.op === '=='
    && cx.operand.arg.index === cy.operand.arg.index && cx.operand.arg.width === cy.operand.arg.width && cx.operand.mask === cy.operand.mask;
}

function action(a: CheckedPolicy['defaultAction']): string {
  return formatAction(a, errnoName);
}

/** `allow a, b, c if …`, wrapped at LINE_WIDTH with the names indented under the first. */
function wrap(head: string, names: readonly string[], condition: string): string[] {
  const lines: string[] = [];
  const indent = ' '.repeat(head.length + 1);
  let line = `${head} `;
  names.forEach((name, i) => {
    const piece = `${name}${i < names.length - 1 ? ',' : ''}`;
    if (line.trim() !== head && line.length + piece.length + 1 > LINE_WIDTH) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${piece} `;
  });
  lines.push(`${line.trimEnd()}${condition}`);
  return lines;
}

function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > LINE_WIDTH && line !== '#') {
      lines.push(line);
      line = '#  ';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** Arguments by number (`arg2_64`): for comparing the rules of several ABIs, whose names may differ. */
const BY_NUMBER: OperandStyle = { operand: operandText, bits: (operand) => operand };

function operandText(operand: { arg: { index: number; width: number }; mask?: bigint }): string {
  const name = `arg${operand.arg.index}_${operand.arg.width === 32 ? 32 : 64}`;
  return operand.mask === undefined ? name : `(${name} & 0x${operand.mask.toString(16)})`;
}

/** A value by its name when it has one (an OR of flags in parentheses), else as a number. */
function valueText(named: string | undefined, value: bigint): string {
  if (!named) return numberText(value);
  return named.includes('|') ? `(${named})` : named;
}

/**
 * Arguments by name where the statement's syscalls share one (`family_64`, `clone_flags`), values
 * and masks by the constants that name exactly them (`AF_VSOCK`, `CLONE_NEWNS | CLONE_NEWUTS`) in
 * every ABI's table, else by number. A name stands for the whole register (`_64`) or its low word
 * (`_32`) unless the prototype's width is the compared one; a pointer keeps its suffix.
 */
function namedStyle(syscalls: readonly Syscall[], tables: readonly ConstantTable[]): OperandStyle {
  const declared = (index: number): SyscallArg | undefined => {
    const args = syscalls.map((s) => s.args[index]);
    return args.every((a) => a !== undefined && a.name === args[0]!.name) ? args[0] : undefined;
  };
  const constants = (index: number) => {
    const arg = declared(index);
    return arg && syscalls.every((s) => s.name === syscalls[0]!.name) ? argumentConstants(syscalls[0]!.name, arg.name) : undefined;
  };
  const flags = (index: number, value: bigint): string | undefined => {
    const spec = constants(index);
    return spec?.flags ? exactFlags(spec, value, tables) : undefined;
  };
  return {
    operand(operand) {
      const arg = declared(operand.arg.index);
      if (!arg) return operandText(operand);
      const width = operand.arg.width === 32 ? 32 : 64;
      const name = arg.width === width && !arg.pointer ? arg.name : `${arg.name}_${width}`;
      if (operand.mask === undefined) return name;
      return `(${name} & ${valueText(flags(operand.arg.index, operand.mask), operand.mask)})`;
    },
    value(operand, value) {
      const spec = constants(operand.arg.index);
      if (!spec) return numberText(value);
      return valueText(spec.flags ? flags(operand.arg.index, value) : exactName(spec, value, tables), value);
    },
    bits: (operand) => operand,
  };
}
