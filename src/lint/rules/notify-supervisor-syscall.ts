// `notify` on calls that must not wait for the supervisor (the list and its sources are in
// ../data/notify.ts): the process hands its listener to the supervisor, exits or returns from
// signals with them, and a supervisor thread in the same process makes them. Waiting on the
// supervisor there deadlocks; with no listener they fail with ENOSYS.
import { SUPERVISOR_SYSCALLS } from '../data/notify.ts';
import type { LintRule, RuleFinding } from '../types.ts';

export const notifySupervisorSyscall: LintRule = {
  id: 'notify-supervisor-syscall',
  category: 'compatibility',
  defaultSeverity: 'warning',
  summary: '`notify` on a syscall the supervised process or its supervisor must make themselves (write, sendmsg, ioctl, exit_group, …).',
  check(context) {
    const findings: RuleFinding[] = [];
    const fallback = context.specialActions.find((s) => s.kind === 'default');
    if (fallback?.action.kind === 'notify') {
      findings.push({
        message: 'the default action is `notify`: every call no rule names, exit_group, write and the supervisor\'s own calls among them, waits for the supervisor',
        ...(fallback.span ? { span: fallback.span } : {}),
        hint: 'notify only the calls the supervisor decides on, and allow the rest',
      });
    }
    const seen = new Set<string>();
    for (const rule of context.policy?.rules ?? []) {
      const why = SUPERVISOR_SYSCALLS[rule.syscall.name];
      if (rule.action.kind !== 'notify' || !why || seen.has(rule.syscall.name)) continue;
      seen.add(rule.syscall.name);
      findings.push({
        message: `\`notify\` on \`${rule.syscall.name}\`: ${why}; waiting for the supervisor there deadlocks (and without a listener the call fails with ENOSYS)`,
        span: rule.syscallSpan,
        hint: `allow \`${rule.syscall.name}\` (restrict it with a condition if needed) instead of sending it to the supervisor`,
      });
    }
    return findings;
  },
};
