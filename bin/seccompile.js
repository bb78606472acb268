#!/usr/bin/env node
// Entry point of the `seccompile` command: loads the bundled CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('seccompile: the CLI is not built; run `npm run build` in the package directory\n');
  process.exit(2);
}
await import(cli.href);
