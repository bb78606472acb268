// File access for the loader, backed by the file system (the library itself never touches files).
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { FileHost } from '../parser/load.ts';
import { decodePolicyText, formatSize, MAX_INPUT_BYTES } from './text.ts';

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
      const read = readBounded(path);
      if ('error' in read) return read;
      const decoded = decodePolicyText(read.bytes);
      return 'text' in decoded ? decoded : { error: decoded.error };
    } catch (error) {
      return { error: describeReadError(error) };
    }
  },
};

/**
 * A file's bytes, `-` for standard input, never more than `limit`: a regular file is refused by
 * its size before it is read, anything else (a pipe, /dev/zero, a FIFO) is read up to one byte past
 * the limit and then refused. Directories are refused.
 */
export function readBounded(path: string, limit = MAX_INPUT_BYTES): { readonly bytes: Buffer } | { readonly error: string; readonly tooLarge?: true } {
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (error) {
    return { error: describeReadError(error) };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { error: 'it is a directory' };
    const tooLarge = (size: string): { error: string; tooLarge: true } => ({ error: `the input is ${size}; inputs are limited to ${formatSize(limit)}`, tooLarge: true });
    if (stat.isFile() && stat.size > limit) return tooLarge(formatSize(stat.size));
    const chunks: Buffer[] = [];
    let total = 0;
    // A regular file gives its size: read in one piece of that size and a byte more (a file that
    // grows meanwhile goes on in pieces); a pipe or a terminal, in pieces of 64 KiB.
    const size = stat.isFile() ? stat.size + 1 : 1 << 16;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(total === 0 ? size : 1 << 16, limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw error;
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) return tooLarge(`over ${formatSize(limit)}`);
    }
    return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
  } catch (error) {
    return { error: describeReadError(error) };
  } finally {
    if (path !== '-') closeSync(fd);
  }
}
