// Counts over the results of a run, shared by the reporters and the exit status.
import { positionOf } from '../../diagnostics/source.ts';
import type { FileResult, Finding } from '../types.ts';

export interface Summary {
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** Findings an inline suppression covers (not counted above). */
  readonly suppressed: number;
}

export function summarize(results: readonly FileResult[]): Summary {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let suppressed = 0;
  for (const finding of results.flatMap((r) => r.findings)) {
    if (finding.suppression) suppressed++;
    else if (finding.severity === 'error') errors++;
    else if (finding.severity === 'warning') warnings++;
    else infos++;
  }
  return { files: results.length, errors, warnings, infos, suppressed };
}

/** Findings that count: those no suppression covers. */
export function activeFindings(result: FileResult): Finding[] {
  return result.findings.filter((f) => !f.suppression);
}

/** 1-based line and column of a finding's start and end (end column exclusive). */
export function region(finding: Finding): { line: number; column: number; endLine: number; endColumn: number } | undefined {
  if (!finding.span) return undefined;
  const start = positionOf(finding.span.file, finding.span.start);
  const end = positionOf(finding.span.file, Math.max(finding.span.start, finding.span.end));
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

/** `3 errors, 1 warning and 2 infos in 4 files (1 suppressed)`. */
export function summaryLine(summary: Summary): string {
  const counts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning'), plural(summary.infos, 'info', 'infos')];
  const total = summary.errors + summary.warnings + summary.infos;
  const head = total === 0 ? 'no problems' : `${counts.slice(0, -1).join(', ')} and ${counts[counts.length - 1]}`;
  return `${head} in ${plural(summary.files, 'file')}${summary.suppressed > 0 ? ` (${summary.suppressed} suppressed)` : ''}`;
}
