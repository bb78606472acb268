// Text on standard output. The stream is only created when something is written to it: a compile
// to a file never pays for it.

let guarded = false;

/** Writes to standard output; a reader that went away (`seccompile … | head`) ends the run quietly. */
export function writeStdout(text: string): void {
  if (!guarded) {
    guarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  process.stdout.write(text);
}
