// One diagnostic type for every stage: parser, checker, IR analysis, code generation, CLI input.
import type { Span } from './source.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedLocation {
  readonly message: string;
  readonly span: Span;
}

export interface Diagnostic {
  /** Stable code, e.g. `SC2001`; see DIAGNOSTIC_CODES. */
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Where it applies; absent for problems of a whole input (e.g. an unreadable file). */
  readonly span?: Span;
  /** Path of the input when there is no span. */
  readonly path?: string;
  /** What to do about it. */
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
}

/**
 * Every diagnostic code with a one-line description. SC1xxx: lexing and parsing;
 * SC2xxx: names, constants and types; SC3xxx: policy structure and rule analysis;
 * SC4xxx: code generation and program limits; SC5xxx: inputs and files; SC6xxx: optimiser inputs;
 * SC7xxx: OCI and Docker seccomp profiles.
 */
export const DIAGNOSTIC_CODES = {
  SC1001: 'unexpected character',
  SC1002: 'syntax error',
  SC1003: 'invalid number literal',
  SC1004: 'unterminated string',
  SC1005: 'expression nested too deeply or too long',
  SC2001: 'unknown syscall',
  SC2002: 'unknown action',
  SC2003: 'unknown constant or argument',
  SC2004: 'bad action argument',
  SC2005: 'value out of range for the argument width',
  SC2006: 'expression has the wrong type',
  SC2007: 'unsupported argument expression',
  SC2008: 'constant redefined',
  SC2009: 'constant shadows a built-in name',
  SC2010: 'syscall number out of range',
  SC2011: 'ordered comparison with a negative value',
  SC2013: 'constant arithmetic overflow or invalid shift',
  SC2014: 'argument beyond the syscall\'s parameters',
  SC2015: 'unknown architecture',
  SC2016: 'syscall missing on one of several ABIs',
  SC2017: 'unknown syscall group',
  SC3001: 'missing default action',
  SC3002: 'default action given twice',
  SC3003: 'syscall listed twice in one rule',
  SC3004: 'rule can never match',
  SC3005: 'condition is always true',
  SC3006: 'include cycle',
  SC3007: 'include file not found',
  SC3008: 'x32 or foreign-arch action given twice',
  SC3009: 'x32 or foreign-arch calls allowed without any rule',
  SC3010: 'rule lists no syscalls',
  SC3011: 'statement not allowed in an arch block',
  SC3012: 'x32 action without effect on the target',
  SC3013: 'release outside the history of syscalls',
  SC4001: 'program too long',
  SC4002: 'program rejected by the kernel rules',
  SC4003: 'filter flags the kernel refuses to combine',
  SC5001: 'cannot read input',
  SC5002: 'input is not a policy',
  SC5003: 'invalid BPF program file',
  SC6001: 'invalid syscall profile',
  SC6002: 'unknown syscall in a profile',
  SC7001: 'invalid JSON',
  SC7002: 'profile does not match the OCI seccomp schema',
  SC7003: 'unknown or misspelt field in a profile',
  SC7004: 'syscall name unknown on x86-64',
  SC7005: 'syscall of another architecture skipped',
  SC7006: 'profile entry without effect',
  SC7007: 'libseccomp or runc would refuse the profile',
  SC7008: 'architecture not compiled',
  SC7009: 'entries overlap with different actions',
  SC7010: 'runtimes read this differently',
  SC7011: 'the kernel a profile is resolved for',
  SC7012: 'policy cannot be exported to OCI exactly',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Diagnostics in a stable order (by file, then position, then code), exact repeats dropped. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.code}\0${d.span?.file.path ?? d.path}\0${d.span?.start}\0${d.span?.end}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => {
    const pa = a.span?.file.path ?? a.path ?? '';
    const pb = b.span?.file.path ?? b.path ?? '';
    if (pa !== pb) return pa < pb ? -1 : 1;
    const oa = a.span?.start ?? -1;
    const ob = b.span?.start ?? -1;
    if (oa !== ob) return oa - ob;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
