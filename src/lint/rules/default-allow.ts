// A deny-list: every call no rule names runs, including calls of syscalls added to the kernel
// after the policy was written (seccomp_filter.rst recommends allow-lists; so do Docker's and
// systemd's defaults).
import type { LintRule } from '../types.ts';
import { actionText } from './helpers.ts';

export const defaultAllow: LintRule = {
  id: 'default-allow',
  category: 'security',
  defaultSeverity: 'warning',
  summary: 'The default action allows (or only logs) every call no rule names: a deny-list.',
  check(context) {
    const fallback = context.specialActions.find((s) => s.kind === 'default');
    if (!fallback || (fallback.action.kind !== 'allow' && fallback.action.kind !== 'log')) return [];
    return [{
      message: `the default action is \`${actionText(fallback.action)}\`: every syscall no rule names runs, including the dangerous ones and any the kernel adds later`,
      ...(fallback.span ? { span: fallback.span } : {}),
      hint: 'prefer an allow-list: `default errno(ENOSYS)` (or kill_process) and `allow` rules for what the program needs',
    }];
  },
};
