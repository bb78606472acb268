#!/usr/bin/env node
// Bundles seccompile with esbuild:
// - dist/index.js: the library (ESM).
// - dist/cli/<command>.cjs: the CLI once for each command in src/cli/commands/, holding only that
//   command's code (the others are stubs that are never loaded), and dist/cli/base.cjs with no
//   command (help, version, usage errors). bin/seccompile.js picks the bundle for the command it
//   runs. CommonJS, because on Node 20 only classic scripts can start from V8's code cache
//   (vm.Script cachedData); scripts/code-cache.mjs then makes each bundle's cache.
// - dist/cli/chevrotain.cjs: the parser library, a part the command bundles load only when they
//   parse a policy (an OCI profile or a raw filter never needs it), with a cache of its own.
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
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFiles, PARTS, writeCodeCaches } from './code-cache.mjs';

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
 * Commander needs child_process only for stand-alone executable subcommands, which seccompile has
 * none of; loading it (with net and stream) at start would cost more than a small compile.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({ loader: 'js', contents: 'let real; module.exports = { spawn: (...args) => (real ??= require("node:child_process")).spawn(...args) };' }));
  },
};

/**
 * Chalk detects the terminal's colours when it is imported (loading tty and os); seccompile never
 * uses that detection (it makes its own Chalk with the level it chose), so it is left out.
 */
const noColorDetection = {
  name: 'no-color-detection',
  setup(build) {
    build.onResolve({ filter: /^#supports-color$/ }, (args) => ({ path: args.path, namespace: 'no-detection' }));
    build.onLoad({ filter: /.*/, namespace: 'no-detection' }, () => ({ loader: 'js', contents: 'export default { stdout: false, stderr: false };' }));
  },
};

/**
 * A part's import becomes a load of its bundle. Modules are initialised when first used, so the
 * part is only read when a command gets that far (bin/load-bundle.js is shared with the CLI's entry).
 */
const separateParts = {
  name: 'separate-parts',
  setup(build) {
    const parts = new RegExp(`^(${Object.keys(PARTS).join('|')})$`);
    build.onResolve({ filter: parts }, (args) => ({ path: args.path, namespace: 'part' }));
    build.onResolve({ filter: /load-bundle\.js$/, namespace: 'part' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'part' }, (args) => ({
      loader: 'js',
      contents: `module.exports = require("../../bin/load-bundle.js").loadBundle(require("node:path").join(__dirname, ${JSON.stringify(`${args.path}.cjs`)})).exports;`,
    }));
  },
};

/**
 * Chevrotain fills a 65,536-entry table (char code → index for char codes above 255) the first
 * time a lexer is built: 4-13 ms of a cold start, before any policy is read. The table holds
 * `255 + ~~(code / 255)`, so the lookup computes that instead (the same value for every char code
 * a string can hold). If a Chevrotain release changes the code, the build says so and leaves it.
 */
const chevrotainCharCodeTable = {
  name: 'chevrotain-char-code-table',
  setup(build) {
    build.onLoad({ filter: /[\\/]chevrotain[\\/]lib[\\/]src[\\/]scan[\\/]lexer\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const lookup = ': charCodeToOptimizedIdxMap[charCode];';
      const fill = /if \(isEmpty\(charCodeToOptimizedIdxMap\)\) \{\s*charCodeToOptimizedIdxMap = new Array\(65536\);\s*for \(let i = 0; i < 65536; i\+\+\) \{\s*charCodeToOptimizedIdxMap\[i\] = i > 255 \? 255 \+ ~~\(i \/ 255\) : i;\s*\}\s*\}/;
      if (!source.includes(lookup) || !fill.test(source)) {
        return { contents: source, loader: 'js', warnings: [{ text: 'chevrotain\'s char-code table code changed: left as it is (lexers start slower)' }] };
      }
      return { contents: source.replace(lookup, ': 255 + ~~(charCode / 255);').replace(fill, ''), loader: 'js' };
    });
  },
};

/**
 * Chevrotain makes the parser object a prototype (`toFastProperties`, so that V8 keeps its
 * properties fast) before recording the grammar, which adds and then deletes some 90 methods on
 * it: on a prototype every change is slow, and the deletions alone took 3-4 ms of each start.
 * The call moves to the end of the analysis, where it leaves the object as fast as before. If a
 * Chevrotain release changes the code, the build says so and leaves it.
 */
const chevrotainFastPropertiesLast = {
  name: 'chevrotain-fast-properties-last',
  setup(build) {
    build.onLoad({ filter: /[\\/]chevrotain[\\/]lib[\\/]src[\\/]parse[\\/]parser[\\/]parser\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const first = /this\.TRACE_INIT\("toFastProps", \(\) => \{(?:\s*\/\/[^\n]*)*\s*toFastProperties\(this\);\s*\}\);/;
      const end = 'if (!Parser.DEFER_DEFINITION_ERRORS_HANDLING &&';
      if (!first.test(source) || source.split(end).length !== 2) {
        return { contents: source, loader: 'js', warnings: [{ text: 'chevrotain\'s performSelfAnalysis changed: left as it is (parsers start slower)' }] };
      }
      return { contents: source.replace(first, '').replace(end, `toFastProperties(this);\n            ${end}`), loader: 'js' };
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
    ...common, entryPoints: ['src/cli/main.ts'], outfile: `dist/cli/${name}.cjs`, format: 'cjs', plugins: [onlyCommand(keep), lazyChildProcess, noColorDetection, separateParts], write: false,
    // Modules that find the package's files from their own location (docs, the native helper);
    // made when asked for, as most runs never do.
    define: { 'import.meta.url': '__seccompileModule.url' },
    banner: { js: 'const __seccompileModule = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  }));
}

async function partBundle(name) {
  return writeStamped(await build({ ...common, entryPoints: [name], outfile: `dist/cli/${name}.cjs`, format: 'cjs', plugins: [chevrotainCharCodeTable, chevrotainFastPropertiesLast], write: false }));
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
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', format: 'esm', plugins: [chevrotainCharCodeTable, chevrotainFastPropertiesLast], banner: { js: "import { createRequire as __seccompileCreateRequire } from 'node:module'; const require = __seccompileCreateRequire(import.meta.url);" } }),
  cliBundle('base', null),
  ...commands.map((command) => cliBundle(command, command)),
  ...Object.keys(PARTS).map(partBundle),
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
