// Where the seccompile package is installed: the docs and the native helper ship with it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | null | undefined;

/**
 * The seccompile package's directory: the nearest directory up from `from` (default: this module,
 * in src/ or bundled in dist/) with a package.json named seccompile.
 */
export function packageRoot(from?: string): string | undefined {
  if (from !== undefined) return search(from);
  found ??= search(fileURLToPath(import.meta.url)) ?? null;
  return found ?? undefined;
}

function search(from: string): string | undefined {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'seccompile') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
