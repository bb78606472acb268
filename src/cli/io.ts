// Reading inputs, writing outputs and reporting diagnostics for the CLI.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatDiagnostics } from '../diagnostics/format.ts';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.ts';

import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from './errors.ts';

/** Inputs larger than this are refused before parsing. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

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
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot read the file: ${reason}`, EXIT_USAGE, { code: 'SC5001', path });
  }
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new CliError(`the input is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; inputs are limited to ${MAX_INPUT_BYTES / 1024 / 1024} MiB`, EXIT_INPUT_ERROR, { code: 'SC5001', path });
  }
  return { path: path === '-' ? '<stdin>' : path, bytes };
}

/** The text of a policy, or an error when the bytes are not text (a compiled filter, an image…). */
export function decodeText(input: Input): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(input.bytes);
  const nul = input.bytes.indexOf(0);
  if (nul >= 0 || text.includes('\uFFFD')) {
    throw new CliError('this is binary data, not a policy', EXIT_INPUT_ERROR, { code: 'SC5002', path: input.path, hint: 'to read a compiled filter, use `seccompile disasm`' });
  }
  return text.replace(/^\uFEFF/, '');
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env['NO_COLOR']) return false;
  if (process.env['FORCE_COLOR'] && process.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

/** Prints diagnostics to stderr; returns whether any is an error. */
export function report(diagnostics: readonly Diagnostic[]): boolean {
  if (diagnostics.length > 0) process.stderr.write(formatDiagnostics(diagnostics, { color: useColor(process.stderr) }) + '\n');
  return hasErrors(diagnostics);
}

/**
 * Writes the whole output or nothing: a file is written under a temporary name and renamed into
 * place, so a failure never leaves a half-written file. `-` is standard output.
 */
export function writeOutput(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (path === '-') {
    if (typeof data !== 'string' && process.stdout.isTTY) {
      throw new CliError('refusing to write a binary filter to the terminal', EXIT_USAGE, { hint: 'redirect it to a file, give `-o FILE`, or choose a readable `--format asm`, `c` or `json`' });
    }
    writeAll(1, bytes);
    return;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o644);
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`, EXIT_USAGE);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A non-blocking pipe that is full: try again.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}
