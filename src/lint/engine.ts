// Lints one input: builds the context (compiler stages), maps the compiler's diagnostics to lint
// rules, runs every rule, applies inline suppressions, then the configured levels.
import type { Arch } from '../arch/arch.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { looksLikeProfile, type ProfileOptions } from '../oci/index.ts';
import type { FileHost } from '../parser/load.ts';
import { policyContext, profileContext } from './context.ts';
import { jsonPathAt } from './json-path.ts';
import { compilerNote } from './rules/compiler-note.ts';
import { compilerWarning } from './rules/compiler-warning.ts';
import { RULES, ruleById } from './rules/index.ts';
import { invalidPolicy } from './rules/invalid-policy.ts';
import { applySuppressions } from './suppress.ts';
import type { FileResult, Finding, KernelVersion, Level, LintContext, LintRule, Severity } from './types.ts';

export interface EngineOptions {
  /** Configured levels by rule ID (from the command line and .seccompile.json). */
  readonly levels?: ReadonlyMap<string, Level>;
  readonly targetKernel?: KernelVersion;
  /** How profiles are resolved (capabilities, kernel). */
  readonly profile?: ProfileOptions;
  /** Reads included files; without it a policy's includes are errors. */
  readonly host?: FileHost;
  /** The ABI to compile for (default x86_64). */
  readonly arch?: Arch;
  /** A policy for several ABIs, as one filter (profiles take `arch`, their host). */
  readonly arches?: readonly Arch[];
  /** Default: a JSON object is a profile, anything else a policy. */
  readonly kind?: 'policy' | 'profile';
}

/** The rule a compiler diagnostic is reported under. */
export function ruleForDiagnostic(diagnostic: Diagnostic, context: LintContext): LintRule {
  for (const rule of RULES) {
    if (rule.compilerCodes?.includes(diagnostic.code) && (!rule.acceptsDiagnostic || rule.acceptsDiagnostic(diagnostic, context))) return rule;
  }
  return diagnostic.severity === 'error' ? invalidPolicy : diagnostic.severity === 'warning' ? compilerWarning : compilerNote;
}

/** The diagnostics of the compiler as findings (with the rules' default severities for now). */
function compilerFindings(context: LintContext): Finding[] {
  return context.diagnostics.map((diagnostic) => {
    const rule = ruleForDiagnostic(diagnostic, context);
    const generic = rule === invalidPolicy || rule === compilerWarning || rule === compilerNote;
    const fatal = diagnostic.severity === 'error';
    return {
      ruleId: rule.id,
      severity: fatal ? 'error' : rule.defaultSeverity,
      // The catch-all rules keep the compiler's code in the message: it is what tells them apart.
      message: generic ? `${diagnostic.message} (${diagnostic.code})` : diagnostic.message,
      path: diagnostic.span?.file.path ?? diagnostic.path ?? context.path,
      ...(diagnostic.span ? { span: diagnostic.span } : {}),
      ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
      ...(diagnostic.related?.length ? { related: diagnostic.related } : {}),
      compilerCode: diagnostic.code,
      ...(fatal ? { fatal } : {}),
    };
  });
}

function ruleFindings(context: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) {
    if (!rule.check || (rule.needsTargetKernel && !context.options.targetKernel)) continue;
    for (const finding of rule.check(context)) {
      out.push({ ruleId: rule.id, severity: rule.defaultSeverity, path: finding.span?.file.path ?? context.path, ...finding });
    }
  }
  return out;
}

export function levelOf(ruleId: string, levels: ReadonlyMap<string, Level> | undefined): Level {
  return levels?.get(ruleId) ?? ruleById(ruleId)?.defaultSeverity ?? 'error';
}

/** Findings in a stable order (file, position, rule), exact repeats dropped. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.ruleId}\0${f.path}\0${f.span?.start}\0${f.span?.end}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => {
    if (a.path !== b.path) return a.path < b.path ? -1 : 1;
    const oa = a.span?.start ?? -1;
    const ob = b.span?.start ?? -1;
    if (oa !== ob) return oa - ob;
    return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
  });
}

/** Lints one policy or profile given as text. */
export function lintText(text: string, path: string, options: EngineOptions = {}): FileResult {
  const kind = options.kind ?? (looksLikeProfile(text) ? 'profile' : 'policy');
  const lintOptions = { ...(options.targetKernel ? { targetKernel: options.targetKernel } : {}), ...(options.arch ? { arch: options.arch } : {}), ...(options.arches ? { arches: options.arches } : {}) };
  const context: LintContext = kind === 'profile'
    ? profileContext(text, path, lintOptions, options.profile ?? {})
    : policyContext(text, path, lintOptions, options.host);
  let findings = [...compilerFindings(context), ...ruleFindings(context)];
  if (context.kind === 'policy') {
    const suppressed = applySuppressions(findings, context.files);
    findings = [...suppressed.findings, ...suppressed.problems.map((p) => ({ ...p, severity: ruleById(p.ruleId)!.defaultSeverity }))];
  }
  const configured: Finding[] = [];
  for (const finding of findings) {
    const level: Level = finding.fatal ? 'error' : levelOf(finding.ruleId, options.levels);
    if (level === 'off') continue;
    const jsonPath = context.kind === 'profile' && finding.span ? jsonPathAt(finding.span.file.text, finding.span.start) : undefined;
    configured.push({ ...finding, severity: level as Severity, ...(jsonPath ? { jsonPath } : {}) });
  }
  return {
    path,
    kind,
    findings: sortFindings(configured),
    includedPaths: context.kind === 'policy' ? context.files.slice(1).map((f) => f.file.path) : [],
  };
}
