// Actions and filter flags the target kernel does not know (--target-kernel X.Y). Versions from
// seccomp(2) and include/uapi/linux/seccomp.h (see src/seccomp/action.ts and flags.ts). Before
// 4.14 the kernel masks the action with 0x7fff0000 and treats what it does not know as
// SECCOMP_RET_KILL, which kills only the calling thread (kernel/seccomp.c, __seccomp_filter).
import type { Span } from '../../diagnostics/source.ts';
import { FLAG_MIN_KERNEL } from '../../seccomp/flags.ts';
import { actionMinKernel, type Action } from '../../seccomp/action.ts';
import { compareKernel, formatKernelVersion } from '../../seccomp/kernel-version.ts';
import type { KernelVersion, LintRule, RuleFinding } from '../types.ts';
import { actionText, defaultSpan } from './helpers.ts';

function consequence(action: Action, target: KernelVersion): string {
  if (action.kind === 'notify') return 'the filter must be installed with SECCOMP_FILTER_FLAG_NEW_LISTENER, which older kernels refuse (EINVAL)';
  if (compareKernel(target, [4, 14]) < 0) return `Linux ${formatKernelVersion(target)} does not know it and kills only the calling thread instead`;
  return `Linux ${formatKernelVersion(target)} does not know it`;
}

export const actionNeedsNewerKernel: LintRule = {
  id: 'action-needs-newer-kernel',
  category: 'compatibility',
  defaultSeverity: 'error',
  summary: 'An action or filter flag newer than the target kernel (--target-kernel): kill_process and log need 4.14, notify 5.0, …',
  needsTargetKernel: true,
  check(context) {
    const target = context.options.targetKernel;
    if (!target) return [];
    const findings: RuleFinding[] = [];
    const seen = new Set<Span>();
    const report = (action: Action, span: Span | undefined, what: string): void => {
      const needs = actionMinKernel(action);
      if (compareKernel(needs, target) <= 0) return;
      if (span) {
        if (seen.has(span)) return;
        seen.add(span);
      }
      findings.push({
        message: `${what}\`${actionText(action)}\` needs Linux ${formatKernelVersion(needs)} (target ${formatKernelVersion(target)}): ${consequence(action, target)}`,
        ...(span ? { span } : {}),
        hint: action.kind === 'kill_process' ? 'use kill_thread on kernels before 4.14, or raise the target' : 'choose an action the target kernel knows, or raise the target',
      });
    };
    const implicit: string[] = [];
    for (const special of context.specialActions) {
      if (special.kind === 'default') report(special.action, special.span, '');
      else if (special.span) report(special.action, special.span, `\`${special.kind}\`: `);
      // x32 and foreign_arch default to kill_process when a policy does not set them.
      else if (context.kind === 'policy' && compareKernel(actionMinKernel(special.action), target) > 0) implicit.push(special.kind);
    }
    if (implicit.length > 0) {
      const span = defaultSpan(context);
      const action = context.specialActions.find((s) => s.kind === implicit[0])!.action;
      const needs = actionMinKernel(action);
      findings.push({
        message: `${implicit.length === 2 ? 'x32 calls and calls of other architectures get' : implicit[0] === 'x32' ? 'x32 calls get' : 'calls of other architectures get'} \`${actionText(action)}\` (the implicit ${implicit.map((k) => `\`${k}\``).join(' and ')} action), which needs Linux ${formatKernelVersion(needs)} (target ${formatKernelVersion(target)}): ${consequence(action, target)}`,
        ...(span ? { span } : {}),
        hint: `write ${implicit.map((k) => `\`${k} kill_thread\``).join(' and ')} (or errno(ENOSYS)) for kernels before 4.14`,
      });
    }
    for (const rule of context.policy?.rules ?? []) report(rule.action, context.actionSpan(rule), '');
    for (const flag of context.policy?.requestedFlags ?? []) {
      const needs = FLAG_MIN_KERNEL[flag];
      if (compareKernel(needs, target) <= 0) continue;
      const span = defaultSpan(context);
      findings.push({
        message: `filter flag ${flag} needs Linux ${formatKernelVersion(needs)} (target ${formatKernelVersion(target)}): older kernels refuse to install the filter (EINVAL)`,
        ...(span ? { span } : {}),
      });
    }
    return findings;
  },
};
