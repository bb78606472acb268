#!/usr/bin/env node
// Bundles seccompile with esbuild:
// - dist/index.js: the library (ESM).
// - dist/cli/<command>.cjs: the CLI once for each command in src/cli/commands/, holding only that
//   command's code (the others are stubs that are never loaded), and dist/cli/base.cjs with no
//   command (help, version, usage errors). bin/seccompile.js picks the bundle for the command it
//   runs. CommonJS, because on Node 20 only classic scripts can start from V8's code cache
//   (vm.Script cachedData); scripts/code-cache.mjs then makes each bundle's cache.
// - dist/types/: the library's type declarations (tsc with tsconfig.types.json), made beside the
//   bundles in a process of its own.
//
// Files are written in place, never deleted first: a CLI started from the previous build (a test
// running meanwhile) keeps finding its files. Files the new build did not produce are removed once
// they are a minute old.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFiles, writeCodeCaches } from './code-cache.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const commands = readdirSync(join(root, 'src', 'cli', 'commands')).filter((name) => name.endsWith('.ts')).map((name) => basename(name, '.ts'));

// z3-solver (verify) stays a package of its own: 30 MB of WebAssembly, loaded only by verify.
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', sourcemap: false, legalComments: 'none', logLevel: 'warning', minifySyntax: true, minifyWhitespace: true, metafile: true, external: ['z3-solver'] };

/** Replaces every command module but `keep` with a stub: a bundle holds one command's code. */
function onlyCommand(keep) {
  return {
    name: 'only-command',
    setup(build) {
      build.onResolve({ filter: /^\.\/commands\/[a-z-]+\.ts$/ }, (args) => (basename(args.path, '.ts') === keep ? undefined : { path: args.path, namespace: 'stub' }));
      build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ loader: 'js', contents: `throw new Error(${JSON.stringify(`internal error: ${args.path} is not in this bundle`)});` }));
    },
  };
}

/**
 * Built-in modules a bundle needs only now and then, loaded on first use instead of at start:
 * child_process, which commander needs only for stand-alone executable subcommands (seccompile has
 * none; loading it with net and stream would cost more than a small compile), and os, which the
 * OCI importer needs only for `--kernel host` (0.2–0.3 ms at every start otherwise). Each names
 * the importer and the functions it calls (a name left out would be undefined in the bundle;
 * test/oci/cli.test.ts compiles with `--kernel host` through the CLI).
 */
const LAZY_BUILTINS = [
  { module: 'node:child_process', importer: /[\\/]node_modules[\\/]commander[\\/]/, functions: ['spawn'] },
  { module: 'node:os', importer: /[\\/]src[\\/]oci[\\/]index\.ts$/, functions: ['release'] },
];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => (LAZY_BUILTINS.some((lazy) => lazy.module === args.path && lazy.importer.test(args.importer)) ? { path: args.path, namespace: 'lazy' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const { module, functions } = LAZY_BUILTINS.find((lazy) => lazy.module === args.path);
      const members = functions.map((name) => `${name}: (...args) => (real ??= require(${JSON.stringify(module)})).${name}(...args)`);
      return { loader: 'js', contents: `let real; module.exports = { ${members.join(', ')} };` };
    });
  },
};

/** Writes bundles with their id (see bin/load-bundle.js) on the first line. */
function writeStamped(result) {
  for (const file of result.outputFiles) {
    // The old caches go first: they must never meet the new text.
    for (const cache of cacheFiles(file.path)) rmSync(cache, { force: true });
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, `// ${createHash('sha256').update(file.contents).digest('hex').slice(0, 16)}\n${file.text}`);
  }
  return result;
}

async function cliBundle(name, keep) {
  return writeStamped(await build({
    ...common, entryPoints: ['src/cli/main.ts'], outfile: `dist/cli/${name}.cjs`, format: 'cjs', plugins: [onlyCommand(keep), lazyBuiltins], write: false,
    // Short names: V8 keeps every function's variable names in the code cache and interns them as
    // it loads it; loading compile.cjs took 7.2 ms with full names, 5.3 ms with short ones (20
    // runs each). The library keeps its names; a CLI stack trace (SECCOMPILE_DEBUG) already
    // points into one long minified line.
    minifyIdentifiers: true,
    // Modules that find the package's files from their own location (docs, the native helper);
    // made when asked for, as most runs never do.
    define: { 'import.meta.url': '__seccompileModule.url' },
    banner: { js: 'const __seccompileModule = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  }));
}

/** The declarations, from scratch: a module the library no longer has must not keep its file. */
function declarations() {
  rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`type declarations: tsc exited with ${code}`))));
  });
}

const typesDone = declarations();
const results = await Promise.all([
  // Bundled CommonJS dependencies (commander) call require() for Node built-ins.
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', format: 'esm', banner: { js: "import { createRequire as __seccompileCreateRequire } from 'node:module'; const require = __seccompileCreateRequire(import.meta.url);" } }),
  cliBundle('base', null),
  ...commands.map((command) => cliBundle(command, command)),
]);

await writeCodeCaches(root, ['base', ...commands]);
await typesDone;

const produced = new Set(results.flatMap((result) => Object.keys(result.metafile.outputs)).flatMap((path) => [join(root, path), ...cacheFiles(join(root, path))]));
const staleAfter = Date.now() - 60_000;
for (const dir of [join(root, 'dist'), join(root, 'dist', 'cli')]) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isFile() && !produced.has(path) && stat.mtimeMs < staleAfter) rmSync(path, { force: true });
  }
}
