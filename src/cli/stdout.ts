// Text on standard output. The stream is only created when something is written to it: a compile
// to a file never pays for it.
import { describeIoError } from '../host/node-host.ts';
import { EXIT_IO_ERROR } from './errors.ts';

let guarded = false;

/**
 * Writes to standard output. A reader that went away (`seccompile … | head`) ends the run quietly;
 * any other failure (a full disk, `> /dev/full`) is one line and the I/O exit status, 74.
 */
export function writeStdout(text: string): void {
  if (!guarded) {
    guarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      process.stderr.write(`seccompile: error: cannot write to standard output: ${describeIoError(error)}\n`);
      process.exit(EXIT_IO_ERROR);
    });
  }
  process.stdout.write(text);
}
