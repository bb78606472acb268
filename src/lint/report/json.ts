// The JSON format: one document with every file's findings (suppressed ones included, marked),
// positions as 1-based line and column (end column exclusive), and a summary.
import { VERSION } from '../../version.ts';
import { positionOf } from '../../diagnostics/source.ts';
import { RULES_DOC, ruleDocsUrl } from '../docs.ts';
import type { FileResult, Finding } from '../types.ts';
import { region, summarize } from './summary.ts';

export const LINT_JSON_VERSION = 1;

function findingJson(finding: Finding, docsBaseUrl: string | undefined): Record<string, unknown> {
  const at = region(finding);
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    path: finding.path,
    ...(at ?? {}),
    ...(finding.jsonPath ? { jsonPath: finding.jsonPath } : {}),
    ...(finding.hint ? { hint: finding.hint } : {}),
    ...(finding.compilerCode ? { compilerCode: finding.compilerCode } : {}),
    ...(finding.related?.length ? {
      related: finding.related.map((r) => {
        const p = positionOf(r.span.file, r.span.start);
        return { message: r.message, path: r.span.file.path, line: p.line, column: p.column };
      }),
    } : {}),
    docs: `${RULES_DOC}#${finding.ruleId}`,
    ...(docsBaseUrl ? { docsUrl: ruleDocsUrl(finding.ruleId, docsBaseUrl) } : {}),
    ...(finding.suppression ? { suppressed: { reason: finding.suppression.reason, line: positionOf(finding.suppression.span.file, finding.suppression.span.start).line } } : {}),
  };
}

export function formatJson(results: readonly FileResult[], options: { docsBaseUrl?: string } = {}): string {
  const document = {
    version: LINT_JSON_VERSION,
    tool: { name: 'seccompile', version: VERSION },
    files: results.map((result) => ({ path: result.path, kind: result.kind, findings: result.findings.map((f) => findingJson(f, options.docsBaseUrl)) })),
    summary: summarize(results),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
