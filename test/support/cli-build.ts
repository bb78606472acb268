// Where the built CLI is. test/global-setup.ts builds it before any test file runs.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'seccompile.js');
