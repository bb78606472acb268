// The OCI-profile front end of a compilation: JSON → profile → resolved for the host → checked policy.
import { DEFAULT_ARCH } from '../arch/index.ts';
import { loadProfile } from '../oci/index.ts';
import { finishCompilation, guardDepth, type Compilation, type CompilationOptions } from './compilation.ts';

export function compileProfileText(text: string, options: CompilationOptions = {}): Compilation {
  const path = options.path ?? '<profile>';
  const arch = options.arch ?? DEFAULT_ARCH;
  return guardDepth('profile', path, arch, () => {
    const loaded = loadProfile(text, path, { ...options, arch });
    return finishCompilation({ kind: 'profile', path, arch, files: [], loaded, diagnostics: loaded.diagnostics, ...(loaded.policy ? { policy: loaded.policy } : {}), ...(loaded.policies ? { policies: loaded.policies } : {}) }, options);
  });
}
