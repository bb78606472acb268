#!/usr/bin/env node
// Builds native/build/seccompile-learn, the helper of `seccompile learn`, with the system C
// compiler. Runs at install time (package.json `postinstall`; `npm rebuild seccompile` reruns it)
// and from the learn tests.
//
// The helper is compiled against two headers seccompile generates itself, so that it and the
// notify kit stay one code base: seccompile_notify.h (`seccompile notify-kit`) and
// learn_filter.h (native/learn.policy compiled with `--format c`). They come from the sources
// (src/, bundled in memory with esbuild) in a checkout, else from the built library (dist/).
//
//   node scripts/build-native.mjs            build; without a C compiler say so and exit 0
//   node scripts/build-native.mjs --strict   any failure is an error (exit 1): for tests and CI
//   node scripts/build-native.mjs --if-stale build only when the helper is older than its source or
//                                            was built with other headers
//
// Installing must never fail because of the helper: without --strict every problem is one
// message and exit status 0, and `seccompile learn` then explains how to enable itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'native');
const buildDir = join(nativeDir, 'build');
const source = join(nativeDir, 'seccompile-learn.c');
const filterPolicy = join(nativeDir, 'learn.policy');
const helper = join(buildDir, 'seccompile-learn');
const strict = process.argv.includes('--strict');
const ifStale = process.argv.includes('--if-stale');

const ENABLE_HINT = 'install a C compiler and the C library headers (Debian/Ubuntu: apt-get install gcc libc6-dev), then run `npm rebuild seccompile`';

/** Ends the script: an error with --strict, else a notice and success (installs must not fail). */
function giveUp(message) {
  process.stderr.write(`seccompile: ${message}; \`seccompile learn\` is disabled\n`);
  process.exit(strict ? 1 : 0);
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The first C compiler that runs: $CC, cc, gcc, clang. */
function findCompiler() {
  const candidates = [process.env.CC, 'cc', 'gcc', 'clang'].filter((c) => c !== undefined && c.trim() !== '');
  for (const candidate of candidates) {
    const [command, ...flags] = candidate.trim().split(/\s+/);
    const probe = spawnSync(command, [...flags, '--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { command, flags };
  }
  return undefined;
}

/** seccompile's library: from the sources when this is a checkout (esbuild, in memory), else dist/. */
async function loadLibrary() {
  const entry = join(root, 'src', 'index.ts');
  if (existsSync(entry)) {
    let esbuild;
    try {
      esbuild = await import('esbuild');
    } catch {
      esbuild = undefined;
    }
    if (esbuild) {
      // Only the modules the headers need, not the whole library: the helper's build does not
      // depend on unrelated work in progress.
      const contents = [
        "export { compilePolicy } from './src/compile.ts';",
        "export { emit } from './src/emit/index.ts';",
        "export { emitNotifyKit } from './src/emit/notify-kit.ts';",
        "export { VERSION } from './src/version.ts';",
      ].join('\n');
      const bundle = await esbuild.build({ stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'build-native-entry.ts' }, bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' });
      const code = bundle.outputFiles[0].text;
      return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    }
  }
  const dist = join(root, 'dist', 'index.js');
  if (existsSync(dist)) return import(pathToFileURL(dist).href);
  return undefined;
}

/** The helper is up to date: newer than its source and this script, built with these headers. */
function upToDate(headers) {
  const built = mtime(helper);
  if (built === undefined) return false;
  if ([source, fileURLToPath(import.meta.url)].some((path) => (mtime(path) ?? Infinity) > built)) return false;
  return Object.entries(headers).every(([name, text]) => {
    try {
      return readFileSync(join(buildDir, name), 'utf8') === text;
    } catch {
      return false;
    }
  });
}

async function main() {
  if (platform() !== 'linux' || arch() !== 'x64') giveUp(`the learn helper needs Linux on x86-64 (this is ${platform()} on ${arch()})`);
  const compiler = findCompiler();
  if (!compiler) giveUp(`no C compiler found (tried ${['$CC', 'cc', 'gcc', 'clang'].join(', ')}): ${ENABLE_HINT}`);

  const library = await loadLibrary();
  if (!library) giveUp('neither the sources with esbuild nor the built library (dist/index.js) are here to generate the helper\'s headers; run `npm run build` first');
  const policy = readFileSync(filterPolicy, 'utf8');
  const compiled = library.compilePolicy(policy, { path: relative(root, filterPolicy) });
  if (!compiled.ok || compiled.diagnostics.length > 0) giveUp(`native/learn.policy does not compile cleanly: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
  const version = library.VERSION;
  const headers = {
    'seccompile_notify.h': library.emitNotifyKit({ version }),
    'learn_filter.h': library.emit(compiled.filter, 'c', { name: 'learn_filter', source: 'native/learn.policy', version }),
  };
  if (ifStale && upToDate(headers)) return;

  mkdirSync(buildDir, { recursive: true });
  // Each build gets its own include directory, so concurrent builds never read a half-written header.
  const unique = `${process.pid}.${Date.now().toString(36)}`;
  const includeDir = join(buildDir, `.include.${unique}`);
  mkdirSync(includeDir, { recursive: true });
  const temporary = `${helper}.${unique}.tmp`;
  try {
    for (const [name, text] of Object.entries(headers)) writeFileSync(join(includeDir, name), text);
    const args = [...compiler.flags, '-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-I', includeDir, '-o', temporary, source];
    const cc = spawnSync(compiler.command, args, { encoding: 'utf8' });
    if (cc.status !== 0) {
      rmSync(temporary, { force: true });
      const lines = `${cc.error?.message ?? ''}${cc.stdout ?? ''}${cc.stderr ?? ''}`.trim().split('\n');
      const output = lines.length > 20 ? [...lines.slice(0, 20), `… (${lines.length - 20} more lines)`].join('\n') : lines.join('\n');
      giveUp(`compiling ${relative(root, source)} with ${compiler.command} failed${output ? `:\n${output}\n` : ''}`);
    }
    renameSync(temporary, helper);
    // Then the headers next to it, which say what it was built with (and make --if-stale exact).
    for (const name of Object.keys(headers)) renameSync(join(includeDir, name), join(buildDir, name));
  } finally {
    rmSync(includeDir, { recursive: true, force: true });
  }
  if (!process.argv.includes('--quiet')) process.stderr.write(`seccompile: built ${relative(process.cwd(), helper) || helper} (for \`seccompile learn\`)\n`);
}

try {
  await main();
} catch (error) {
  // Whatever went wrong, an install must not fail because of the helper.
  giveUp(`building the learn helper failed: ${error instanceof Error ? error.message : String(error)}`);
}
