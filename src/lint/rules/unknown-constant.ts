// A name that is neither an argument of the syscall nor a known constant (compiler SC2003).
import type { LintRule } from '../types.ts';

export const unknownConstant: LintRule = {
  id: 'unknown-constant',
  category: 'correctness',
  defaultSeverity: 'error',
  summary: 'A constant or argument name that does not exist.',
  compilerCodes: ['SC2003'],
};
