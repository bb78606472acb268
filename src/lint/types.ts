// The vocabulary of `seccompile lint`: rules, findings, and what a rule sees of one input.
import type { Arch } from '../arch/arch.ts';
import type { Instruction } from '../bpf/insn.ts';
import type { CheckedPolicy, CheckedRule } from '../check/checked.ts';
import type { Diagnostic, DiagnosticCode, RelatedLocation, Severity } from '../diagnostics/diagnostic.ts';
import type { Span } from '../diagnostics/source.ts';
import type { PolicyIr } from '../ir/types.ts';
import type { LoadedProfile, OciProfile } from '../oci/index.ts';
import type { PolicyFile } from '../parser/ast.ts';
import type { Action } from '../seccomp/action.ts';
import type { KernelVersion } from '../seccomp/kernel-version.ts';

export type { Severity } from '../diagnostics/diagnostic.ts';

/** What a rule may be set to: a severity, or off. */
export type Level = Severity | 'off';
export const LEVELS: readonly Level[] = ['off', 'info', 'warning', 'error'];

export type Category = 'correctness' | 'security' | 'compatibility' | 'lint';

export type { KernelVersion };

/** A rule's description: stable ID (kebab-case, also the anchor in docs/lint-rules.md), severity. */
export interface RuleMeta {
  readonly id: string;
  readonly category: Category;
  readonly defaultSeverity: Severity;
  /** One sentence: what the rule reports. */
  readonly summary: string;
  /** Compiler diagnostics reported under this rule (when their span, if any, qualifies). */
  readonly compilerCodes?: readonly DiagnosticCode[];
  /** A rule whose findings cannot be configured or suppressed (the input does not compile). */
  readonly fatal?: boolean;
  /** Runs only when a target kernel is given (--target-kernel, or targetKernel in .seccompile.json). */
  readonly needsTargetKernel?: boolean;
}

/** What a rule reports; the engine adds the rule ID and the configured severity. */
export interface RuleFinding {
  readonly message: string;
  /** Where; absent for findings about a whole input (then `path` of the context is used). */
  readonly span?: Span;
  /** What to do about it. */
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
}

export interface LintRule extends RuleMeta {
  /** Findings of its own (rules that only map compiler diagnostics have none). */
  readonly check?: (context: LintContext) => readonly RuleFinding[];
  /** For rules with compilerCodes: whether a diagnostic of those codes belongs here (default: all do). */
  readonly acceptsDiagnostic?: (diagnostic: Diagnostic, context: LintContext) => boolean;
}

/** A finding as reported. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** The file it is in (the span's file, or the input). */
  readonly path: string;
  readonly span?: Span;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
  /** For profiles: where in the JSON document (`$.syscalls[3].names[2]`). */
  readonly jsonPath?: string;
  /** The compiler diagnostic this finding reports, if it is one. */
  readonly compilerCode?: DiagnosticCode;
  /** A compiler error: the input does not compile; neither configuration nor suppression applies. */
  readonly fatal?: boolean;
  /** Set when an inline suppression covers the finding (reported only by json and sarif). */
  readonly suppression?: { readonly reason: string; readonly span: Span };
}

/** Options that change what the rules check. */
export interface LintOptions {
  /** The oldest kernel the filter must work on; enables the kernel-version rules. */
  readonly targetKernel?: KernelVersion;
  /** The ABI to compile for (default x86_64). */
  readonly arch?: Arch;
  /** A policy for several ABIs (`lint --arch x86_64,i386`), in the order of the filter's arch tests. */
  readonly arches?: readonly Arch[];
}

/** An action of the policy that is not a rule: the default, x32 and foreign-arch verdicts. */
export interface SpecialAction {
  readonly kind: 'default' | 'x32' | 'foreign_arch';
  readonly action: Action;
  /** Where it is set; absent when x32/foreign_arch are left to their implicit kill_process. */
  readonly span?: Span;
}

interface ContextBase {
  /** The ABI the input is compiled for. */
  readonly arch: Arch;
  /** The input as shown in messages. */
  readonly path: string;
  readonly options: LintOptions;
  /** Every diagnostic of the compiler's stages (front end, lowering, code generation). */
  readonly diagnostics: readonly Diagnostic[];
  /** Absent when the input does not get as far as a checked policy. */
  readonly policy?: CheckedPolicy;
  /** Each ABI's checked policy, `policy` first, when the filter is for several. */
  readonly sections?: readonly CheckedPolicy[];
  /** The IR of `policy` (rules that never match removed, neighbouring same-action rules merged). */
  readonly ir?: PolicyIr;
  /** The compiled program, when the input compiles. */
  readonly program?: readonly Instruction[];
  /** The default, x32 and foreign_arch verdicts with where they are set. */
  readonly specialActions: readonly SpecialAction[];
  /** Where the action of a rule is written (the action name, or the profile entry's `action`). */
  actionSpan(rule: CheckedRule): Span;
  /** The comment a rule carries: comment lines right above it or on its line, or a profile entry's `comment`. */
  noteFor(rule: CheckedRule): string;
}

export interface PolicyContext extends ContextBase {
  readonly kind: 'policy';
  /** Every file read, entry first (included files too). */
  readonly files: readonly PolicyFile[];
}

export interface ProfileContext extends ContextBase {
  readonly kind: 'profile';
  /** The profile as read (every entry, whatever applies to this host); absent when it does not parse. */
  readonly profile?: OciProfile;
  readonly loaded: LoadedProfile;
}

export type LintContext = PolicyContext | ProfileContext;

/** The result of linting one input. */
export interface FileResult {
  readonly path: string;
  readonly kind: 'policy' | 'profile';
  /** Sorted by position; suppressed findings included (see Finding.suppression). */
  readonly findings: readonly Finding[];
  /** Files this input read besides itself (includes), for telling fragments from policies. */
  readonly includedPaths: readonly string[];
}
