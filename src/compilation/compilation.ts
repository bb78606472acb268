// One input through every stage of the compiler, each stage's result kept: a front end (the
// policy language in policy.ts, OCI profiles in profile.ts) up to the checked policy, then the
// back end every input shares (IR → program). compilePolicy, compileProfile, lint and the command
// line all compile through here, for the target `arch`. The front ends live in modules of their
// own so that compiling a profile never loads the policy-language parser.
import type { Arch } from '../arch/arch.ts';
import { runBackend, type BackendOptions, type CompiledFilter, type CompileResult } from '../backend.ts';
import type { CheckedPolicy } from '../check/checked.ts';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { PolicyIr } from '../ir/types.ts';
import type { LoadedProfile, ProfileOptions } from '../oci/index.ts';
import type { PolicyFile, Statement } from '../parser/ast.ts';
import type { FileHost } from '../parser/load.ts';

export interface CompilationOptions extends BackendOptions, Omit<ProfileOptions, 'arch'> {
  /** The ABI to compile for (default x86_64); for a profile, the host's. */
  readonly arch?: Arch;
  /** A policy for several ABIs, in the order of the filter's arch tests (`arch` is then ignored). */
  readonly arches?: readonly Arch[];
  /** Reads a policy's included files; without it `include` is an error. */
  readonly host?: FileHost;
}

export interface Compilation {
  readonly kind: 'policy' | 'profile';
  readonly path: string;
  readonly arch: Arch;
  /** Every stage's diagnostics, sorted. */
  readonly diagnostics: readonly Diagnostic[];
  /** A policy's files, entry first (none for a profile). */
  readonly files: readonly PolicyFile[];
  /** A policy's syntax tree, includes in place; absent when it does not parse. */
  readonly statements?: readonly Statement[];
  /** A profile's front end: the profile as read, resolved for the host, and its metadata. */
  readonly loaded?: LoadedProfile;
  /** Absent when the front end has errors; the first ABI's when there are several. */
  readonly policy?: CheckedPolicy;
  /** Each ABI's checked policy, when the filter is for several. */
  readonly policies?: readonly CheckedPolicy[];
  /** The IR, also when code generation fails (a program too long): tools analyse it. */
  readonly ir?: PolicyIr;
  /** Present when every stage succeeded. */
  readonly filter?: CompiledFilter;
}

/** What a front end made of the input. */
export type FrontEnd = Omit<Compilation, 'ir' | 'filter' | 'diagnostics'> & { readonly diagnostics: readonly Diagnostic[] };

/** The back end after a front end; every compilation ends here. */
export function finishCompilation(front: FrontEnd, options: BackendOptions): Compilation {
  if (!front.policy) return { ...front, diagnostics: sortDiagnostics(front.diagnostics) };
  const backend = runBackend(front.policy, { ...options, path: front.path }, front.files, front.policies ?? [front.policy]);
  return {
    ...front, ir: backend.ir,
    diagnostics: sortDiagnostics([...front.diagnostics, ...backend.diagnostics]),
    ...(backend.filter ? { filter: backend.filter } : {}),
  };
}

/**
 * Inputs are bounded (nesting, chain length) so a RangeError should not happen; if one does, the
 * compilation says so plainly rather than crash.
 */
export function guardDepth(kind: Compilation['kind'], path: string, arch: Arch, run: () => Compilation): Compilation {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const diagnostics: Diagnostic[] = [{ code: 'SC1005', severity: 'error', path, message: `the ${kind} is too deeply nested to compile (${error.message})` }];
    return { kind, path, arch, diagnostics, files: [] };
  }
}

/** The library's result of a compilation: the filter when every stage succeeded. */
export function compileResult(compilation: Compilation): CompileResult {
  const { filter, diagnostics } = compilation;
  return filter && !diagnostics.some((d) => d.severity === 'error') ? { ok: true, filter, diagnostics } : { ok: false, diagnostics };
}
