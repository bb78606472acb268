// A condition that holds for every call (compiler SC3005): the rule reads as if it filtered
// arguments, but it does not.
import type { LintRule } from '../types.ts';

export const conditionAlwaysTrue: LintRule = {
  id: 'condition-always-true',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: 'A condition that holds for every call, so the rule does not filter anything.',
  compilerCodes: ['SC3005'],
};
