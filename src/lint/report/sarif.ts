// The SARIF 2.1.0 format (OASIS), for code-scanning upload (GitHub's upload-sarif action and
// others): one run, every rule as a reportingDescriptor with its documentation link, every
// finding as a result with its region (1-based lines and UTF-16 columns, end column exclusive),
// JSON paths of profiles as logical locations, and inline suppressions as `suppressions`.
// Paths are relative to the working directory (uriBaseId SRCROOT) when they are under it.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { positionOf, type Span } from '../../diagnostics/source.ts';
import { VERSION } from '../../version.ts';
import { ruleDocsReference, ruleDocsUrl } from '../docs.ts';
import { RULES } from '../rules/index.ts';
import type { FileResult, Finding, Severity } from '../types.ts';
import { region } from './summary.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub ranks security alerts by this (0.0–10.0). */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { error: '8.0', warning: '5.0', info: '2.0' };

export interface SarifOptions {
  /** Directory paths are made relative to (default: the working directory). */
  readonly root?: string;
  readonly docsBaseUrl?: string;
}

function pascalCase(id: string): string {
  return id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function artifactLocation(path: string, root: string): { uri: string; uriBaseId?: string } {
  if (path === '<stdin>') return { uri: 'stdin' };
  const absolute = resolve(root, path);
  const rel = relative(root, absolute);
  if (!isAbsolute(path) && !rel.startsWith('..') && !isAbsolute(rel)) {
    return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
  }
  return { uri: pathToFileURL(absolute).href };
}

function spanRegion(span: Span): Record<string, number> {
  const start = positionOf(span.file, span.start);
  const end = positionOf(span.file, Math.max(span.start, span.end));
  return { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column };
}

function result(finding: Finding, root: string, ruleIndex: number): Record<string, unknown> {
  const at = region(finding);
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: finding.hint ? `${finding.message}. Help: ${finding.hint}` : finding.message },
    locations: [{
      physicalLocation: {
        artifactLocation: artifactLocation(finding.path, root),
        // A finding about a whole file is shown on its first line.
        region: at ? { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn } : { startLine: 1 },
      },
      ...(finding.jsonPath ? { logicalLocations: [{ fullyQualifiedName: finding.jsonPath, kind: 'object' }] } : {}),
    }],
    ...(finding.related?.length ? {
      relatedLocations: finding.related.map((r, id) => ({
        id,
        message: { text: r.message },
        physicalLocation: { artifactLocation: artifactLocation(r.span.file.path, root), region: spanRegion(r.span) },
      })),
    } : {}),
    ...(finding.suppression ? {
      suppressions: [{
        kind: 'inSource',
        justification: finding.suppression.reason,
        location: { physicalLocation: { artifactLocation: artifactLocation(finding.suppression.span.file.path, root), region: spanRegion(finding.suppression.span) } },
      }],
    } : {}),
    ...(finding.compilerCode ? { properties: { compilerCode: finding.compilerCode } } : {}),
  };
}

export function sarifLog(results: readonly FileResult[], options: SarifOptions = {}): Record<string, unknown> {
  const root = resolve(options.root ?? process.cwd());
  const index = new Map(RULES.map((rule, i) => [rule.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'seccompile',
          fullName: 'seccompile lint',
          version: VERSION,
          semanticVersion: VERSION,
          rules: RULES.map((rule) => {
            // SARIF wants an absolute helpUri: given only where a documentation URL is configured.
            const url = ruleDocsUrl(rule.id, options.docsBaseUrl);
            const reference = ruleDocsReference(rule.id, options.docsBaseUrl);
            return {
              id: rule.id,
              name: pascalCase(rule.id),
              shortDescription: { text: rule.summary },
              fullDescription: { text: rule.summary },
              ...(url ? { helpUri: url } : {}),
              help: { text: `${rule.summary} See ${reference}.`, markdown: url ? `${rule.summary} [Rationale and sources](${url}).` : `${rule.summary} Rationale and sources: ${reference}.` },
              defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
              properties: {
                tags: ['seccomp', rule.category],
                ...(rule.category === 'security' ? { 'security-severity': SECURITY_SEVERITY[rule.defaultSeverity] } : {}),
              },
            };
          }),
        },
      },
      originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(`${root}${sep}`).href } },
      columnKind: 'utf16CodeUnits',
      results: results.flatMap((r) => r.findings.map((f) => result(f, root, index.get(f.ruleId) ?? -1))),
    }],
  };
}

export function formatSarif(results: readonly FileResult[], options: SarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(results, options), null, 2)}\n`;
}
