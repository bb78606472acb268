// Writing a command's output: standard output, a file descriptor the shell gave us, a special file,
// or a regular file replaced atomically. Hostile places are expected: a shared directory where
// another user plants symbolic links, a full disk, a pipe that closes, a reader that wants `>>`.
import { accessSync, chmodSync, closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeIoError } from '../host/node-host.ts';
import { CliError, EXIT_IO_ERROR, EXIT_USAGE } from './errors.ts';

/** A path that names no place we may write is a usage error (2); a write that fails is an I/O error (74). */
const WRONG_PATH = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG']);

function writeError(what: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new CliError(`cannot write ${what}: ${describeIoError(error)}`, WRONG_PATH.has(code) ? EXIT_USAGE : EXIT_IO_ERROR);
}

/** A reader that went away (`seccompile … | head`) is not an error: stop writing quietly. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}

/**
 * Writes the whole output or nothing.
 * - `-`: standard output (never raw bytes to a terminal).
 * - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: that descriptor, as it is (a
 *   pipe, or a file the shell opened with `>>`, which keeps its append mode).
 * - A FIFO, a character device, or any existing file that is not a regular file: written in place.
 * - A regular file: written under a temporary name in its directory, created exclusively (never
 *   through a link planted under that name), then renamed over the target, so a failure never
 *   leaves a half-written file. A file replaced keeps its mode; a new one is made under the umask.
 *   A symbolic link is followed only when the current user or root owns it. (No fsync: the rename
 *   is atomic for every reader; surviving a power cut is the build system's business.)
 */
export function writeOutput(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (path === '-') {
    if (typeof data !== 'string' && process.stdout.isTTY) {
      throw new CliError('refusing to write a binary filter to the terminal', EXIT_USAGE, { hint: 'redirect it to a file, give `-o FILE`, or choose a readable `--format asm`, `c` or `json`' });
    }
    return writeToDescriptor(1, bytes, 'standard output');
  }
  const inherited = inheritedDescriptor(path);
  if (inherited !== undefined) return writeToDescriptor(inherited, bytes, path);
  const target = resolveTarget(path);
  if (target.stat && !target.stat.isFile()) return writeSpecial(target.path, bytes, path);
  writeAtomically(target.path, target.stat ? target.stat.mode & 0o7777 : undefined, bytes, path);
}

/** The descriptor a path names when it is one of this process's own: written as it is. */
function inheritedDescriptor(path: string): number | undefined {
  const named = /^\/dev\/(stdout|stderr)$/.exec(path);
  const numbered = /^\/(?:dev\/fd|proc\/(?:self|thread-self|(\d+))\/fd)\/(\d+)$/.exec(path);
  const fd = named ? (named[1] === 'stdout' ? 1 : 2) : numbered && (numbered[1] === undefined || Number(numbered[1]) === process.pid) ? Number(numbered[2]) : undefined;
  if (fd === undefined) return undefined;
  try {
    fstatSync(fd);
    return fd;
  } catch {
    return undefined;
  }
}

/** Where to write: the path, or the file its link names when the link may be followed. */
function resolveTarget(path: string): { path: string; stat?: Stats } {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path };
    throw writeError(path, error);
  }
  if (!link.isSymbolicLink()) return { path, stat: link };
  // As the kernel's protected_symlinks does in sticky directories: a link someone else made must
  // not choose which file we replace.
  const uid = process.geteuid?.() ?? link.uid;
  if (link.uid !== uid && link.uid !== 0) {
    throw new CliError(`refusing to write through ${path}: it is a symbolic link owned by another user (uid ${link.uid})`, EXIT_USAGE, { hint: 'remove the link, or write to the file it names' });
  }
  try {
    const real = realpathSync(path);
    return { path: real, stat: statSync(real) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path: join(dirname(path), basename(path)) };
    throw writeError(path, error);
  }
}

function writeSpecial(target: string, bytes: Uint8Array, shown: string): void {
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_NOCTTY);
  } catch (error) {
    throw writeError(shown, error);
  }
  try {
    writeToDescriptor(fd, bytes, shown);
  } finally {
    closeSync(fd);
  }
}

/** `.NAME.PID-RANDOM.tmp` beside the target: unpredictable, and tied to the process that made it. */
const TEMPORARY = /^\.(.*)\.(\d+)(?:-[0-9a-f]{16})?\.tmp$/;

function writeAtomically(target: string, mode: number | undefined, bytes: Uint8Array, shown: string): void {
  const dir = dirname(target);
  removeStaleTemporaries(dir, basename(target));
  let temporary = '';
  let fd: number | undefined;
  // `temporary` names the file only once it was created: a name planted by someone else is theirs.
  try {
    // O_EXCL: never reuse or follow anything already there under this name. The random part
    // keeps names unguessable; a name someone planted anyway is skipped for another. (Not
    // node:crypto: loading it costs a compile 3 ms at start, and O_EXCL is the protection.)
    for (let attempt = 0; fd === undefined; attempt++) {
      const name = join(dir, `.${basename(target)}.${process.pid}-${randomHex()}.tmp`);
      try {
        fd = openSync(name, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode ?? 0o666);
        temporary = name;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 9) throw error;
      }
    }
    writeToDescriptor(fd, bytes, shown);
    if (mode !== undefined) chmodSync(temporary, mode);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    // The temporary file, once created, is ours to remove ('' while none was created).
    if (temporary !== '') rmSync(temporary, { force: true });
    if (error instanceof CliError || error instanceof OutputClosed) throw error;
    throw writeError(shown, error);
  }
}

/**
 * Temporary files of the same target left by a run that was killed (SIGKILL leaves no chance to
 * clean up): ours to remove when the process that made them is gone. Others' are left alone.
 */
function removeStaleTemporaries(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  const uid = process.geteuid?.();
  for (const entry of entries) {
    const match = TEMPORARY.exec(entry);
    if (!match || match[1] !== name || Number(match[2]) === process.pid || processExists(Number(match[2]))) continue;
    try {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      if (stat.isFile() && (uid === undefined || stat.uid === uid)) rmSync(path, { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** 16 hexadecimal digits. */
function randomHex(): string {
  const part = (): string => Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return part() + part();
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes every byte; a closed pipe ends the run quietly, any other failure is an I/O error. */
export function writeToDescriptor(fd: number, bytes: Uint8Array, shown: string): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new OutputClosed();
      // A non-blocking pipe that is full: try again.
      if (code === 'EAGAIN') continue;
      throw writeError(shown === 'standard output' ? 'to standard output' : shown, error);
    }
  }
}

/**
 * Stops before an output would replace one of the command's inputs (the policy, a file it
 * includes): `compile p.policy -o p.policy` would destroy the source. Files are compared by
 * identity, so another spelling or a link to an input counts too.
 */
export function refuseOutputOverInput(output: string | undefined, inputs: readonly string[]): void {
  if (output === undefined || output === '-') return;
  const identity = (path: string): string | undefined => {
    try {
      const stat = statSync(path, { bigint: true });
      return stat.isFile() ? `${stat.dev}:${stat.ino}` : undefined;
    } catch {
      return undefined;
    }
  };
  const target = identity(output);
  if (target === undefined) return;
  const input = inputs.find((path) => path !== '<stdin>' && identity(path) === target);
  if (input !== undefined) throw new CliError(`refusing to write the output over ${input}, an input of this command`, EXIT_USAGE, { hint: 'choose another -o file' });
}

/**
 * Checks, before any work, that `path` can be written: a long-running command (learn) must not
 * find out at the end that its output cannot be saved.
 */
export function checkOutputPath(path: string | undefined): void {
  if (path === undefined || path === '-' || inheritedDescriptor(path) !== undefined) return;
  const target = resolveTarget(path);
  if (target.stat?.isDirectory()) throw new CliError(`cannot write ${path}: it is a directory`, EXIT_USAGE);
  try {
    accessSync(target.stat ? target.path : dirname(target.path), target.stat ? constants.W_OK : constants.W_OK | constants.X_OK);
  } catch (error) {
    throw writeError(path, error);
  }
}
