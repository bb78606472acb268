// The library's compile call for the policy language, through the one compilation every command
// uses (src/compilation/); compileProfile (compile-profile.ts) is its twin for OCI profiles.
import type { Arch } from './arch/arch.ts';
import type { BackendOptions, CompileResult } from './backend.ts';
import { compileResult } from './compilation/compilation.ts';
import { compilePolicyText } from './compilation/policy.ts';
import type { FileHost } from './parser/load.ts';

export interface CompileOptions extends BackendOptions {
  /** The ABI to compile for (default x86-64; see src/arch/). */
  readonly arch?: Arch;
  /** Several ABIs in one filter, in the order of its arch tests (then `arch` is not used). */
  readonly arches?: readonly Arch[];
  /** Reads included files; without it `include` is an error. Include paths are relative to `path`. */
  readonly host?: FileHost;
}

/** Compiles a policy-language text. */
export function compilePolicy(text: string, options: CompileOptions = {}): CompileResult {
  return compileResult(compilePolicyText(text, options));
}

export { compileChecked, type BackendOptions, type CompiledFilter, type CompileResult } from './backend.ts';
