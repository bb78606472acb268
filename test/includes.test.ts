/**
 * A file is read once, however an include names it: by a relative or an absolute path, through a
 * symbolic link or a hard link (files are told apart by device and inode). Real files, the CLI's
 * file host.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/compile.ts';
import { nodeFileHost } from '../src/host/node-host.ts';
import { runCli } from './support/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-includes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'lib'));
// Read a second time after `define X = 2`, this file would mean another rule: the bug changed verdicts.
writeFileSync(join(dir, 'lib', 'fds.policy'), 'errno(EACCES) write if fd == X\n');
symlinkSync('fds.policy', join(dir, 'lib', 'symlink.policy'));
linkSync(join(dir, 'lib', 'fds.policy'), join(dir, 'lib', 'hardlink.policy'));

function compileIn(name: string, text: string) {
  writeFileSync(join(dir, name), text);
  return runCli(['compile', name, '--format', 'json'], { cwd: dir });
}

describe('includes are read once by identity', () => {
  it.each([
    ['an absolute path to a file included by a relative one', `include "${join(dir, 'lib', 'fds.policy')}"`],
    ['a symbolic link to it', 'include "lib/symlink.policy"'],
    ['a hard link to it', 'include "lib/hardlink.policy"'],
    ['the same file by another relative spelling', 'include "./lib/../lib/fds.policy"'],
  ])('%s is not read again', async (_what, second) => {
    const result = await compileIn('main.policy', `default allow\ndefine X = 1\ninclude "lib/fds.policy"\n${second}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.out) as { syscalls: { name: string; rules: unknown[] }[] };
    expect(summary.syscalls.filter((s) => s.name === 'write').flatMap((s) => s.rules)).toHaveLength(1);
  });

  it('a cycle through an absolute path names each file once', async () => {
    writeFileSync(join(dir, 'lib', 'back.policy'), `include "${join(dir, 'cycle.policy')}"\n`);
    const result = await compileIn('cycle.policy', 'default allow\ninclude "lib/back.policy"\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: include cycle: cycle.policy → lib/back.policy → ${join(dir, 'cycle.policy')} [SC3006]`);
  });

  it('the library API with the node host: the entry file is known by identity too', () => {
    symlinkSync('self.policy', join(dir, 'self-link.policy'));
    writeFileSync(join(dir, 'self.policy'), 'default allow\n');
    // The entry includes itself through a link: a cycle, not a second reading.
    const self = compilePolicy('default allow\ninclude "self-link.policy"\n', { path: join(dir, 'self.policy'), host: nodeFileHost });
    expect(self.diagnostics.map((d) => [d.code, d.message])).toEqual([['SC3006', `include cycle: ${join(dir, 'self.policy')} → ${join(dir, 'self-link.policy')}`]]);
  });
});
