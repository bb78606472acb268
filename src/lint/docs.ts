// Links to the rules' documentation: docs/lint-rules.md#RULE-ID. Without a configured base URL
// they point at the copy installed with seccompile (the package ships docs/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const RULES_DOC = 'docs/lint-rules.md';

let packageRoot: string | null | undefined;

/** The seccompile package's directory, found from this module (in src/ or bundled in dist/). */
function findPackageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'seccompile') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The documentation of a rule: `${base}#id`, or the installed docs/lint-rules.md. */
export function ruleDocsUrl(id: string, base?: string): string {
  if (base) return `${base.replace(/#.*$/, '')}#${id}`;
  packageRoot ??= findPackageRoot();
  return packageRoot ? `${pathToFileURL(join(packageRoot, RULES_DOC)).href}#${id}` : `${RULES_DOC}#${id}`;
}
