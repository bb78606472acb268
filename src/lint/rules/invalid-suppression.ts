// Inline suppressions (`# seccompile-disable-next-line RULE-ID: reason`) that cannot be used: no
// reason, an unknown rule ID, or a misspelt directive. The engine checks them (../suppress.ts).
import type { LintRule } from '../types.ts';

export const invalidSuppression: LintRule = {
  id: 'invalid-suppression',
  category: 'lint',
  defaultSeverity: 'error',
  summary: 'A suppression comment without a reason, with an unknown rule ID, or misspelt.',
};
