// Every compiler note: for profiles, names of other architectures skipped on x86-64 (SC7005),
// architectures seccompile does not compile (SC7008), entries without effect (SC7006).
import type { LintRule } from '../types.ts';

export const compilerNote: LintRule = {
  id: 'compiler-note',
  category: 'correctness',
  defaultSeverity: 'info',
  summary: 'A compiler note (information about how the input was read; its SC code is in the message).',
};
