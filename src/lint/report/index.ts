// Every report format, behind one call: what `seccompile lint --format F` writes.
import type { FileResult } from '../types.ts';
import { formatGithub } from './github.ts';
import { formatHuman } from './human.ts';
import { formatJson } from './json.ts';
import { formatSarif } from './sarif.ts';

export const LINT_FORMATS = ['human', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export interface ReportOptions {
  /** Colours in the human format (default off). */
  readonly color?: boolean;
  /** Where the rules' documentation is published: links become `${docsBaseUrl}#rule-id`. */
  readonly docsBaseUrl?: string;
  /** SARIF: the directory paths are made relative to (default: the working directory). */
  readonly root?: string;
}

export function formatLintReport(results: readonly FileResult[], format: LintFormat, options: ReportOptions = {}): string {
  const docs = options.docsBaseUrl !== undefined ? { docsBaseUrl: options.docsBaseUrl } : {};
  switch (format) {
    case 'json': return formatJson(results, docs);
    case 'sarif': return formatSarif(results, { ...docs, ...(options.root !== undefined ? { root: options.root } : {}) });
    case 'github': return formatGithub(results, docs);
    case 'human': return formatHuman(results, { color: options.color ?? false, ...docs });
  }
}
