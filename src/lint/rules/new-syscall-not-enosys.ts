// Refusing a syscall the C library may probe with an errno other than ENOSYS. glibc (and musl,
// Go, Rust's std) try new syscalls first and fall back to the old ones only on ENOSYS: glibc 2.34
// uses clone3 for pthread_create and fork, 2.33 faccessat2, and a profile that answered EPERM
// broke them (moby#42680, moby#42731; runc answers ENOSYS for syscalls newer than any a profile
// names, libcontainer/seccomp/patchbpf, for this reason). Reported: errno(E ≠ ENOSYS) for clone3;
// unconditional errno(E ≠ ENOSYS) for a syscall newer than every syscall the policy allows, unless
// it needs privileges (the dangerous-syscall table: the kernel itself answers EPERM to unprivileged
// callers, so they handle it); and, in a policy (runtimes patch profiles themselves), a default
// errno(E ≠ ENOSYS).
import { errnoValue } from '../../constants/index.ts';
import type { CheckedRule } from '../../check/checked.ts';
import type { Span } from '../../diagnostics/source.ts';
import { isAllowing, reachableActions } from '../analysis.ts';
import type { Arch } from '../../arch/arch.ts';
import { DANGEROUS_SYSCALLS } from '../data/dangerous.ts';
import { compareKernel, formatKernelVersion } from '../../seccomp/kernel-version.ts';
import { syscallIntroduced } from '../../syscalls/versions.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { actionText, joinList } from './helpers.ts';

const ENOSYS = errnoValue('ENOSYS') ?? 38;
const OLD: readonly [number, number] = [3, 0];

const introduced = (name: string, arch: Arch): readonly [number, number] => syscallIntroduced(name, arch)?.version ?? OLD;
const linux = (version: readonly [number, number]): string => (compareKernel(version, OLD) <= 0 ? 'Linux 3.0 or earlier' : `Linux ${formatKernelVersion(version)}`);

export const newSyscallNotEnosys: LintRule = {
  id: 'new-syscall-not-enosys',
  category: 'compatibility',
  defaultSeverity: 'warning',
  summary: 'EPERM (or another errno than ENOSYS) for clone3 or for syscalls newer than the policy\'s others: C libraries fall back to older calls only on ENOSYS.',
  check(context) {
    const { ir, policy } = context;
    if (!ir || !policy) return [];
    const defaultAllows = isAllowing(ir.defaultAction);
    // The newest syscall the policy allows (for some calls).
    let newest: { name: string; version: readonly [number, number] } | undefined;
    for (const decision of ir.syscalls) {
      if (!reachableActions(ir, decision.nr).some(isAllowing)) continue;
      const name = context.arch.syscalls.byNumber(decision.nr)?.name ?? decision.name;
      const version = introduced(name, context.arch);
      if (!newest || compareKernel(version, newest.version) > 0) newest = { name, version };
    }
    const byStatement = new Map<Span, { rules: CheckedRule[]; clone3: boolean }>();
    for (const rule of policy.rules) {
      if (rule.action.kind !== 'errno' || rule.action.errno === ENOSYS) continue;
      const isClone3 = rule.syscall.name === 'clone3';
      // Syscalls that need privileges answer EPERM to unprivileged callers anyway: callers handle it.
      const privileged = rule.syscall.name in DANGEROUS_SYSCALLS;
      const newer = !defaultAllows && !privileged && !rule.condition && compareKernel(introduced(rule.syscall.name, context.arch), newest?.version ?? OLD) > 0;
      if (!isClone3 && !newer) continue;
      const span = context.actionSpan(rule);
      const group = byStatement.get(span) ?? { rules: [], clone3: false };
      group.rules.push(rule);
      group.clone3 ||= isClone3;
      byStatement.set(span, group);
    }
    const findings: RuleFinding[] = [];
    for (const [span, { rules, clone3 }] of byStatement) {
      const action = actionText(rules[0]!.action);
      const others = rules.map((r) => r.syscall.name).filter((n) => n !== 'clone3');
      const parts: string[] = [];
      if (clone3) parts.push('`clone3`: glibc 2.34 and later create threads and processes with clone3 and fall back to clone only on ENOSYS');
      if (others.length > 0) {
        const listed = joinList(others.map((n) => `\`${n}\` (${linux(introduced(n, context.arch))})`));
        const them = others.length === 1 ? 'it' : 'them';
        parts.push(`${listed} ${others.length === 1 ? 'is' : 'are'} newer than every syscall the policy allows${newest ? ` (the newest is \`${newest.name}\`, ${linux(newest.version)})` : ''}, and programs that probe ${them} fall back to older calls only on ENOSYS`);
      }
      const count = rules.length;
      findings.push({
        message: `\`${action}\` for ${count === 1 ? 'a syscall' : `${count} syscalls`} a C library may probe: ${parts.join('; ')}`,
        span,
        hint: `refuse ${count === 1 ? 'it' : 'them'} with \`errno(ENOSYS)\`, as a kernel without ${count === 1 ? 'it' : 'them'} would`,
      });
    }
    const fallback = context.specialActions.find((s) => s.kind === 'default');
    // `unknown errno(ENOSYS) since X` (or rules) that give every syscall newer than the policy ENOSYS settle it.
    const unknownEnosys = policy.unknownAction?.kind === 'errno' && policy.unknownAction.errno === ENOSYS;
    const named = new Set(policy.rules.map((r) => r.syscall.nr));
    const leftToDefault = context.arch.syscalls.all().some((s) => !named.has(s.nr) && compareKernel(introduced(s.name, context.arch), newest?.version ?? OLD) > 0);
    if (context.kind === 'policy' && fallback?.action.kind === 'errno' && fallback.action.errno !== ENOSYS && !(unknownEnosys && !leftToDefault)) {
      const since = newest && compareKernel(newest.version, OLD) > 0 ? ` since ${formatKernelVersion(newest.version)}` : '';
      findings.push({
        message: `the default action is \`${actionText(fallback.action)}\`: syscalls newer than the policy${newest ? ` (after \`${newest.name}\`, ${linux(newest.version)})` : ''} get it instead of ENOSYS, and C libraries fall back to older calls only on ENOSYS (glibc 2.34's clone3, 2.33's faccessat2)`,
        ...(fallback.span ? { span: fallback.span } : {}),
        hint: `add \`unknown errno(ENOSYS)${since}\` (the syscalls newer than the policy get ENOSYS, the others keep the default), use \`default errno(ENOSYS)\`, or refuse the syscalls the program may probe with \`errno(ENOSYS)\``,
      });
    }
    return findings;
  },
};
