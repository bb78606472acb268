// clone allowed with namespace flags. Found by trying calls: clone_flags made of the namespace
// flags over the flag sets the C library uses and the constants the policy's own clone rules
// compare with, checked against the policy's clone rules. Flag sets the kernel refuses anyway
// (CLONE_THREAD with CLONE_NEWUSER or CLONE_NEWPID; CLONE_FS with CLONE_NEWNS or CLONE_NEWUSER;
// kernel/fork.c, copy_process) are skipped. CLONE_NEWTIME does not fit in clone(2)'s flags (its bit
// is the exit signal's); clone3 is checked by equivalent-syscall-open.
import { CONSTANTS_X86_64 } from '../../constants/index.ts';
import { candidateValues, isAllowing, openness, verdict } from '../analysis.ts';
import { CLONE_NAMESPACE_FLAGS } from '../data/dangerous.ts';
import type { LintRule } from '../types.ts';
import { actionText, firstRuleWhere } from './helpers.ts';

// clone's flags and SIGCHLD have the same values on every target seccompile knows.
const constant = (name: string): bigint => CONSTANTS_X86_64.lookup(name)?.value ?? 0n;

const NAMESPACE_FLAGS = CLONE_NAMESPACE_FLAGS;

/** Flag sets of real clone calls: glibc's fork, pthread_create and posix_spawn (vfork-like). */
const BASES = [
  0n,
  constant('SIGCHLD'),
  constant('CLONE_CHILD_SETTID') | constant('CLONE_CHILD_CLEARTID') | constant('SIGCHLD'),
  constant('CLONE_VM') | constant('CLONE_FS') | constant('CLONE_FILES') | constant('CLONE_SIGHAND') | constant('CLONE_THREAD') | constant('CLONE_SYSVSEM') | constant('CLONE_SETTLS') | constant('CLONE_PARENT_SETTID') | constant('CLONE_CHILD_CLEARTID'),
  constant('CLONE_VM') | constant('CLONE_VFORK') | constant('SIGCHLD'),
];

/** Flag sets copy_process refuses with EINVAL whatever the filter says. */
function kernelRefuses(flags: bigint): boolean {
  const has = (name: string): boolean => (flags & constant(name)) !== 0n;
  if (has('CLONE_THREAD') && (has('CLONE_NEWUSER') || has('CLONE_NEWPID'))) return true;
  if (has('CLONE_FS') && (has('CLONE_NEWNS') || has('CLONE_NEWUSER'))) return true;
  if (has('CLONE_THREAD') && !has('CLONE_SIGHAND')) return true;
  if (has('CLONE_SIGHAND') && !has('CLONE_VM')) return true;
  return false;
}

const OTHER_FLAGS = ['CLONE_VM', 'CLONE_FS', 'CLONE_FILES', 'CLONE_SIGHAND', 'CLONE_VFORK', 'CLONE_THREAD', 'CLONE_SYSVSEM', 'CLONE_SETTLS', 'CLONE_PARENT_SETTID', 'CLONE_CHILD_CLEARTID', 'CLONE_CHILD_SETTID'];

/** `CLONE_NEWUSER|CLONE_CHILD_SETTID|SIGCHLD`. */
function flagNames(flags: bigint): string {
  const names = [...NAMESPACE_FLAGS, ...OTHER_FLAGS].filter((n) => (flags & constant(n)) !== 0n);
  let rest = flags & ~[...NAMESPACE_FLAGS, ...OTHER_FLAGS].reduce((m, n) => m | constant(n), 0n);
  if ((rest & 0xffn) === constant('SIGCHLD')) {
    names.push('SIGCHLD');
    rest &= ~0xffn;
  }
  if (rest !== 0n || names.length === 0) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

export const cloneNamespaces: LintRule = {
  id: 'clone-namespaces',
  category: 'security',
  defaultSeverity: 'error',
  summary: 'clone is allowed with namespace flags (CLONE_NEWUSER, CLONE_NEWNS, …).',
  check(context) {
    const { ir } = context;
    const clone = context.arch.syscalls.byName('clone');
    if (!ir || !clone || openness(ir, clone.nr) === 'refused') return [];
    const namespaces = NAMESPACE_FLAGS.map(constant);
    const all = namespaces.reduce((a, b) => a | b, 0n);
    const bases = new Set([...BASES, ...candidateValues(ir, clone.nr, 0)]);
    // the other arguments: all zero, then each value the rules compare one of them with
    const tails: bigint[][] = [[0n, 0n, 0n, 0n]];
    [1, 2, 3, 4].forEach((index, i) => {
      for (const value of candidateValues(ir, clone.nr, index).slice(0, 8)) {
        const tail = [0n, 0n, 0n, 0n];
        tail[i] = value;
        tails.push(tail);
      }
    });
    const allowed = new Set<bigint>();
    let witness: { flags: bigint; action: string } | undefined;
    for (const base of bases) {
      for (const ns of [...namespaces, all]) {
        const flags = base | ns;
        if (allowed.has(ns) || kernelRefuses(flags)) continue;
        for (const tail of tails) {
          const result = verdict(ir, clone.nr, [flags, ...tail]);
          if (!isAllowing(result.action)) continue;
          allowed.add(ns);
          witness ??= { flags, action: actionText(result.action) };
          break;
        }
      }
    }
    if (!witness) return [];
    const rule = firstRuleWhere(context, clone.nr, (r) => isAllowing(r.action));
    const fallback = context.specialActions.find((s) => s.kind === 'default')?.span;
    const span = rule?.syscallSpan ?? fallback;
    const flags = namespaces.filter((ns) => allowed.has(ns)).map((ns) => flagNames(ns));
    if (flags.length === 0) flags.push('all of them together');
    return [{
      message: `\`clone\` is allowed with namespace flags (${flags.join(', ')}): for example clone_flags=${flagNames(witness.flags)} gets ${witness.action}`,
      ...(span ? { span } : {}),
      hint: 'add `and not (clone_flags & (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET))` to the rules that allow clone (for profiles: SCMP_CMP_MASKED_EQ with mask 0x7e020000 and value 0)',
    }];
  },
};
