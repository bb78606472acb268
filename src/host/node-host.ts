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
  return describeIoError(error);
}

const IO_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EIO: 'input/output error', EROFS: 'read-only file system',
  EACCES: 'permission denied', EPERM: 'operation not permitted', ENOENT: 'no such file or directory', ENOTDIR: 'not a directory',
  EISDIR: 'it is a directory', ELOOP: 'too many levels of symbolic links', EEXIST: 'file exists', EXDEV: 'cross-device link',
  EMFILE: 'too many open files', ENFILE: 'too many open files in the system', EFBIG: 'file too large', ENXIO: 'no reader on the other end',
  ETXTBSY: 'text file busy', EBADF: 'bad file descriptor', EINVAL: 'invalid argument',
};
/** errno numbers (x86-64) that libuv reports as UNKNOWN. */
const UNKNOWN_ERRNOS: Readonly<Record<number, string>> = { 122: 'EDQUOT' };

/** A failed system call in words, with its code: `no space left on device (ENOSPC)`. */
export function describeIoError(error: unknown): string {
  const failure = error as NodeJS.ErrnoException;
  const code = failure.code === 'UNKNOWN' && failure.errno !== undefined ? UNKNOWN_ERRNOS[Math.abs(failure.errno)] ?? failure.code : failure.code;
  if (code && IO_ERRORS[code]) return `${IO_ERRORS[code]} (${code})`;
  return code ? `${failure.message.replace(/^[A-Z]+: /, '').replace(/, \w+ .*$/, '')} (${code})` : failure.message;
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
