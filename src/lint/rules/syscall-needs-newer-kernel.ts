// Rules for syscalls the target kernel does not have (--target-kernel X.Y; versions in
// src/syscalls/versions.ts). On that kernel the rule never applies: programs get ENOSYS from the
// kernel for the call and use older calls, which the policy must then allow.
import { compareKernel, formatKernelVersion } from '../../seccomp/kernel-version.ts';
import { syscallIntroduced } from '../../syscalls/versions.ts';
import { isAllowing } from '../analysis.ts';
import type { LintRule, RuleFinding } from '../types.ts';

export const syscallNeedsNewerKernel: LintRule = {
  id: 'syscall-needs-newer-kernel',
  category: 'compatibility',
  defaultSeverity: 'info',
  summary: 'A rule for a syscall newer than the target kernel (--target-kernel): on that kernel it never applies.',
  needsTargetKernel: true,
  check(context) {
    const target = context.options.targetKernel;
    if (!target || !context.policy) return [];
    const findings: RuleFinding[] = [];
    const seen = new Set<string>();
    for (const rule of context.policy.rules) {
      const name = rule.syscall.name;
      const introduced = syscallIntroduced(name, context.arch);
      if (!introduced || compareKernel(introduced.version, target) <= 0 || seen.has(name)) continue;
      seen.add(name);
      findings.push({
        message: `\`${name}\` was added in Linux ${formatKernelVersion(introduced.version)}${introduced.approximate ? ' (approximately)' : ''}, after the target ${formatKernelVersion(target)}: there the kernel answers ENOSYS before the filter matters, and this rule never applies`,
        span: rule.syscallSpan,
        ...(isAllowing(rule.action) ? { hint: 'on the target kernel, programs fall back to older syscalls: make sure the policy allows those too' } : {}),
      });
    }
    return findings;
  },
};
