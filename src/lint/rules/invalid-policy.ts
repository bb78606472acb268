// The input does not compile: syntax errors, unknown actions, bad includes, a profile that does
// not match the OCI schema… Every compiler error without a rule of its own is reported here.
import type { LintRule } from '../types.ts';

export const invalidPolicy: LintRule = {
  id: 'invalid-policy',
  category: 'correctness',
  defaultSeverity: 'error',
  summary: 'The policy or profile does not compile (every compiler error without a more specific rule).',
  fatal: true,
};
