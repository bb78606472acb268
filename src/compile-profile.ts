// The library's compile call for OCI/Docker seccomp profiles, through the one compilation every
// command uses (src/compilation/). Apart from compile.ts so that it never loads the policy parser.
import type { BackendOptions, CompileResult } from './backend.ts';
import { compileResult, type CompilationOptions } from './compilation/compilation.ts';
import { compileProfileText } from './compilation/profile.ts';
import type { OciMetadata, ProfileOptions } from './oci/index.ts';

export type ProfileCompileResult = CompileResult & { readonly metadata?: OciMetadata };

/** Compiles a profile (JSON) as runc and libseccomp would on a host of `arch` (default x86_64). */
export function compileProfile(text: string, options: ProfileOptions & BackendOptions = {}): ProfileCompileResult {
  const compilation = compileProfileText(text, options as CompilationOptions);
  const metadata = compilation.loaded?.metadata;
  return { ...compileResult(compilation), ...(metadata ? { metadata } : {}) };
}
