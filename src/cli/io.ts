// Reading inputs, writing outputs and reporting diagnostics for the CLI.
import { chmodSync, closeSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatDiagnostics } from '../diagnostics/format.ts';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { createSourceFile } from '../diagnostics/source.ts';
import { describeReadError } from '../host/node-host.ts';
import { decodePolicyText, MAX_POLICY_BYTES } from '../host/text.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from './errors.ts';

export interface Input {
  /** As shown in messages. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export function readInput(path: string): Input {
  let bytes: Buffer;
  try {
    bytes = path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read the file: ${describeReadError(error)}`, EXIT_USAGE, { code: 'SC5001', path });
  }
  if (bytes.length > MAX_POLICY_BYTES) {
    throw new CliError(`the input is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; inputs are limited to ${MAX_POLICY_BYTES / 1024 / 1024} MiB`, EXIT_INPUT_ERROR, { code: 'SC5001', path });
  }
  return { path: path === '-' ? '<stdin>' : path, bytes };
}

/** The text of a policy, or an error when the bytes are not text (a compiled filter, an image…). */
export function decodeText(input: Input): string {
  const decoded = decodePolicyText(input.bytes);
  if ('text' in decoded) return decoded.text;
  if (decoded.binary) {
    throw new CliError(decoded.error, EXIT_INPUT_ERROR, { code: 'SC5002', path: input.path, hint: 'to read a compiled filter, use `seccompile disasm`' });
  }
  if (decoded.at) {
    // Show where the bad byte is, on the line as far as it decodes.
    const file = createSourceFile(input.path, new TextDecoder('utf-8').decode(input.bytes));
    const start = file.lineStarts[decoded.at.line - 1]! + decoded.at.column - 1;
    report([{ code: 'SC5002', severity: 'error', message: decoded.error.replace(/ at line \d+, column \d+/, ''), span: { file, start, end: start + 1 }, hint: 'save the file as UTF-8' }]);
    throw new CliError('', EXIT_INPUT_ERROR);
  }
  throw new CliError(decoded.error, EXIT_INPUT_ERROR, { code: 'SC5001', path: input.path });
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env['NO_COLOR']) return false;
  const force = process.env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

let verbose = false;

/** `--verbose`: print notes (info diagnostics) too. */
export function setVerbose(on: boolean): void {
  verbose = on;
}

/** Prints errors and warnings (and notes with --verbose) to stderr; returns whether any is an error. */
export function report(diagnostics: readonly Diagnostic[]): boolean {
  const shown = verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
  if (shown.length > 0) process.stderr.write(formatDiagnostics(shown, { color: useColor(process.stderr) }) + '\n');
  return hasErrors(diagnostics);
}

/**
 * Writes the whole output or nothing: a regular file is written under a temporary name and renamed
 * into place (through symlinks, keeping its mode), so a failure never leaves a half-written file.
 * (No fsync: the rename is atomic for every reader; surviving a power cut is the build system's
 * business, and the sync would cost more than a whole compile.)
 * Special files (a FIFO, /dev/stdout) are written directly. `-` is standard output.
 */
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

export function writeOutput(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (path === '-') {
    if (typeof data !== 'string' && process.stdout.isTTY) {
      throw new CliError('refusing to write a binary filter to the terminal', EXIT_USAGE, { hint: 'redirect it to a file, give `-o FILE`, or choose a readable `--format asm`, `c` or `json`' });
    }
    writeAll(1, bytes);
    return;
  }
  let target = path;
  // A file replaced keeps its mode; a new one is made as any other, under the umask.
  let mode: number | undefined;
  try {
    target = realpathSync(path);
    const stat = statSync(target);
    if (!stat.isFile()) return writeSpecial(target, bytes);
    mode = stat.mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot write ${path}: ${describeReadError(error)}`, EXIT_USAGE);
  }
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w', mode ?? 0o666);
    try {
      writeAll(fd, bytes);
    } finally {
      closeSync(fd);
    }
    if (mode !== undefined) chmodSync(temporary, mode);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`, EXIT_USAGE);
  }
}

function writeSpecial(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** A reader that went away (`seccompile … | head`) is not an error: stop writing quietly. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new OutputClosed();
      // A non-blocking pipe that is full: try again.
      if (code !== 'EAGAIN') throw error;
    }
  }
}
