// The policy-language front end of a compilation: text → tokens → syntax tree → checked policy.
import { DEFAULT_ARCH } from '../arch/index.ts';
import { checkPolicy } from '../check/index.ts';
import { createSourceFile } from '../diagnostics/source.ts';
import { loadPolicy } from '../parser/load.ts';
import { finishCompilation, guardDepth, type Compilation, type CompilationOptions } from './compilation.ts';

export function compilePolicyText(text: string, options: CompilationOptions = {}): Compilation {
  const path = options.path ?? '<policy>';
  const arch = options.arch ?? DEFAULT_ARCH;
  return guardDepth('policy', path, arch, () => {
    const entry = createSourceFile(path, text);
    const loaded = loadPolicy(entry, options.host);
    const base = { kind: 'policy' as const, path, arch, files: loaded.files };
    if (!loaded.statements) return finishCompilation({ ...base, diagnostics: loaded.diagnostics }, options);
    const checked = checkPolicy(loaded.statements, entry, arch);
    const diagnostics = [...loaded.diagnostics, ...checked.diagnostics];
    return finishCompilation({ ...base, statements: loaded.statements, diagnostics, ...(checked.policy ? { policy: checked.policy } : {}) }, options);
  });
}
