// A loaded profile as seccompile policy text (`seccompile convert`): the same checked policy the
// profile compiles to, written readably — one statement per profile entry and action, the entry's
// `comment` above it, errno names, and a header that says what was resolved for which host.
// Arguments are written `argN_64`: all 64 bits, as libseccomp compares them (`argN_32` on 32-bit
// ABIs and x32). A syscall whose rules have different actions gets them in libseccomp's order, in a
// block of its own; a filter for several ABIs gets an `arch` block for each ABI's own rules. Imports the named-constants table, so only `convert` loads this module.
import type { CheckedPolicy, CheckedRule } from '../check/checked.ts';
import { conditionText, type OperandStyle } from '../check/condition-text.ts';
import { errnoName } from '../constants/index.ts';
import { actionValue, formatAction } from '../seccomp/action.ts';
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

  if (sections.length === 1) out.push(...writeRules(policy.rules, resolved, metadata));
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
      if (abis === everyAbi) out.push(...writeRules(rules, resolved, metadata));
      else if (rules.length > 0) out.push('', `arch ${abis} {`, ...writeRules(rules, resolved, metadata).map((line) => (line === '' ? line : `  ${line}`)), '}');
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
function writeRules(rules: readonly CheckedRule[], resolved: ResolvedProfile, metadata: OciMetadata): string[] {
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

  for (const entry of resolved.entries) {
    const entryRules = byEntry.get(entry);
    if (!entryRules) continue;
    out.push('', entryComment(entry));
    // One statement per action and condition, naming every syscall that has it, in first-seen order.
    const statements = new Map<string, { head: string; condition: string; names: string[] }>();
    for (const rule of entryRules) {
      const condition = rule.condition ? ` if ${conditionText(rule.condition, BY_NUMBER)}` : '';
      const key = `${action(rule.action)}\u0000${condition}`;
      const statement = statements.get(key) ?? { head: action(rule.action), condition, names: [] };
      if (!statement.names.includes(rule.syscall.name)) statement.names.push(rule.syscall.name);
      statements.set(key, statement);
    }
    for (const st of statements.values()) out.push(...wrap(st.head, st.names, st.condition));
  }

  const overlapping = new Set(metadata.overlapping);
  for (const [name, list] of ordered) {
    const entries = [...new Set(list.map((r) => entryOf.get(r.span.start)?.index))].filter((i) => i !== undefined).sort((a, b) => a - b);
    const from = entries.map((i) => `syscalls[${i}]`).join(', ');
    out.push('', overlapping.has(name) ? `# ${name}: entries ${from} overlap with different actions.` : `# ${name}: from entries ${from}.`);
    out.push('# Rules in the order libseccomp tries them (argument by argument, high word first), not in profile order.');
    for (const rule of list) out.push(`${action(rule.action)} ${name}${rule.condition ? ` if ${conditionText(rule.condition, BY_NUMBER)}` : ''}`);
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
    '# all 64 bits of the argument (argN_64), on 32-bit ABIs and x32 on its low 32 bits (argN_32), and',
    '# entries whose action is the default are left out.',
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

function entryComment(entry: OciSyscallEntry): string {
  return entry.comment ? `# syscalls[${entry.index}]: ${entry.comment.replace(/\s+/g, ' ')}` : `# syscalls[${entry.index}]`;
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

/** Arguments by number (`arg2_64`): a profile's rules apply to every syscall they name. */
const BY_NUMBER: OperandStyle = { operand: operandText, bits: (operand) => operand };

function operandText(operand: { arg: { index: number; width: number }; mask?: bigint }): string {
  const name = `arg${operand.arg.index}_${operand.arg.width === 32 ? 32 : 64}`;
  return operand.mask === undefined ? name : `(${name} & 0x${operand.mask.toString(16)})`;
}
