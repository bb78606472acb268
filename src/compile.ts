// The policy-language front end as one library call:
// text → tokens → syntax tree → checked policy, then the shared back end (src/backend.ts).
import { DEFAULT_ARCH, type Arch } from './arch/index.ts';
import { compileChecked, type BackendOptions, type CompileResult } from './backend.ts';
import { checkPolicy } from './check/index.ts';
import { createSourceFile } from './diagnostics/source.ts';
import { loadPolicy, type FileHost } from './parser/load.ts';

export interface CompileOptions extends BackendOptions {
  /** The ABI to compile for (default x86-64; see src/arch/). */
  readonly arch?: Arch;
  /** Reads included files; without it `include` is an error. Include paths are relative to `path`. */
  readonly host?: FileHost;
}

export function compilePolicy(text: string, options: CompileOptions = {}): CompileResult {
  try {
    return runPipeline(text, options);
  } catch (error) {
    // Inputs are bounded (nesting, chain length) so this should not happen; if it does, say so
    // plainly rather than crash.
    if (!(error instanceof RangeError)) throw error;
    return { ok: false, diagnostics: [{ code: 'SC1005', severity: 'error', path: options.path ?? '<policy>', message: `the policy is too deeply nested to compile (${error.message})` }] };
  }
}

function runPipeline(text: string, options: CompileOptions): CompileResult {
  const entry = createSourceFile(options.path ?? '<policy>', text);
  const loaded = loadPolicy(entry, options.host);
  if (!loaded.statements) return { ok: false, diagnostics: loaded.diagnostics };
  const checked = checkPolicy(loaded.statements, entry, options.arch ?? DEFAULT_ARCH);
  const frontend = [...loaded.diagnostics, ...checked.diagnostics];
  if (!checked.policy) return { ok: false, diagnostics: frontend };
  return compileChecked(checked.policy, { ...options, path: entry.path }, frontend, loaded.files);
}

export { compileChecked, type BackendOptions, type CompiledFilter, type CompileResult } from './backend.ts';
