// Every lint rule, in the order docs/lint-rules.md lists them. IDs are stable: never rename one.
import type { LintRule } from '../types.ts';
import { abiDenyGap } from './abi-deny-gap.ts';
import { actionNeedsNewerKernel } from './action-needs-newer-kernel.ts';
import { cloneNamespaces } from './clone-namespaces.ts';
import { compilerNote } from './compiler-note.ts';
import { compilerWarning } from './compiler-warning.ts';
import { conditionAlwaysTrue } from './condition-always-true.ts';
import { dangerousSyscall } from './dangerous-syscall.ts';
import { defaultAllow } from './default-allow.ts';
import { duplicateSyscall } from './duplicate-syscall.ts';
import { equivalentSyscallOpen } from './equivalent-syscall-open.ts';
import { equivalentSyscallRefused } from './equivalent-syscall-refused.ts';
import { upperBitsBypass } from './upper-bits-bypass.ts';
import { foreignCallsAllowed } from './foreign-calls-allowed.ts';
import { invalidPolicy } from './invalid-policy.ts';
import { invalidSuppression } from './invalid-suppression.ts';
import { killThread } from './kill-thread.ts';
import { missingEssentialSyscall } from './missing-essential-syscall.ts';
import { newSyscallNotEnosys } from './new-syscall-not-enosys.ts';
import { notifyPointerToctou } from './notify-pointer-toctou.ts';
import { notifySupervisorSyscall } from './notify-supervisor-syscall.ts';
import { pointerArgument } from './pointer-argument.ts';
import { programNearLimit } from './program-near-limit.ts';
import { programTooLong } from './program-too-long.ts';
import { sameAsDefault } from './same-as-default.ts';
import { syscallNeedsNewerKernel } from './syscall-needs-newer-kernel.ts';
import { traceWithoutTracer } from './trace-without-tracer.ts';
import { unknownConstant } from './unknown-constant.ts';
import { unknownSyscall } from './unknown-syscall.ts';
import { unreachableRule } from './unreachable-rule.ts';
import { unusedSuppression } from './unused-suppression.ts';
import { valueBeyondWidth } from './value-beyond-width.ts';

export const RULES: readonly LintRule[] = [
  // correctness
  invalidPolicy,
  unknownSyscall,
  unknownConstant,
  unreachableRule,
  conditionAlwaysTrue,
  sameAsDefault,
  duplicateSyscall,
  programTooLong,
  programNearLimit,
  valueBeyondWidth,
  pointerArgument,
  compilerWarning,
  compilerNote,
  // security
  defaultAllow,
  dangerousSyscall,
  cloneNamespaces,
  equivalentSyscallOpen,
  upperBitsBypass,
  killThread,
  foreignCallsAllowed,
  abiDenyGap,
  // compatibility
  newSyscallNotEnosys,
  missingEssentialSyscall,
  equivalentSyscallRefused,
  actionNeedsNewerKernel,
  syscallNeedsNewerKernel,
  traceWithoutTracer,
  notifySupervisorSyscall,
  notifyPointerToctou,
  // the linter's own
  invalidSuppression,
  unusedSuppression,
];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): LintRule | undefined {
  return BY_ID.get(id);
}

export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);
