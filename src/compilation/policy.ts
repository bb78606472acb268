// The policy-language front end of a compilation: text → tokens → syntax tree → checked policy.
import { DEFAULT_ARCH } from '../arch/index.ts';
import { checkPolicy } from '../check/index.ts';
import { createSourceFile } from '../diagnostics/source.ts';
import { loadPolicy } from '../parser/load.ts';
import { finishCompilation, guardDepth, type Compilation, type CompilationOptions } from './compilation.ts';

export function compilePolicyText(text: string, options: CompilationOptions = {}): Compilation {
  const path = options.path ?? '<policy>';
  const targets = options.arches && options.arches.length > 0 ? options.arches : [options.arch ?? DEFAULT_ARCH];
  const arch = targets[0]!;
  return guardDepth('policy', path, arch, () => {
    const entry = createSourceFile(path, text);
    const loaded = loadPolicy(entry, options.host);
    const base = { kind: 'policy' as const, path, arch, files: loaded.files };
    if (!loaded.statements) return finishCompilation({ ...base, diagnostics: loaded.diagnostics }, options);
    const checks = targets.map((target) => checkPolicy(loaded.statements!, entry, target, targets));
    // What every ABI's check finds alike (a constant out of range, say) is said once:
    // finishCompilation sorts the diagnostics, which drops exact repeats.
    const diagnostics = [...loaded.diagnostics, ...checks.flatMap((c) => c.diagnostics)];
    const policies = checks.map((c) => c.policy);
    const checked = policies.every((p) => p !== undefined) ? { policy: policies[0]!, ...(targets.length > 1 ? { policies } : {}) } : {};
    return finishCompilation({ ...base, statements: loaded.statements, diagnostics, ...checked }, options);
  });
}
