// Reading inputs and reporting diagnostics for the CLI (outputs: output.ts).
import { formatDiagnostics } from '../diagnostics/format.ts';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { createSourceFile } from '../diagnostics/source.ts';
import { readBounded } from '../host/node-host.ts';
import { decodePolicyText } from '../host/text.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from './errors.ts';

export interface Input {
  /** As shown in messages. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export function readInput(path: string): Input {
  const shown = path === '-' ? '<stdin>' : path;
  const read = readBounded(path);
  if ('error' in read) {
    if (read.tooLarge) throw new CliError(read.error, EXIT_INPUT_ERROR, { code: 'SC5001', path: shown });
    throw new CliError(`cannot read the file: ${read.error}`, EXIT_USAGE, { code: 'SC5001', path: shown });
  }
  return { path: shown, bytes: read.bytes };
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

/** Diagnostics printed in full; the rest are counted by code (a generated policy can have thousands). */
const MAX_PRINTED = 100;

/** Prints errors and warnings (and notes with --verbose) to stderr; returns whether any is an error. */
export function report(diagnostics: readonly Diagnostic[]): boolean {
  const shown = verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
  if (shown.length > 0) process.stderr.write(formatDiagnostics(shown.slice(0, MAX_PRINTED), { color: useColor(process.stderr) }) + '\n');
  if (shown.length > MAX_PRINTED) {
    const byCode = new Map<string, number>();
    for (const d of shown.slice(MAX_PRINTED)) byCode.set(`${d.severity} ${d.code}`, (byCode.get(`${d.severity} ${d.code}`) ?? 0) + 1);
    process.stderr.write(`seccompile: ${shown.length - MAX_PRINTED} more not shown: ${[...byCode].map(([what, n]) => `${n} × ${what}`).join(', ')}\n`);
  }
  return hasErrors(diagnostics);
}
