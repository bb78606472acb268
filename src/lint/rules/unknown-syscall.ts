// A syscall name the x86-64 table does not know (compiler SC2001; for profiles SC7004, which
// runtimes skip silently, so a typo leaves the syscall to the default action).
import type { LintRule } from '../types.ts';

export const unknownSyscall: LintRule = {
  id: 'unknown-syscall',
  category: 'correctness',
  defaultSeverity: 'error',
  summary: 'A syscall name that x86-64 does not have (a typo, or another architecture\'s name).',
  compilerCodes: ['SC2001', 'SC7004'],
};
