// A suppression comment that suppresses nothing: the finding it was written for is gone (or was
// never on the next line), and the comment now hides whatever comes next.
import type { LintRule } from '../types.ts';

export const unusedSuppression: LintRule = {
  id: 'unused-suppression',
  category: 'lint',
  defaultSeverity: 'warning',
  summary: 'A suppression comment that suppresses no finding.',
};
