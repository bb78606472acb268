// A syscall named twice in one list: in a rule (compiler SC3003), or in a profile entry's names.
import type { LintRule, RuleFinding } from '../types.ts';

export const duplicateSyscall: LintRule = {
  id: 'duplicate-syscall',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: 'A syscall listed twice in the same rule or profile entry.',
  compilerCodes: ['SC3003'],
  check(context) {
    if (context.kind !== 'profile' || !context.profile) return [];
    const findings: RuleFinding[] = [];
    for (const entry of context.profile.syscalls) {
      const seen = new Map<string, (typeof entry.names)[number]>();
      for (const name of entry.names) {
        const first = seen.get(name.value);
        if (!first) {
          seen.set(name.value, name);
          continue;
        }
        findings.push({
          message: `\`${name.value}\` is listed twice in syscalls[${entry.index}].names`,
          span: name.span,
          hint: 'remove the second one',
          related: [{ message: 'first listed here', span: first.span }],
        });
      }
    }
    return findings;
  },
};
