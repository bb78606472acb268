#!/usr/bin/env node
// Bundles the CLI and the library with esbuild. The CLI is split so that each command's code is
// loaded only when that command runs.
//
// The bundle is written in place, never deleted first: a CLI started from the previous build (a
// test running meanwhile) keeps finding its chunks. Files the new build did not produce are
// removed once they are a minute old.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Bundled CommonJS dependencies (commander) call require() for Node built-ins.
const banner = { js: "import { createRequire as __seccompileCreateRequire } from 'node:module'; const require = __seccompileCreateRequire(import.meta.url);" };
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: false, legalComments: 'none', logLevel: 'warning', banner };

const result = await build({
  ...common, absWorkingDir: root, entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]', minifySyntax: true, metafile: true,
});

const produced = new Set(Object.keys(result.metafile.outputs).map((p) => join(root, p)));
const staleAfter = Date.now() - 60_000;
for (const dir of [join(root, 'dist'), join(root, 'dist', 'chunks')]) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isFile() && !produced.has(path) && stat.mtimeMs < staleAfter) rmSync(path, { force: true });
  }
}
