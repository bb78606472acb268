// File access for the loader, backed by the file system (the library itself never touches files).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { FileHost } from '../parser/load.ts';

export const nodeFileHost: FileHost = {
  resolve(from, spec) {
    return normalize(isAbsolute(spec) ? spec : join(dirname(from), spec));
  },
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};
