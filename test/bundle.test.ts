// The CLI's bundles and their V8 code caches (scripts/build.mjs, scripts/code-cache.mjs,
// bin/load-bundle.js): every bundle starts from a cache V8 accepts, and a cache never runs with
// text other than the one it was made from.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli-build.ts';

const require = createRequire(import.meta.url);
const { loadBundle } = require('../bin/load-bundle.js') as {
  loadBundle(path: string, options?: { useCache?: boolean }): { exports: { value?: number }; script: import('node:vm').Script; id?: string };
};

const scratch = mkdtempSync(join(tmpdir(), 'seccompile-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('CLI bundles', () => {
  it('has one bundle per command and each starts from its code cache', () => {
    const bundles = readdirSync(join(ROOT, 'dist', 'cli')).filter((name) => name.endsWith('.cjs')).sort();
    const commands = readdirSync(join(ROOT, 'src', 'cli', 'commands')).map((name) => name.replace(/\.ts$/, '.cjs'));
    expect(bundles).toEqual(['base.cjs', ...commands].sort());
    // A fresh process, as the CLI runs: V8 checks the cache against its version and flags.
    const probe = `const { loadBundle } = require('./bin/load-bundle.js');
      for (const name of ${JSON.stringify(bundles)}) {
        const { script } = loadBundle(require('node:path').join('dist', 'cli', name));
        console.log(name, script.cachedDataRejected);
      }`;
    const run = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(bundles.map((name) => `${name} false`));
  });

  it('starts a profile compile from the cache trained on profiles alone, a policy compile from the full one', () => {
    // bin/seccompile.js run in a process that reports which cache the compile bundle started from.
    const probe = (args: string[]): string => {
      const script = `process.argv = [process.argv[0], 'bin/seccompile.js', ...${JSON.stringify(args)}];
        process.on('exit', () => { const b = require('./bin/load-bundle.js').loaded.get(require('node:path').resolve('dist/cli/compile.cjs')); process.stderr.write(require('node:path').basename(b.cache) + ' ' + b.script.cachedDataRejected); });
        require('./bin/seccompile.js');`;
      return spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }).stderr.trim().split('\n').pop()!;
    };
    const profile = join(scratch, 'guess.json');
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    expect(probe(['compile', profile, '-o', '/dev/null'])).toBe('compile.cjs.oci.cache false');
    expect(probe(['compile', '-', '--input', 'oci', '-o', '/dev/null'])).toBe('compile.cjs.oci.cache false');
    expect(probe(['compile', 'examples/web-server.policy', '-o', join(scratch, 'out.json')])).toBe('compile.cjs.cache false');
  });

  it('lexes any character outside comments and strings as an error, and any inside them as text', () => {
    const compile = (policy: string): string => spawnSync(process.execPath, ['bin/seccompile.js', 'compile', '-', '--format', 'asm'], { cwd: ROOT, input: policy, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }).stderr;
    expect(compile('default allow # café € 😀 日本 \uffff\nerrno(EPERM) ptrace # ü\n')).toBe('');
    for (const character of ['\u0100', '\u01fe', '\u01ff', '€', '日', '\ufffd', '😀']) {
      expect(compile(`default allow\nerrno(EPERM) ptrace${character}\n`)).toMatch(/^<stdin>:2:20: error: unexpected character/);
    }
  });

  it('never uses a cache made from other text, even of the same length', () => {
    // V8 itself only compares the length of the text: the id on the first line protects the rest.
    const made = join(scratch, 'made.cjs');
    writeFileSync(made, '// bbbbbbbbbbbbbbbb\nmodule.exports.value = 2;\n');
    const data = loadBundle(made, { useCache: false }).script.createCachedData();
    const bundle = join(scratch, 'bundle.cjs');
    writeFileSync(bundle, '// aaaaaaaaaaaaaaaa\nmodule.exports.value = 1;\n');
    writeFileSync(`${bundle}.cache`, Buffer.concat([Buffer.from('bbbbbbbbbbbbbbbb'), data]));
    const loaded = loadBundle(bundle);
    expect(loaded.exports.value).toBe(1);
    expect(loaded.script.cachedDataRejected).toBeUndefined();
  });

  it('uses a cache made from the same text', () => {
    const bundle = join(scratch, 'same.cjs');
    writeFileSync(bundle, '// cccccccccccccccc\nmodule.exports.value = 3;\n');
    const data = loadBundle(bundle, { useCache: false }).script.createCachedData();
    writeFileSync(`${bundle}.cache`, Buffer.concat([Buffer.from('cccccccccccccccc'), data]));
    const loaded = loadBundle(bundle);
    expect(loaded.exports.value).toBe(3);
    expect(loaded.script.cachedDataRejected).toBe(false);
  });
});
