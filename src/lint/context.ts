// Builds what the rules see of one input: the compilation's stages (src/compilation/), so a rule
// gets whatever the input got as far as (syntax tree, checked policy, IR, program) and every
// diagnostic on the way.
import { DEFAULT_ARCH } from '../arch/index.ts';
import type { CheckedRule } from '../check/checked.ts';
import { compilePolicyText } from '../compilation/policy.ts';
import { compileProfileText } from '../compilation/profile.ts';
import { positionOf, type SourceFile, type Span } from '../diagnostics/source.ts';
import type { ProfileOptions } from '../oci/index.ts';
import type { PolicyFile, RuleStatement } from '../parser/ast.ts';
import type { FileHost } from '../parser/load.ts';
import { KILL_PROCESS } from '../seccomp/action.ts';
import type { LintOptions, PolicyContext, ProfileContext, SpecialAction } from './types.ts';

/** The comment lines right above a line (a block with no blank line), and on the line itself. */
function commentsAround(file: PolicyFile, span: Span): string {
  const source = file.file;
  const startLine = positionOf(source, span.start).line;
  const endLine = positionOf(source, Math.max(span.start, span.end - 1)).line;
  const byLine = new Map<number, string[]>();
  for (const comment of file.comments) {
    const line = positionOf(source, comment.span.start).line;
    byLine.set(line, [...(byLine.get(line) ?? []), comment.text]);
  }
  const texts: string[] = [];
  for (let line = startLine - 1; line >= 1; line--) {
    const text = lineOf(source, line).trim();
    if (!text.startsWith('#')) break;
    texts.unshift(...(byLine.get(line) ?? []));
  }
  for (let line = startLine; line <= endLine; line++) texts.push(...(byLine.get(line) ?? []));
  return texts.join('\n');
}

function lineOf(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1] ?? file.text.length;
  const next = file.lineStarts[line];
  return file.text.slice(start, next === undefined ? file.text.length : next - 1);
}

/** Compiles a policy text, keeping every stage's result for the rules. */
export function policyContext(text: string, path: string, options: LintOptions, host?: FileHost): PolicyContext {
  const compilation = compilePolicyText(text, { path, arch: options.arch ?? DEFAULT_ARCH, ...(options.arches ? { arches: options.arches } : {}), ...(host ? { host } : {}) });
  const { files, policy, ir, diagnostics } = compilation;
  const statements = compilation.statements ?? [];
  const ruleStatements = new Map<Span, RuleStatement>();
  const specialSpans = new Map<string, Span>();
  // The rules of `arch` blocks too: the checker gives them the spans they have in their block.
  for (const statement of statements.flatMap((s) => (s.kind === 'arch' ? s.statements : [s]))) {
    if (statement.kind === 'rule') ruleStatements.set(statement.span, statement);
    else if ((statement.kind === 'x32' || statement.kind === 'foreign_arch') && !specialSpans.has(statement.kind)) specialSpans.set(statement.kind, statement.action.span);
    else if (statement.kind === 'default' && !specialSpans.has('default')) specialSpans.set('default', statement.action.span);
  }
  const fileOf = new Map(files.map((f) => [f.file, f]));
  const specialActions: SpecialAction[] = policy
    ? [
      { kind: 'default', action: policy.defaultAction, ...(specialSpans.has('default') ? { span: specialSpans.get('default')! } : {}) },
      { kind: 'x32', action: policy.x32Action, ...(specialSpans.has('x32') ? { span: specialSpans.get('x32')! } : {}) },
      { kind: 'foreign_arch', action: policy.foreignArchAction, ...(specialSpans.has('foreign_arch') ? { span: specialSpans.get('foreign_arch')! } : {}) },
    ]
    : [];
  return {
    kind: 'policy',
    arch: compilation.arch,
    path,
    options,
    diagnostics,
    files,
    specialActions,
    ...(policy ? { policy } : {}),
    ...(compilation.policies ? { sections: compilation.policies } : {}),
    ...(ir ? { ir } : {}),
    ...(compilation.filter ? { program: compilation.filter.program } : {}),
    actionSpan: (rule: CheckedRule) => ruleStatements.get(rule.span)?.action.nameSpan ?? rule.span,
    noteFor: (rule: CheckedRule) => {
      const file = fileOf.get(rule.span.file);
      return file ? commentsAround(file, rule.span) : '';
    },
  };
}

/** Compiles a profile text, keeping every stage's result for the rules. */
export function profileContext(text: string, path: string, options: LintOptions, profileOptions: ProfileOptions): ProfileContext {
  const compilation = compileProfileText(text, { ...profileOptions, path, arch: options.arch ?? profileOptions.arch ?? DEFAULT_ARCH });
  const { diagnostics, ir } = compilation;
  const loaded = compilation.loaded!;
  const entries = new Map((loaded.profile?.syscalls ?? []).map((entry) => [entry.span, entry]));
  const policy = loaded.policy;
  const specialActions: SpecialAction[] = policy
    ? [
      { kind: 'default', action: policy.defaultAction, ...(loaded.profile ? { span: loaded.profile.defaultAction.span } : {}) },
      // Not the profile's: seccompile's filter rejects x32 and other architectures' calls itself.
      { kind: 'x32', action: policy.x32Action ?? KILL_PROCESS },
      { kind: 'foreign_arch', action: policy.foreignArchAction ?? KILL_PROCESS },
    ]
    : [];
  return {
    kind: 'profile',
    arch: compilation.arch,
    path,
    options,
    diagnostics,
    loaded,
    specialActions,
    ...(loaded.profile ? { profile: loaded.profile } : {}),
    ...(policy ? { policy } : {}),
    ...(compilation.policies ? { sections: compilation.policies } : {}),
    ...(ir ? { ir } : {}),
    ...(compilation.filter ? { program: compilation.filter.program } : {}),
    actionSpan: (rule: CheckedRule) => entries.get(rule.span)?.action.span ?? rule.syscallSpan,
    noteFor: (rule: CheckedRule) => entries.get(rule.span)?.comment ?? '',
  };
}
