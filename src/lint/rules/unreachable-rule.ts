// A rule that can never apply: an earlier rule for the same syscall decides every call, or its
// own condition can never hold (compiler SC3004, from the IR's analysis).
import type { LintRule } from '../types.ts';

export const unreachableRule: LintRule = {
  id: 'unreachable-rule',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: 'A rule that never applies: shadowed by an earlier rule for the same syscall, or with a condition that can never hold.',
  compilerCodes: ['SC3004'],
};
