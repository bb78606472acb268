#!/usr/bin/env node
'use strict';
// Entry point of the `seccompile` command. Start-up is most of a compile's wall time, so each
// command has its own bundle with only its code (dist/cli/<command>.cjs, from V8's code cache);
// anything else (help, version, an unknown command) runs the bundle without any command.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { loadBundle } = require('./load-bundle.js');

const argv = process.argv.slice(2);
const bundles = join(__dirname, '..', 'dist', 'cli');
// Global options come before the command and take no value: the first word is the command.
const command = argv.find((arg) => !arg.startsWith('-'));
let bundle = command !== undefined && /^[a-z][a-z-]*$/.test(command) ? join(bundles, `${command}.cjs`) : undefined;
if (bundle === undefined || !existsSync(bundle)) bundle = join(bundles, 'base.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('seccompile: the CLI is not built; run `npm run build` in the package directory\n');
  process.exit(2);
}
// A profile (JSON) needs little of the policy front end: `compile` has a cache trained on profiles
// alone, smaller to load. A wrong guess only costs a slower start.
const outputFlag = /^(-o|--output)$/;
const profileInput = command === 'compile' && argv.some((arg, i) =>
  (!arg.startsWith('-') && arg.endsWith('.json') && !outputFlag.test(argv[i - 1] ?? '')) || arg === '--input=oci' || (arg === 'oci' && argv[i - 1] === '--input'));
loadBundle(bundle, { variant: profileInput ? 'oci' : undefined }).exports.main(argv).then((code) => {
  process.exitCode = code;
});
