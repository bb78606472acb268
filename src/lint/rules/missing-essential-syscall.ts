// An allow-list that never lets a program exit or return from a signal handler. Every program ends
// with exit_group (glibc's _exit tries exit_group, then exit, then crashes on purpose); every signal
// handler returns through rt_sigreturn, which the C library's restorer calls (sigreturn(2)).
import { isAllowing, mayRun, reachableActions } from '../analysis.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { actionText, defaultSpan, firstRuleWhere } from './helpers.ts';

const ESSENTIAL: Readonly<Record<string, string>> = {
  exit_group: 'every program exits with it (glibc\'s exit and _exit): refused, _exit falls back to `exit`, which ends only the calling thread, and crashes if that fails too; killed, the process loses its exit status',
  rt_sigreturn: 'every signal handler returns through it: refused, the first handled signal crashes the program',
};

export const missingEssentialSyscall: LintRule = {
  id: 'missing-essential-syscall',
  category: 'compatibility',
  defaultSeverity: 'error',
  summary: 'An allow-list that refuses exit_group or rt_sigreturn, which every program needs.',
  check(context) {
    const { ir } = context;
    if (!ir || isAllowing(ir.defaultAction)) return [];
    const findings: RuleFinding[] = [];
    for (const [name, why] of Object.entries(ESSENTIAL)) {
      const syscall = context.arch.syscalls.byName(name);
      if (!syscall) continue;
      const actions = reachableActions(ir, syscall.nr);
      if (actions.some(mayRun)) continue;
      const rule = firstRuleWhere(context, syscall.nr, () => true);
      const span = rule?.syscallSpan ?? defaultSpan(context);
      findings.push({
        message: `\`${name}\` is never allowed (${rule ? `\`${actionText(rule.action)}\`` : `the default, \`${actionText(ir.defaultAction)}\``}): ${why}`,
        ...(span ? { span } : {}),
        hint: `add \`allow ${name}\``,
      });
    }
    return findings;
  },
};
