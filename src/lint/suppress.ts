// Inline suppressions in policies: `# seccompile-disable-next-line RULE-ID[, RULE-ID…]: reason`.
// The directive applies to findings of those rules that start on the next line holding a statement
// (blank and comment-only lines are skipped, so directives can be stacked). The reason is required:
// a directive without one suppresses nothing and is itself reported (invalid-suppression), and so
// is a directive that suppresses nothing (unused-suppression). Compiler errors cannot be suppressed.
import type { Span } from '../diagnostics/source.ts';
import { positionOf, type SourceFile } from '../diagnostics/source.ts';
import { closestMatch } from '../diagnostics/suggest.ts';
import type { PolicyFile } from '../parser/ast.ts';
import { ruleById, RULE_IDS } from './rules/index.ts';
import type { Finding } from './types.ts';

export const DIRECTIVE = 'seccompile-disable-next-line';

interface Directive {
  readonly span: Span;
  readonly ruleIds: readonly string[];
  readonly reason: string;
  /** 1-based line of the statement it applies to, in span.file. */
  readonly line: number;
  readonly used: Set<string>;
}

/** A problem with a directive, as a finding of the linter's own rules. */
export type DirectiveFinding = Omit<Finding, 'severity'>;

function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1] ?? file.text.length;
  const next = file.lineStarts[line];
  return file.text.slice(start, next === undefined ? file.text.length : next - 1);
}

/** The next line after `line` that holds something other than blanks and comments. */
function nextStatementLine(file: SourceFile, line: number): number {
  const last = file.lineStarts.length;
  for (let n = line + 1; n <= last; n++) {
    const text = lineText(file, n).trim();
    if (text !== '' && !text.startsWith('#')) return n;
  }
  return last + 1;
}

function parseDirectives(files: readonly PolicyFile[]): { directives: Directive[]; problems: DirectiveFinding[] } {
  const directives: Directive[] = [];
  const problems: DirectiveFinding[] = [];
  const problem = (span: Span, message: string, hint: string): void => {
    problems.push({ ruleId: 'invalid-suppression', message, span, path: span.file.path, hint });
  };
  const usage = `write \`# ${DIRECTIVE} RULE-ID: why this is fine here\``;
  for (const file of files) {
    for (const comment of file.comments) {
      const match = /^#\s*(seccompile-disable[A-Za-z0-9_-]*)(.*)$/s.exec(comment.text);
      if (!match) continue;
      const [, word, rest] = match as unknown as [string, string, string];
      if (word !== DIRECTIVE) {
        problem(comment.span, `unknown directive \`${word}\``, `${usage} (the only directive; it applies to the next line)`);
        continue;
      }
      const body = /^\s+([^:]*?)\s*(?::(.*))?$/s.exec(rest);
      const ids = body?.[1]?.split(/[\s,]+/).filter(Boolean) ?? [];
      if (!body || ids.length === 0) {
        problem(comment.span, `\`${DIRECTIVE}\` names no rule`, usage);
        continue;
      }
      const unknown = ids.filter((id) => !ruleById(id));
      for (const id of unknown) {
        const suggestion = closestMatch(id, RULE_IDS);
        problem(comment.span, `unknown rule \`${id}\` in a suppression`, suggestion ? `did you mean \`${suggestion}\`?` : 'the rules are listed in docs/lint-rules.md');
      }
      const reason = body[2]?.trim() ?? '';
      if (reason === '') {
        problem(comment.span, `suppression without a reason: \`${DIRECTIVE}\` needs one after a colon, and suppresses nothing without it`, usage);
        continue;
      }
      const known = ids.filter((id) => ruleById(id));
      if (known.length === 0) continue;
      const line = nextStatementLine(file.file, positionOf(file.file, comment.span.start).line);
      directives.push({ span: comment.span, ruleIds: known, reason, line, used: new Set() });
    }
  }
  return { directives, problems };
}

/**
 * Marks the findings the directives of these files cover, and reports the directives' problems.
 * Every finding is matched (whatever its configured level), so a rule turned off in the
 * configuration does not make its directives unused.
 */
export function applySuppressions(findings: readonly Finding[], files: readonly PolicyFile[]): { findings: Finding[]; problems: DirectiveFinding[] } {
  const { directives, problems } = parseDirectives(files);
  if (directives.length === 0) return { findings: [...findings], problems };
  const out = findings.map((finding) => {
    if (finding.fatal || !finding.span) return finding;
    const line = positionOf(finding.span.file, finding.span.start).line;
    const directive = directives.find((d) => d.span.file === finding.span!.file && d.line === line && d.ruleIds.includes(finding.ruleId));
    if (!directive) return finding;
    directive.used.add(finding.ruleId);
    return { ...finding, suppression: { reason: directive.reason, span: directive.span } };
  });
  for (const directive of directives) {
    for (const id of directive.ruleIds) {
      if (directive.used.has(id)) continue;
      const fatal = findings.some((f) => f.fatal && f.ruleId === id && f.span?.file === directive.span.file && positionOf(f.span.file, f.span.start).line === directive.line);
      problems.push({
        ruleId: 'unused-suppression',
        message: fatal
          ? `this suppression of \`${id}\` has no effect: errors the compiler reports cannot be suppressed`
          : `this suppression of \`${id}\` suppresses nothing: no \`${id}\` finding starts on line ${directive.line}`,
        span: directive.span,
        path: directive.span.file.path,
        hint: fatal ? 'fix the error' : 'remove it, or move it to the line above the finding',
      });
    }
  }
  return { findings: out, problems };
}
