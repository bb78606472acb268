// Every compiler warning without a rule of its own: a define hiding a built-in constant (SC2009),
// an argument beyond the syscall's parameters (SC2014), an empty rule (SC3010), profile entries
// that runtimes read differently (SC7010) or that overlap (SC7009)… The message keeps the code.
import type { LintRule } from '../types.ts';

export const compilerWarning: LintRule = {
  id: 'compiler-warning',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: 'A compiler warning without a more specific rule (its SC code is in the message).',
};
