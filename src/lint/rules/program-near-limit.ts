// A filter close to the kernel's 4,096-instruction limit: a few more rules and it stops loading.
import { BPF_MAXINSNS } from '../../seccomp/abi.ts';
import type { LintRule } from '../types.ts';

/** Above this many instructions the filter is reported: 85% of the kernel's limit. */
export const NEAR_LIMIT = 3500;

export const programNearLimit: LintRule = {
  id: 'program-near-limit',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: `The compiled filter has more than ${NEAR_LIMIT} instructions, close to the kernel's limit of ${BPF_MAXINSNS}.`,
  check(context) {
    const length = context.program?.length;
    if (length === undefined || length <= NEAR_LIMIT) return [];
    return [{
      message: `the compiled filter has ${length} instructions, close to the kernel's limit of ${BPF_MAXINSNS} (${BPF_MAXINSNS - length} left)`,
      hint: 'merge rules with the same action, use `in {…}` sets, or split the policy into stacked filters before it stops loading',
    }];
  },
};
