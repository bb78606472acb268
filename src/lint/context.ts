// Builds what the rules see of one input: the compiler's stages run one by one, so a rule gets
// whatever the input got as far as (syntax tree, checked policy, IR, program) and every
// diagnostic on the way.
import { DEFAULT_ARCH } from '../arch/index.ts';
import { compileChecked } from '../backend.ts';
import type { CheckedPolicy, CheckedRule } from '../check/checked.ts';
import { checkPolicy } from '../check/index.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { createSourceFile, positionOf, type SourceFile, type Span } from '../diagnostics/source.ts';
import { lowerPolicy } from '../ir/lower.ts';
import type { PolicyIr } from '../ir/types.ts';
import { loadProfile, type ProfileOptions } from '../oci/index.ts';
import type { PolicyFile, RuleStatement, Statement } from '../parser/ast.ts';
import { loadPolicy, type FileHost } from '../parser/load.ts';
import type { Instruction } from '../bpf/insn.ts';
import { KILL_PROCESS } from '../seccomp/action.ts';
import type { LintOptions, PolicyContext, ProfileContext, SpecialAction } from './types.ts';

interface Compiled {
  readonly diagnostics: Diagnostic[];
  readonly ir?: PolicyIr;
  readonly program?: readonly Instruction[];
}

/** Lowering and code generation of a checked policy. */
function compile(policy: CheckedPolicy, path: string, files: readonly PolicyFile[]): Compiled {
  const compiled = compileChecked(policy, { path }, [], files);
  if (compiled.ok) return { diagnostics: [...compiled.diagnostics], ir: compiled.filter.ir, program: compiled.filter.program };
  // Too long, or rejected: the IR is still there to analyse.
  return { diagnostics: [...compiled.diagnostics], ir: lowerPolicy(policy).ir };
}

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

/** Runs the policy-language front end and back end on a text. */
export function policyContext(text: string, path: string, options: LintOptions, host?: FileHost): PolicyContext {
  const arch = options.arch ?? DEFAULT_ARCH;
  const entry = createSourceFile(path, text);
  const diagnostics: Diagnostic[] = [];
  let files: readonly PolicyFile[] = [];
  let statements: readonly Statement[] = [];
  let policy: CheckedPolicy | undefined;
  let compiled: Compiled | undefined;
  try {
    const loaded = loadPolicy(entry, host);
    files = loaded.files;
    diagnostics.push(...loaded.diagnostics);
    if (loaded.statements) {
      statements = loaded.statements;
      const checked = checkPolicy(loaded.statements, entry, arch);
      diagnostics.push(...checked.diagnostics);
      policy = checked.policy;
      if (policy) {
        compiled = compile(policy, path, files);
        diagnostics.push(...compiled.diagnostics);
      }
    }
  } catch (error) {
    // As compilePolicy: inputs are bounded, so this should not happen; say so rather than crash.
    if (!(error instanceof RangeError)) throw error;
    diagnostics.push({ code: 'SC1005', severity: 'error', path, message: `the policy is too deeply nested to compile (${error.message})` });
    policy = undefined;
    compiled = undefined;
  }

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
    arch,
    path,
    options,
    diagnostics,
    files,
    specialActions,
    ...(policy ? { policy } : {}),
    ...(compiled?.ir ? { ir: compiled.ir } : {}),
    ...(compiled?.program ? { program: compiled.program } : {}),
    actionSpan: (rule: CheckedRule) => ruleStatements.get(rule.span)?.action.nameSpan ?? rule.span,
    noteFor: (rule: CheckedRule) => {
      const file = fileOf.get(rule.span.file);
      return file ? commentsAround(file, rule.span) : '';
    },
  };
}

/** Runs the OCI/Docker profile front end and the shared back end on a text. */
export function profileContext(text: string, path: string, options: LintOptions, profileOptions: ProfileOptions): ProfileContext {
  const arch = options.arch ?? DEFAULT_ARCH;
  const loaded = loadProfile(text, path, profileOptions);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const compiled = loaded.policy ? compile(loaded.policy, path, []) : undefined;
  if (compiled) diagnostics.push(...compiled.diagnostics);
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
    arch: loaded.policy?.arch ?? arch,
    path,
    options,
    diagnostics,
    loaded,
    specialActions,
    ...(loaded.profile ? { profile: loaded.profile } : {}),
    ...(policy ? { policy } : {}),
    ...(compiled?.ir ? { ir: compiled.ir } : {}),
    ...(compiled?.program ? { program: compiled.program } : {}),
    actionSpan: (rule: CheckedRule) => entries.get(rule.span)?.action.span ?? rule.syscallSpan,
    noteFor: (rule: CheckedRule) => entries.get(rule.span)?.comment ?? '',
  };
}
