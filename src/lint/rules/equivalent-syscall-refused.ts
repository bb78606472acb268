// The allow-list twin of equivalent-syscall-open: a policy that refuses by default allows a syscall
// the program names (`open`, `stat`) but none of those the C library makes for it (`openat`,
// `newfstatat`), so the program's calls fail anyway. The pairs and their sources are in
// ../data/equivalents.ts.
import { isAllowing, mayRun, reachableActions } from '../analysis.ts';
import { LIBRARY_EQUIVALENCES } from '../data/equivalents.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { firstRuleWhere } from './helpers.ts';

export const equivalentSyscallRefused: LintRule = {
  id: 'equivalent-syscall-refused',
  category: 'compatibility',
  defaultSeverity: 'warning',
  summary: 'An allow-list allows a syscall (open, stat, fstat…) but not the one the C library makes for it (openat, newfstatat…): the program\'s calls still fail.',
  check(context) {
    const { ir } = context;
    if (!ir || isAllowing(ir.defaultAction)) return [];
    const runs = (name: string): boolean => {
      const syscall = context.arch.syscalls.byName(name);
      return syscall !== undefined && reachableActions(ir, syscall.nr).some(mayRun);
    };
    const findings: RuleFinding[] = [];
    for (const { named, calls, why } of LIBRARY_EQUIVALENCES) {
      const syscall = context.arch.syscalls.byName(named);
      if (!syscall || !runs(named) || calls.some(runs)) continue;
      const rule = firstRuleWhere(context, syscall.nr, (r) => mayRun(r.action));
      findings.push({
        message: `\`${named}\` is allowed, but ${calls.map((c) => `\`${c}\``).join(' or ')} ${calls.length === 1 ? 'is' : 'are'} not: ${why}, so the program's calls fail`,
        ...(rule ? { span: rule.syscallSpan } : {}),
        hint: `allow \`${calls[0]}\` too, with the same conditions (its arguments are numbered differently: compare them by name)`,
      });
    }
    return findings;
  },
};
