/**
 * The npm package as its consumers get it: `npm pack`, installed into a project of its own, then
 * used there as a user would: the README's TypeScript example type-checked with `--strict` and
 * run, `require('seccompile')` from CommonJS, the `seccompile` command through npm exec, lint from
 * the library, and examples/notify-mkdir built with make inside the installed package.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli-build.ts';
import { run, runCli, type RunResult } from './support/run.ts';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const POLICY = 'default errno(EPERM)\nallow read, write, exit_group\n';

let work: string;
let consumer: string;
let installed: string;

function ok(result: RunResult, what: string): RunResult {
  expect(result.code, `${what}:\n${result.out}${result.stderr}`).toBe(0);
  return result;
}

/** The README's library example, as the README shows it. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no ```ts block under "## Library"');
  return block[1]!;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'seccompile-package-'));
  // The built tree is packed as it is (npm test built it; `prepack` builds for a real `npm pack`).
  const packed = ok(await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { timeoutMs: 120_000 }), 'npm pack');
  const tarball = join(work, (JSON.parse(packed.out) as { filename: string }[])[0]!.filename);
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  // The dependencies come from npm's cache, which `npm ci` of this repository filled.
  ok(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: consumer, timeoutMs: 180_000 }), 'npm install');
  installed = join(consumer, 'node_modules', 'seccompile');
  writeFileSync(join(consumer, 'web.policy'), POLICY);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed npm package, installed in a project of its own', () => {
  it('ships the bundles, the type declarations and the docs, and no tests or sources', () => {
    const files = readdirSync(installed, { recursive: true }).map(String);
    for (const file of ['dist/index.js', 'dist/types/index.d.ts', 'dist/cli/compile.cjs', 'bin/seccompile.js', 'docs/lint-rules.md', 'examples/notify-mkdir/Makefile']) expect(files, file).toContain(file);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/'))).toEqual([]);
  });

  it('the README\'s TypeScript example type-checks with --strict and runs', async () => {
    writeFileSync(join(consumer, 'main.ts'), readmeExample());
    writeFileSync(join(consumer, 'tsconfig.json'), `${JSON.stringify({
      compilerOptions: {
        strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out',
        // Node's types from this repository: the consumer installs nothing from the network.
        types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['main.ts'],
    }, null, 2)}\n`);
    ok(await run(process.execPath, [TSC, '-p', '.'], { cwd: consumer }), 'tsc --strict');
    const ran = ok(await run(process.execPath, [join('out', 'main.js')], { cwd: consumer }), 'node out/main.js');
    const ours = ok(await runCli(['compile', join(consumer, 'web.policy'), '--format', 'raw']), 'compile');
    expect(ran.out).toBe(`${ours.stdout.length} bytes; read() -> ALLOW\n`);
  });

  it('types are checked: a wrong call is a type error in the consumer', async () => {
    writeFileSync(join(consumer, 'wrong.ts'), "import { compilePolicy } from 'seccompile';\ncompilePolicy(42);\n");
    const checked = await run(process.execPath, [TSC, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'wrong.ts'], { cwd: consumer });
    expect(checked.code).not.toBe(0);
    expect(checked.out).toMatch(/wrong\.ts\(2,15\): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
  });

  it('CommonJS: require(\'seccompile\') gives the same API', async () => {
    writeFileSync(join(consumer, 'main.cjs'), [
      "const { compilePolicy, emulate, formatReturnValue } = require('seccompile');",
      "const result = compilePolicy(require('node:fs').readFileSync('web.policy', 'utf8'), { path: 'web.policy' });",
      'if (!result.ok) throw new Error("does not compile");',
      "console.log(formatReturnValue(emulate(result.filter.program, { nr: 0, arch: 0xc000003e, args: [] }).value), formatReturnValue(emulate(result.filter.program, { nr: 2, arch: 0xc000003e, args: [] }).value));",
      '',
    ].join('\n'));
    const ran = ok(await run(process.execPath, ['main.cjs'], { cwd: consumer }), 'node main.cjs');
    expect(ran.out).toBe('ALLOW ERRNO(1)\n');
    expect(ran.stderr).toBe('');
  });

  it('lint runs from the library as the CLI runs it: files, configuration, every report format', async () => {
    writeFileSync(join(consumer, 'risky.policy'), 'default allow\nkill_process ptrace\n');
    writeFileSync(join(consumer, 'lint.mjs'), [
      "import { discoverInputs, findLintConfig, formatLintReport, LINT_FORMATS, lintFiles, summarizeLint } from 'seccompile';",
      "const results = lintFiles(discoverInputs(['risky.policy']));",
      'console.log(JSON.stringify({ config: findLintConfig(process.cwd()) ?? null, summary: summarizeLint(results), formats: LINT_FORMATS.map((f) => formatLintReport(results, f).length > 0) }));',
      "process.stdout.write(formatLintReport(results, 'github'));",
      '',
    ].join('\n'));
    const ran = ok(await run(process.execPath, ['lint.mjs'], { cwd: consumer }), 'node lint.mjs');
    const [first, ...rest] = ran.out.split('\n');
    const cliJson = await run(process.execPath, [join(installed, 'bin', 'seccompile.js'), 'lint', 'risky.policy', '--format', 'json'], { cwd: consumer });
    expect(cliJson.code).toBe(1);
    const { summary } = JSON.parse(cliJson.out) as { summary: { errors: number } };
    expect(summary.errors).toBeGreaterThan(0);
    expect(JSON.parse(first!)).toEqual({ config: null, summary, formats: [true, true, true, true] });
    expect(rest.join('\n')).toContain('::error file=risky.policy,line=1,col=9');
    const cli = await run(process.execPath, [join(installed, 'bin', 'seccompile.js'), 'lint', 'risky.policy', '--format', 'github'], { cwd: consumer });
    expect(cli.out).toBe(rest.join('\n'));
  });

  it('npm exec seccompile runs the command from the installed package', async () => {
    const version = ok(await run('npm', ['exec', '--offline', '--', 'seccompile', '--version'], { cwd: consumer }), 'seccompile --version');
    expect(version.out.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const listing = ok(await run('npm', ['exec', '--offline', '--', 'seccompile', 'compile', 'web.policy', '--format', 'asm'], { cwd: consumer }), 'seccompile compile');
    const ours = ok(await runCli(['compile', join(consumer, 'web.policy'), '--format', 'asm']), 'compile');
    expect(listing.out).toBe(ours.out.replaceAll(join(consumer, 'web.policy'), 'web.policy'));
  });

  it('examples/notify-mkdir builds with make inside the installed package, with the generated headers the repository makes', async () => {
    const out = join(work, 'example');
    const made = ok(await run('make', ['-C', join(installed, 'examples', 'notify-mkdir'), `OUT=${out}`, 'WERROR=-Werror'], { cwd: consumer, timeoutMs: 120_000 }), 'make');
    expect(made.out).not.toContain('build.mjs');
    expect(readdirSync(out).sort()).toEqual(['notify_mkdir_filter.h', 'seccompile_notify.h', 'supervisor', 'target']);
    // The same bytes wherever the package is: the header names the policy as make found it.
    const header = join(work, 'notify_mkdir_filter.h');
    ok(await runCli(['compile', 'notify-mkdir.policy', '-o', header], { cwd: join(ROOT, 'examples', 'notify-mkdir') }), 'compile -o …h');
    expect(readFileSync(join(out, 'notify_mkdir_filter.h'), 'utf8')).toBe(readFileSync(header, 'utf8'));
    // Built once; the second make has nothing to do.
    const again = ok(await run('make', ['-q', '-C', join(installed, 'examples', 'notify-mkdir'), `OUT=${out}`], { cwd: consumer }), 'make -q');
    expect(again.code).toBe(0);
  });
});

describe('examples/notify-mkdir in the repository', () => {
  it('make does not build the CLI again when it is built', async () => {
    const out = join(work, 'repository-example');
    mkdirSync(out);
    for (const name of ['notify_mkdir_filter.h', 'seccompile_notify.h']) copyFileSync(join(work, 'example', name), join(out, name));
    const dry = ok(await run('make', ['-n', '-C', join(ROOT, 'examples', 'notify-mkdir'), `OUT=${out}`]), 'make -n');
    expect(dry.out).not.toContain('scripts/build.mjs');
  });
});
