// A learned run written as policy text: a new policy, or a section appended to an existing one
// (`--merge`); and the run's syscall frequencies as a profile (`--profile`).
// learn traces processes of this machine, whose calls it records by x86-64's table.
import type { Arch } from '../arch/arch.ts';
import { archByName } from '../arch/index.ts';
import { X86_64 } from '../arch/x86_64.ts';
import { X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import type { CheckedPolicy } from '../check/checked.ts';
import { CLONE_NAMESPACE_FLAGS, DANGEROUS_SYSCALLS } from '../lint/data/dangerous.ts';
import { LIBRARY_EQUIVALENCES } from '../lint/data/equivalents.ts';
import { learnedCondition } from './args.ts';
import { topicOf, topicOrder } from './topics.ts';
import { coveringGroups, groupSyscalls } from '../syscalls/groups.ts';
import type { CallAbi, LearnedRun } from './records.ts';

export interface LearnedPolicyOptions {
  /** The default action, as policy text (`errno(EPERM)`, `kill_process`, …). */
  readonly defaultAction: string;
  /** Write conditions on the recorded argument values (`--args`). */
  readonly args: boolean;
  /** The command that ran, for the header. */
  readonly command: readonly string[];
  readonly version: string;
  /** Said in the header (and on stderr by the CLI): a setuid program that ran without privileges… */
  readonly warnings?: readonly string[];
  /** Write systemd's groups the run used fully as `allow @group` (`--groups`). */
  readonly groups?: boolean;
}

interface LearnedRule {
  readonly name: string;
  readonly count: number;
  readonly text: string;
  readonly note?: string;
  /** Left to the default action, which does what the rule would: written as a comment only. */
  readonly byDefault?: true;
  /** A lint finding the rule triggers on purpose, and why: written as a suppression above it. */
  readonly suppress?: { readonly rule: string; readonly reason: string };
}

const ABI_WORDS: Readonly<Record<Exclude<CallAbi, 'x86_64'>, string>> = {
  x32: 'through the x32 ABI',
  i386: 'through the i386 ABI, `int $0x80`',
  other: 'of another architecture (they get the `foreign_arch` action)',
};

/** The ABIs whose calls become rules of their own, in an `arch` block for a multi-ABI filter. */
const SECTION_ABIS: readonly ('i386' | 'x32')[] = ['i386', 'x32'];

/** Text safe inside a `#` comment: one line, control characters escaped. */
function commentSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A command line as a shell would need it, for reading (comments only). */
export function shellQuote(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function syscallName(nr: number): string {
  return X86_64.syscalls.byNumber(nr)?.name ?? String(nr);
}

/**
 * Allowed in every learned policy, seen or not: a run that happened to handle no signal or to end
 * by exec still needs them (lint's missing-essential-syscall).
 */
const ESSENTIAL: Readonly<Record<string, string>> = {
  exit_group: 'not seen in this run; every program exits with it',
  rt_sigreturn: 'not seen in this run; every signal handler returns through it, so without it the first handled signal crashes the program',
};

const ENOSYS = 38;
const CLONE = X86_64.syscalls.byName('clone')!.nr;
const CLONE3 = X86_64.syscalls.byName('clone3')!.nr;

/**
 * clone3 passes its flags in memory, which no filter (and no learn run) can read: it is refused as
 * a kernel without clone3 would refuse it, with ENOSYS, so the C library creates the process or
 * thread with clone, whose flags the filter checks. clone then takes whatever flags clone3's calls
 * had, which no run recorded: it is allowed with any flags but those that create namespaces.
 */
function clone3Rules(run: LearnedRun, numbers: readonly number[], enosysDefault: boolean): Map<number, LearnedRule> {
  const rules = new Map<number, LearnedRule>();
  if (!numbers.includes(CLONE3)) return rules;
  const calls = run.counts.get(CLONE3) ?? 0;
  const why = 'its flags are in memory no filter can read: refused as an older kernel would, so the C library falls back to clone';
  rules.set(CLONE3, enosysDefault
    ? { name: 'clone3', count: calls, text: 'clone3', byDefault: true, note: `left to the default, errno(ENOSYS): ${why}` }
    : { name: 'clone3', count: calls, text: 'errno(ENOSYS) clone3', note: why });
  const namespaces = `not (clone_flags & (${CLONE_NAMESPACE_FLAGS.join(' | ')}))`;
  rules.set(CLONE, { name: 'clone', count: run.counts.get(CLONE) ?? 0, text: `allow clone if ${namespaces}`, note: `also clone3's ${plural(calls, 'call')}, with flags no run can record: any but namespace flags` });
  return rules;
}

/** One rule per syscall, with the condition learn writes for it (all tracked arguments with --args). */
function rulesFor(run: LearnedRun, numbers: readonly number[], args: boolean, enosysDefault: boolean): LearnedRule[] {
  const special = clone3Rules(run, numbers, enosysDefault);
  return numbers.map((nr) => {
    const name = syscallName(nr);
    const fixed = special.get(nr);
    if (fixed) return fixed;
    const count = run.counts.get(nr) ?? 0;
    if (count === 0 && ESSENTIAL[name]) return { name, count, text: `allow ${name}`, note: ESSENTIAL[name] };
    const condition = learnedCondition(run, nr, args);
    const danger = DANGEROUS_SYSCALLS[name];
    const known = X86_64.syscalls.byNumber(nr) !== undefined;
    const note = [known ? undefined : 'not in seccompile\'s syscall table', condition?.note].filter((n) => n !== undefined).join('; ');
    // A dangerous syscall the run made whose arguments learn cannot narrow: allowed, and the policy
    // says why lint's finding is expected, so that a reviewer sees it.
    // A program that makes `fstat` itself (an old or static C library) and never `newfstatat`: lint
    // expects the C library's call, but this run shows the program's own.
    const library = LIBRARY_EQUIVALENCES.find((e) => e.named === name && !e.calls.some((c) => numbers.includes(X86_64.syscalls.byName(c)?.nr ?? -1)));
    const suppress = danger && !condition?.text ? { rule: 'dangerous-syscall', reason: `the learned run made ${plural(count, 'call')}; review: it ${danger.reason}` }
      : library ? { rule: 'equivalent-syscall-refused', reason: `the learned run made ${plural(count, 'call')} of \`${name}\` itself` } : undefined;
    return { name, count, text: condition?.text ? `allow ${name} if ${condition.text}` : `allow ${name}`, ...(note ? { note } : {}), ...(suppress ? { suppress } : {}) };
  });
}

/**
 * With `--groups`, systemd's groups whose every x86-64 member the run allowed outright come first
 * (`allow @basic-io  # 120 calls`), and their members' own rules are left out; the rest as usual.
 */
function withGroups(rules: readonly LearnedRule[], groups: boolean): string[] {
  if (!groups) return rulesByTopic(rules);
  const plain = rules.filter((r) => r.text === `allow ${r.name}` && !r.suppress && !r.byDefault);
  const { groups: used, rest } = coveringGroups(plain.map((r) => r.name), [X86_64]);
  if (used.length === 0) return rulesByTopic(rules);
  const uncovered = new Set(rest);
  const covered = new Set(plain.map((r) => r.name).filter((n) => !uncovered.has(n)));
  const counts = new Map(rules.map((r) => [r.name, r.count]));
  const lines = ['# systemd\'s syscall groups the run used fully (`seccompile groups NAME` lists each)'];
  for (const group of used) {
    const members = groupSyscalls(group)!.filter((m) => X86_64.syscalls.byName(m));
    const calls = members.reduce((sum, m) => sum + (counts.get(m) ?? 0), 0);
    lines.push(`allow @${group}  # ${plural(calls, 'call')} of ${plural(members.length, 'syscall')}`);
  }
  return [...lines, '', ...rulesByTopic(rules.filter((r) => !covered.has(r.name)))];
}

/** The rules under topic headings, sorted by name within each topic, with aligned counts. */
function rulesByTopic(rules: readonly LearnedRule[]): string[] {
  const out: string[] = [];
  const byTopic = new Map<string, LearnedRule[]>();
  for (const rule of rules) {
    const title = topicOf(rule.name);
    const list = byTopic.get(title);
    if (list) list.push(rule);
    else byTopic.set(title, [rule]);
  }
  for (const title of topicOrder()) {
    const list = byTopic.get(title);
    if (!list) continue;
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const width = Math.min(32, Math.max(...list.map((r) => r.text.length)));
    if (out.length > 0) out.push('');
    out.push(`# ${title}`);
    for (const rule of list) {
      if (rule.suppress) out.push(`# seccompile-disable-next-line ${rule.suppress.rule}: ${commentSafe(rule.suppress.reason)}`);
      const counted = `${plural(rule.count, 'call')}${rule.note ? `; ${rule.note}` : ''}`;
      out.push(rule.byDefault ? `# ${rule.text}: ${counted}` : `${rule.text.padEnd(width)}  # ${counted}`);
    }
  }
  return out;
}

/** The header lines describing the run. */
function runSummary(run: LearnedRun, command: readonly string[]): string[] {
  const lines = [`#   ${commentSafe(shellQuote(command))}`];
  const programs = run.programs.filter((p) => p !== '');
  if (programs.length > 0) lines.push(`# Programs executed: ${commentSafe(programs.join(', '))}`);
  const ending = run.timedOut ? 'was stopped by --timeout' : run.exit === undefined ? 'did not report its end' : 'code' in run.exit ? `exited with status ${run.exit.code}` : `was killed by signal ${run.exit.signal}`;
  lines.push(`# ${plural(run.calls, 'system call')} of ${plural(run.counts.size, 'kind')}, from ${plural(run.processes, 'process', 'processes')} and ${plural(run.threads, 'thread')}; the command ${ending}.`);
  for (const [abi, counts] of run.foreign) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const numbers = [...counts.keys()].sort((a, b) => a - b).join(', ');
    const allowed = abi === 'other' ? 'No rule can allow them.' : `The \`arch ${abi}\` block at the end allows them in a filter compiled with \`--arch x86_64,${abi}\`; a filter for x86_64 alone gives them the \`${abi === 'x32' ? 'x32' : 'foreign_arch'}\` action.`;
    lines.push(`# Also ${plural(total, 'call')} ${ABI_WORDS[abi]}: numbers ${numbers}. ${allowed}`);
  }
  return lines;
}

function sortedNumbers(run: LearnedRun): number[] {
  return [...run.counts.keys()].sort((a, b) => a - b);
}

/** The syscalls seen, and clone when clone3 was (its fallback), and the essential ones. */
function withEssentials(run: LearnedRun, numbers: readonly number[]): number[] {
  const all = new Set(numbers);
  if (all.has(CLONE3)) all.add(CLONE);
  for (const name of Object.keys(ESSENTIAL)) all.add(X86_64.syscalls.byName(name)!.nr);
  return [...all].sort((a, b) => a - b);
}

/** A new policy allowing exactly the syscalls the run made. */
export function learnedPolicy(run: LearnedRun, options: LearnedPolicyOptions): string {
  const lines = [
    `# Learned by \`seccompile learn\` (seccompile ${options.version}) from one run of:`,
    ...runSummary(run, options.command),
    '#',
    '# It allows what that run did and nothing else: another run (other options, inputs, files,',
    '# environment, errors, a newer C library) may need more. Review it before use (docs/learn.md).',
    ...(options.warnings ?? []).map((w) => `# Warning: ${commentSafe(w)}`),
    '',
    `default ${options.defaultAction}`,
    '',
    ...withGroups(rulesFor(run, withEssentials(run, sortedNumbers(run)), options.args, /^errno\(\s*(ENOSYS|38)\s*\)$/.test(options.defaultAction.trim())), options.groups === true),
    ...sectionBlocks(run),
  ];
  return `${lines.join('\n')}\n`;
}

/** Each other ABI the run made calls through: its arch, and the calls' numbers as that ABI's filter sees them. */
function sectionCalls(run: LearnedRun): { abi: 'i386' | 'x32'; arch: Arch; numbers: number[]; name: (nr: number) => string }[] {
  return SECTION_ABIS.flatMap((abi) => {
    const counts = run.foreign.get(abi);
    if (!counts || counts.size === 0) return [];
    const arch = archByName(abi)!;
    const bit = abi === 'x32' ? X32_SYSCALL_BIT : 0;
    const numbers = [...counts.keys()].sort((a, b) => a - b).map((nr) => (nr | bit) >>> 0);
    return [{ abi, arch, numbers, name: (nr: number): string => arch.syscalls.byNumber(nr)?.name ?? String(nr) }];
  });
}

/**
 * The calls of the i386 and x32 ABIs, by those ABIs' names, each in an `arch` block: rules of
 * their own in a filter compiled for x86_64 and that ABI (`--arch x86_64,i386`), and nothing in a
 * filter for x86_64 alone.
 */
function sectionBlocks(run: LearnedRun): string[] {
  return sectionCalls(run).flatMap(({ abi, arch, numbers, name }) => ['', `# Calls through the ${arch.title} ABI (compile with --arch x86_64,${abi} to let them run).`, `arch ${abi} {`, `  allow ${numbers.map(name).join(', ')}`, '}']);
}

/**
 * For --merge: each ABI's calls the existing policy's section for that ABI has no rule for, in an
 * `arch` block (what its rules decide, and what its default lets run, is left alone and listed).
 */
function mergedSectionBlocks(run: LearnedRun, sections: ReadonlyMap<string, CheckedPolicy>, defaultRuns: boolean): string[] {
  const out: string[] = [];
  for (const { abi, arch, numbers, name } of sectionCalls(run)) {
    const ruled = new Set(sections.get(abi)?.rules.map((r) => r.syscall.nr) ?? []);
    const left = numbers.filter((nr) => ruled.has(nr));
    const open = numbers.filter((nr) => !ruled.has(nr));
    out.push('', `# Calls through the ${arch.title} ABI (a filter compiled with --arch x86_64,${abi} applies the block).`);
    if (left.length > 0) out.push(`# Left to the rules for ${arch.title}: ${left.map(name).join(', ')}.`);
    if (defaultRuns) out.push(`# Already run by the default action: ${open.map(name).join(', ') || 'none'}.`);
    else if (open.length > 0) out.push(`arch ${abi} {`, `  allow ${open.map(name).join(', ')}`, '}');
  }
  return out;
}

export interface MergeResult {
  readonly text: string;
  /** Syscalls added as rules. */
  readonly added: readonly string[];
  /** Syscalls the existing policy already has rules for: left as they are. */
  readonly ruled: readonly string[];
  /** Syscalls the existing default already lets run. */
  readonly byDefault: readonly string[];
}

/**
 * Appends what the run saw to an existing policy, whose text is kept as it is. A syscall gets a
 * rule when the existing policy has none for it and its default does not let it run; syscalls it
 * already has rules for are left to those rules (they may allow some calls and refuse others on
 * purpose), and listed in the section's comment.
 */
/**
 * `sections`: the existing policy checked for x86_64 and another ABI (`--arch x86_64,i386`), that
 * ABI's section, for each ABI the run made calls through: its `arch` blocks decide those calls.
 */
export function mergeLearned(existingText: string, existing: CheckedPolicy, run: LearnedRun, options: Omit<LearnedPolicyOptions, 'defaultAction'>, sections: ReadonlyMap<string, CheckedPolicy> = new Map()): MergeResult {
  const ruledNumbers = new Set(existing.rules.map((r) => r.syscall.nr));
  const defaultRuns = existing.defaultAction.kind === 'allow' || existing.defaultAction.kind === 'log';
  const added: number[] = [];
  const ruled: string[] = [];
  const byDefault: string[] = [];
  for (const nr of sortedNumbers(run)) {
    if (ruledNumbers.has(nr)) ruled.push(syscallName(nr));
    else if (defaultRuns) byDefault.push(syscallName(nr));
    else added.push(nr);
  }
  const lines = [
    '',
    `# ---- Learned by \`seccompile learn\` (seccompile ${options.version}) from one run of: ----`,
    ...runSummary(run, options.command),
  ];
  if (ruled.length > 0) lines.push(`# Left to the rules above: ${ruled.join(', ')}.`);
  if (byDefault.length > 0) lines.push(`# Already run by the default action: ${byDefault.join(', ')}.`);
  lines.push(added.length > 0 ? `# Added: ${plural(added.length, 'syscall')} the policy did not decide.` : '# Nothing to add: the policy above decides every syscall the run made.');
  const enosysDefault = existing.defaultAction.kind === 'errno' && existing.defaultAction.errno === ENOSYS;
  if (added.length > 0) lines.push('', ...rulesByTopic(rulesFor(run, added, options.args, enosysDefault)));
  lines.push(...mergedSectionBlocks(run, sections, defaultRuns));
  lines.push('# ---- end of the learned section ----');
  const separator = existingText === '' || existingText.endsWith('\n') ? '' : '\n';
  return { text: `${existingText}${separator}${lines.join('\n')}\n`, added: added.map(syscallName), ruled, byDefault };
}

/** The run's syscall frequencies, `name<TAB>share of calls`, most frequent first. */
export function learnedProfile(run: LearnedRun): string {
  const total = [...run.counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return '';
  const rows = [...run.counts].map(([nr, count]) => ({ name: syscallName(nr), count }));
  rows.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  return rows.map((r) => `${r.name}\t${Number((r.count / total).toPrecision(6))}\n`).join('');
}
