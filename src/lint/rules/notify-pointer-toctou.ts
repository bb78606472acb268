// `notify` on a syscall with pointer arguments, without a note that the supervisor re-reads and
// copies the memory. The target's memory can change between the supervisor's check and the
// kernel's use (time of check / time of use): a supervisor must read /proc/PID/mem, check
// SECCOMP_IOCTL_NOTIF_ID_VALID, copy what it decides on, and never answer CONTINUE for a security
// decision (seccomp_unotify(2), "Caveats"; docs/user-notification.md). The note is a comment
// right above the rule or on its line (a profile entry's `comment`) that mentions TOCTOU,
// time-of-check, re-checking or re-reading, NOTIF_ID_VALID or /proc/PID/mem.
import type { CheckedRule } from '../../check/checked.ts';
import type { Span } from '../../diagnostics/source.ts';
import { TOCTOU_NOTE } from '../data/notify.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { joinList } from './helpers.ts';

export const notifyPointerToctou: LintRule = {
  id: 'notify-pointer-toctou',
  category: 'compatibility',
  defaultSeverity: 'warning',
  summary: '`notify` on a syscall with pointer arguments, without a comment saying how the supervisor deals with memory that changes after its check.',
  check(context) {
    const groups = new Map<Span, CheckedRule[]>();
    for (const rule of context.policy?.rules ?? []) {
      if (rule.action.kind !== 'notify' || !rule.syscall.args.some((a) => a.pointer)) continue;
      if (TOCTOU_NOTE.test(context.noteFor(rule))) continue;
      const span = context.actionSpan(rule);
      groups.set(span, [...(groups.get(span) ?? []), rule]);
    }
    const findings: RuleFinding[] = [];
    for (const [span, rules] of groups) {
      const described = joinList(rules.map((r) => `\`${r.syscall.name}\` (${r.syscall.args.filter((a) => a.pointer).map((a) => a.name).join(', ')})`));
      findings.push({
        message: `\`notify\` on ${described}: the supervisor reads the memory behind these pointers, which the process can change between the check and the kernel's use (time of check to time of use)`,
        span,
        hint: context.kind === 'profile'
          ? 'say in the entry\'s "comment" how the supervisor re-checks memory (copy it, check NOTIF_ID_VALID, never CONTINUE on a security decision)'
          : 'say in a comment above the rule how the supervisor re-checks memory (read /proc/PID/mem, check NOTIF_ID_VALID, copy what it decides on, never CONTINUE on a security decision); see docs/user-notification.md',
      });
    }
    return findings;
  },
};
