/**
 * End to end with a real consumer: bubblewrap loads our raw filter (`--seccomp FD`) and runs
 * ordinary programs under it. bwrap is installed by .ci/run; without it these tests fail.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeProgram } from '../../src/bpf/insn.ts';
import { compilePolicy } from '../../src/compile.ts';
import { BWRAP, runInBwrap, type BwrapRun } from './bwrap-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-bwrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let filterCount = 0;
/** Compiles `policy` (must succeed) and writes the raw filter to a file of its own. */
function filterFile(policy: string): string {
  const result = compilePolicy(policy);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.ok) throw new Error('compilation failed');
  const path = join(dir, `filter-${filterCount++}.bpf`);
  writeFileSync(path, encodeProgram(result.filter.program));
  return path;
}

/** Runs `command` in the sandbox, with the filter of `policy` on fd 3 when given. */
function bwrap(command: readonly string[], policy?: string): BwrapRun {
  return runInBwrap(command, policy === undefined ? undefined : filterFile(policy));
}

describe('filters loaded by bubblewrap', () => {
  it('bwrap is installed (by .ci/run)', () => {
    expect(existsSync(BWRAP), `${BWRAP} is missing: install bubblewrap (apt-get install -y bubblewrap)`).toBe(true);
  });

  describe('a deny-list: mkdir and mkdirat fail with EPERM, everything else runs', () => {
    const policy = 'default allow\nerrno(EPERM) mkdir, mkdirat\n';

    it('without a filter, mkdir works in the sandbox (the control)', () => {
      expect(bwrap(['/bin/mkdir', '/tmp/x'])).toMatchObject({ status: 0, stderr: '' });
    });

    it('mkdir(2) is refused with "Operation not permitted"', () => {
      const run = bwrap(['/bin/mkdir', '/tmp/x'], policy);
      expect(run.stderr).toMatch(/cannot create directory.*\/tmp\/x.*: Operation not permitted/);
      expect(run.status).toBe(1);
    });

    it('mkdirat(2) is refused too', () => {
      // os.mkdir with dir_fd calls mkdirat.
      const script = "import os\ntry:\n os.mkdir('x', dir_fd=os.open('/tmp', os.O_RDONLY))\nexcept OSError as e:\n print(e.errno, e.strerror)\nelse:\n print('created')\n";
      expect(bwrap(['/usr/bin/python3', '-c', script]).stdout).toBe('created\n');
      expect(bwrap(['/usr/bin/python3', '-c', script], policy).stdout).toBe('1 Operation not permitted\n');
    });

    it('/bin/true and ls / run normally under the same filter', () => {
      expect(bwrap(['/bin/true'], policy)).toMatchObject({ status: 0, signal: null, stderr: '' });
      const ls = bwrap(['/bin/ls', '/'], policy);
      expect(ls).toMatchObject({ status: 0, stderr: '' });
      expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['bin', 'proc', 'tmp', 'usr']));
    });
  });

  describe('an allow-list: default errno(EPERM), only what /bin/true needs', () => {
    // Found by trial (strace -f /bin/true, then removing one at a time). On Debian 12's glibc the
    // indispensable ones are execve, arch_prctl, mmap, mprotect, openat, newfstatat, read,
    // pread64, close and exit_group; the rest fail harmlessly with EPERM. `write` and `writev`
    // let bwrap and ld.so report a failure.
    const needed = [
      'execve', 'brk', 'arch_prctl', 'mmap', 'mprotect', 'munmap', 'access', 'openat', 'newfstatat', 'close',
      'read', 'pread64', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'exit_group', 'write', 'writev',
    ];
    const allowList = (names: readonly string[]): string => `default errno(EPERM)\nallow ${names.join(', ')}\n`;

    it('/bin/true runs; /bin/false still fails, and mkdir is refused', () => {
      expect(bwrap(['/bin/true'], allowList(needed))).toMatchObject({ status: 0, signal: null, stderr: '' });
      expect(bwrap(['/bin/false'], allowList(needed))).toMatchObject({ status: 1, stderr: '' });
      // mkdir needs more than /bin/true (it is not even loaded without its extra calls): no success.
      expect(bwrap(['/bin/mkdir', '/tmp/x'], allowList(needed)).status).not.toBe(0);
    });

    it('without execve nothing runs: bwrap cannot exec the command', () => {
      const run = bwrap(['/bin/true'], allowList(needed.filter((n) => n !== 'execve')));
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/execvp \/bin\/true: Operation not permitted/);
    });

    it('without openat the dynamic loader cannot open libc', () => {
      const run = bwrap(['/bin/true'], allowList(needed.filter((n) => n !== 'openat')));
      expect(run.status).toBe(127);
      expect(run.stderr).toMatch(/error while loading shared libraries.*Operation not permitted/);
    });

    it('without mmap or arch_prctl /bin/true fails', () => {
      for (const essential of ['mmap', 'arch_prctl']) {
        const run = bwrap(['/bin/true'], allowList(needed.filter((n) => n !== essential)));
        expect(run.status, `without ${essential}`).not.toBe(0);
      }
    });
  });
});
