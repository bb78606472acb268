// `trace` hands the call to a ptrace tracer (PTRACE_O_TRACESECCOMP); with no tracer attached the
// call fails with ENOSYS (seccomp(2), SECCOMP_RET_TRACE: "If there is no tracer present, the
// system call is not executed and returns a failure status with errno set to ENOSYS").
import type { Span } from '../../diagnostics/source.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { actionText } from './helpers.ts';

export const traceWithoutTracer: LintRule = {
  id: 'trace-without-tracer',
  category: 'compatibility',
  defaultSeverity: 'warning',
  summary: '`trace` (SCMP_ACT_TRACE): without a ptrace tracer attached, the call fails with ENOSYS.',
  check(context) {
    const findings: RuleFinding[] = [];
    const seen = new Set<Span>();
    const message = (action: string): string => `\`${action}\` hands the call to a ptrace tracer; when none is attached (with PTRACE_O_TRACESECCOMP) the call fails with ENOSYS`;
    const hint = 'make sure a tracer is always attached, or use `errno(ENOSYS)` (or `notify`, with a supervisor) to say what you mean';
    for (const special of context.specialActions) {
      if (special.action.kind !== 'trace' || !special.span) continue;
      seen.add(special.span);
      findings.push({ message: `\`${special.kind}\`: ${message(actionText(special.action))}`, span: special.span, hint });
    }
    for (const rule of context.policy?.rules ?? []) {
      if (rule.action.kind !== 'trace') continue;
      const span = context.actionSpan(rule);
      if (seen.has(span)) continue;
      seen.add(span);
      findings.push({ message: message(actionText(rule.action)), span, hint });
    }
    return findings;
  },
};
