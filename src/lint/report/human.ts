// The human format: each finding as the compiler prints a diagnostic (file:line:col, severity,
// message, [rule-id], the source line with a caret, help), plus the JSON path for profiles and a
// link to the rule's documentation, then a summary line.
import { formatDiagnostics, type PrintableDiagnostic } from '../../diagnostics/format.ts';
import { ruleDocsReference } from '../docs.ts';
import type { FileResult } from '../types.ts';
import { activeFindings, summarize, summaryLine } from './summary.ts';

export interface HumanOptions {
  readonly color: boolean;
  readonly docsBaseUrl?: string;
}

export function formatHuman(results: readonly FileResult[], options: HumanOptions): string {
  const printable: PrintableDiagnostic[] = results.flatMap(activeFindings).map((finding) => ({
    code: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    path: finding.path,
    ...(finding.span ? { span: finding.span } : {}),
    ...(finding.hint ? { hint: finding.hint } : {}),
    ...(finding.related ? { related: finding.related } : {}),
    notes: [...(finding.jsonPath ? [`at ${finding.jsonPath}`] : []), `see ${ruleDocsReference(finding.ruleId, options.docsBaseUrl)}`],
  }));
  const body = printable.length > 0 ? `${formatDiagnostics(printable, { color: options.color })}\n\n` : '';
  return `${body}${summaryLine(summarize(results))}\n`;
}
