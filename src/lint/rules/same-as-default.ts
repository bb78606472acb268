// A rule whose action is the default action changes nothing, unless a later rule for the same
// syscall has another action (then it carves out exceptions). For profiles the importer reports
// entries with the default action (runc skips them: SC7006 on the entry's action).
import type { CheckedRule } from '../../check/checked.ts';
import type { Span } from '../../diagnostics/source.ts';
import { actionsEqual } from '../../seccomp/action.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { actionText, nameList } from './helpers.ts';

export const sameAsDefault: LintRule = {
  id: 'same-as-default',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: 'A rule (or profile entry) whose action is the default action: it changes nothing.',
  compilerCodes: ['SC7006'],
  acceptsDiagnostic(diagnostic, context) {
    // Only the importer's note on an entry's action ("has the default action: runc skips it").
    if (context.kind !== 'profile' || !diagnostic.span) return false;
    return (context.profile?.syscalls ?? []).some((entry) => entry.action.span.start === diagnostic.span!.start && entry.action.span.file === diagnostic.span!.file);
  },
  check(context) {
    const { policy } = context;
    if (context.kind !== 'policy' || !policy) return [];
    // Rules the compiler already reports as never applying are left to unreachable-rule.
    const unreachable = new Set(context.diagnostics.filter((d) => d.code === 'SC3004' && d.span).map((d) => `${d.span!.file.path}:${d.span!.start}`));
    const redundant = new Map<Span, { rule: CheckedRule; all: number; names: string[] }>();
    const perStatement = new Map<Span, number>();
    for (const rule of policy.rules) perStatement.set(rule.span, (perStatement.get(rule.span) ?? 0) + 1);
    policy.rules.forEach((rule, index) => {
      if (!actionsEqual(rule.action, policy.defaultAction)) return;
      if (unreachable.has(`${rule.syscallSpan.file.path}:${rule.syscallSpan.start}`)) return;
      const later = policy.rules.slice(index + 1).filter((r) => r.syscall.nr === rule.syscall.nr);
      if (later.some((r) => !actionsEqual(r.action, policy.defaultAction))) return;
      const group = redundant.get(rule.span) ?? { rule, all: perStatement.get(rule.span) ?? 1, names: [] };
      group.names.push(rule.syscall.name);
      redundant.set(rule.span, group);
    });
    const findings: RuleFinding[] = [];
    for (const { rule, all, names } of redundant.values()) {
      const action = actionText(policy.defaultAction);
      const whole = names.length === all;
      findings.push({
        message: `this rule ${whole ? `(${nameList(names)})` : `for ${nameList(names)}`} has the default action, \`${action}\`: it changes nothing`,
        span: whole ? context.actionSpan(rule) : policy.rules.find((r) => r.span === rule.span && r.syscall.name === names[0])!.syscallSpan,
        hint: whole ? 'remove it, or suppress this finding with a reason if it documents intent' : `remove ${nameList(names)} from it`,
      });
    }
    return findings;
  },
};
