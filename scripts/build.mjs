#!/usr/bin/env node
// Bundles the CLI and the library with esbuild. The CLI is split so that each command's code is
// loaded only when that command runs.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });

// Bundled CommonJS dependencies (commander) call require() for Node built-ins.
const banner = { js: "import { createRequire as __seccompileCreateRequire } from 'node:module'; const require = __seccompileCreateRequire(import.meta.url);" };
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: false, legalComments: 'none', logLevel: 'warning', banner };

await build({ ...common, absWorkingDir: root, entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]', minifySyntax: true });
