// `x32 allow` or `foreign_arch allow` (compiler SC3009): x32 calls or calls of other
// architectures (i386 `int $0x80`) run without any rule being checked; a classic bypass of
// deny-lists (seccomp_filter.rst; docs/language.md §3.3 and §10).
import type { LintRule } from '../types.ts';

export const foreignCallsAllowed: LintRule = {
  id: 'foreign-calls-allowed',
  category: 'security',
  defaultSeverity: 'warning',
  summary: '`x32 allow` or `foreign_arch allow`: calls of another ABI run with no rule checked.',
  compilerCodes: ['SC3009'],
};
