// More than BPF_MAXINSNS (4,096) instructions: the kernel refuses the filter (compiler SC4001).
import type { LintRule } from '../types.ts';

export const programTooLong: LintRule = {
  id: 'program-too-long',
  category: 'correctness',
  defaultSeverity: 'error',
  summary: 'The compiled filter has more than 4,096 instructions, which the kernel refuses.',
  compilerCodes: ['SC4001'],
};
