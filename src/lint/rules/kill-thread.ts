// kill_thread (SCMP_ACT_KILL / SCMP_ACT_KILL_THREAD in profiles) kills only the calling thread:
// the other threads go on, possibly holding locks the dead thread took, or waiting forever for it.
// seccomp(2): with SECCOMP_RET_KILL_THREAD the other threads go on running; SECCOMP_RET_KILL_PROCESS
// (Linux 4.14) was added for this, and libseccomp gained SCMP_ACT_KILL_PROCESS.
import type { Span } from '../../diagnostics/source.ts';
import type { LintRule, RuleFinding } from '../types.ts';

export const killThread: LintRule = {
  id: 'kill-thread',
  category: 'security',
  defaultSeverity: 'warning',
  summary: '`kill_thread` (SCMP_ACT_KILL in profiles) where `kill_process` is safer.',
  check(context) {
    const findings: RuleFinding[] = [];
    const seen = new Set<Span>();
    const hint = context.kind === 'profile'
      ? 'use SCMP_ACT_KILL_PROCESS (SCMP_ACT_KILL is libseccomp\'s name for killing the thread)'
      : 'use `kill_process` (or `kill`), which kills every thread of the process (Linux 4.14 or later)';
    const message = 'kill_thread kills only the calling thread: the rest of the process runs on, possibly holding locks the killed thread took or waiting for it forever';
    for (const special of context.specialActions) {
      if (special.action.kind !== 'kill_thread' || !special.span) continue;
      seen.add(special.span);
      findings.push({ message: `\`${special.kind}\`: ${message}`, span: special.span, hint });
    }
    for (const rule of context.policy?.rules ?? []) {
      if (rule.action.kind !== 'kill_thread') continue;
      const span = context.actionSpan(rule);
      if (seen.has(span)) continue;
      seen.add(span);
      findings.push({ message, span, hint });
    }
    return findings;
  },
};
