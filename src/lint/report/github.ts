// The GitHub Actions format: one workflow command per finding, which GitHub shows as an annotation
// on the line (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`). Escaping as
// in @actions/core: `%`, CR and LF in the message; also `:` and `,` in properties. info findings
// are notices; suppressed ones are left out.
import { ruleDocsReference } from '../docs.ts';
import type { FileResult } from '../types.ts';
import { activeFindings, region } from './summary.ts';

const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(results: readonly FileResult[], options: { docsBaseUrl?: string } = {}): string {
  const lines: string[] = [];
  for (const finding of results.flatMap(activeFindings)) {
    const at = region(finding);
    const properties = [
      `file=${escapeProperty(finding.path)}`,
      ...(at ? [`line=${at.line}`, `col=${at.column}`, `endLine=${at.endLine}`, `endColumn=${at.endColumn}`] : []),
      `title=${escapeProperty(finding.ruleId)}`,
    ];
    const message = [
      `${finding.message}${finding.jsonPath ? ` (at ${finding.jsonPath})` : ''}`,
      ...(finding.hint ? [`help: ${finding.hint}`] : []),
      `see ${ruleDocsReference(finding.ruleId, options.docsBaseUrl)}`,
    ].join('\n');
    lines.push(`::${COMMAND[finding.severity]} ${properties.join(',')}::${escapeData(message)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
