// Small things several rules share: wording, and the spans of syscalls in rules.
import type { CheckedRule } from '../../check/checked.ts';
import { errnoName } from '../../constants/index.ts';
import type { Span } from '../../diagnostics/source.ts';
import { formatAction, type Action } from '../../seccomp/action.ts';
import { checkedRules } from '../analysis.ts';
import type { LintContext } from '../types.ts';

/** `errno(EPERM)`, `kill_process`…, as the policy language writes it. */
export function actionText(action: Action): string {
  return formatAction(action, errnoName);
}

/** `a`, `a and b`, `a, b and c`, cut after `max` items. */
export function joinList(items: readonly string[], max = 12): string {
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Names backquoted and joined: `a`, `b` and `c`. */
export function nameList(names: readonly string[], max = 12): string {
  return joinList(names.map((n) => `\`${n}\``), max);
}

/** The first rule of a syscall whose action the predicate accepts. */
export function firstRuleWhere(context: LintContext, nr: number, accepts: (rule: CheckedRule) => boolean): CheckedRule | undefined {
  return context.policy ? checkedRules(context.policy, nr).find(accepts) : undefined;
}

/** Where the default action is written (or the start of the input). */
export function defaultSpan(context: LintContext): Span | undefined {
  return context.specialActions.find((s) => s.kind === 'default')?.span ?? context.policy?.defaultSpan;
}
