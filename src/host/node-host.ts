// File access for the loader, backed by the file system (the library itself never touches files).
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { FileHost } from '../parser/load.ts';
import { decodePolicyText, MAX_POLICY_BYTES } from './text.ts';

/** Why a path cannot be read, in words. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

export const nodeFileHost: FileHost = {
  resolve(from, spec) {
    return normalize(isAbsolute(spec) ? spec : join(dirname(from), spec));
  },
  identify(path) {
    try {
      const stat = statSync(path, { bigint: true });
      return `${stat.dev}:${stat.ino}`;
    } catch {
      return undefined;
    }
  },
  readFile(path) {
    try {
      // Only regular files of a sane size: an include of /dev/zero must not read forever.
      const stat = statSync(path);
      if (stat.isDirectory()) return { error: 'it is a directory' };
      if (!stat.isFile()) return { error: 'not a regular file' };
      if (stat.size > MAX_POLICY_BYTES) return { error: `the file is ${(stat.size / 1024 / 1024).toFixed(1)} MiB; policies are limited to ${MAX_POLICY_BYTES / 1024 / 1024} MiB` };
      const decoded = decodePolicyText(readFileSync(path));
      return 'text' in decoded ? decoded : { error: decoded.error };
    } catch (error) {
      return { error: describeReadError(error) };
    }
  },
};
