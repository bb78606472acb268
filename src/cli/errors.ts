// How a command stops with a message and an exit code. Kept free of imports so the CLI's entry
// point stays small.
import type { DiagnosticCode } from '../diagnostics/diagnostic.ts';

/** Exit codes: 0 success, 1 errors in the input (policy, filter), 2 wrong usage, 74 (sysexits' EX_IOERR) an output that cannot be written. */
export const EXIT_INPUT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_IO_ERROR = 74;

/**
 * Raised to stop a command; main prints it (as a diagnostic when it has a code) without a stack.
 * An empty message means the problem was already reported.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
    readonly details: { readonly hint?: string; readonly code?: DiagnosticCode; readonly path?: string } = {},
  ) {
    super(message);
  }
}
