/**
 * Docker's default profile, compiled by seccompile, loaded in the real kernel by bubblewrap:
 * ordinary programs run under it, and the calls it denies fail with the errno it gives.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProgram } from '../../src/bpf/insn.ts';
import { compileProfile } from '../../src/compile-profile.ts';
import { PROFILES_DIR } from '../oci/support.ts';
import { BWRAP, runInBwrap, type BwrapRun } from './bwrap-run.ts';

const PYTHON = '/usr/bin/python3';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-oci-bwrap-'));
const filterPath = join(dir, 'docker-default.bpf');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bwrap(command: readonly string[], filtered = true): BwrapRun {
  return runInBwrap(command, filtered ? filterPath : undefined);
}

/** A Python one-liner that makes a raw syscall through libc and prints `ret errno`. */
function syscallScript(call: string): string {
  return `import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nr = ${call}\nprint(r, ctypes.get_errno())\n`;
}

describe('docker-default.json in the kernel, through bubblewrap', () => {
  beforeAll(() => {
    const result = compileProfile(readFileSync(join(PROFILES_DIR, 'docker-default.json'), 'utf8'), { path: 'docker-default.json', dockerDefaultCaps: true });
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
    writeFileSync(filterPath, encodeProgram(result.filter.program));
  });

  it('bwrap and python3 are installed (by .ci/run)', () => {
    expect(existsSync(BWRAP), `${BWRAP} is missing: install bubblewrap`).toBe(true);
    expect(existsSync(PYTHON)).toBe(true);
  });

  it('a shell lists / and prints under the filter', () => {
    const run = bwrap(['/bin/sh', '-c', 'ls / >/dev/null && echo ok']);
    expect(run).toMatchObject({ status: 0, signal: null, stdout: 'ok\n' });
  });

  it('python starts, reads files and spawns processes under the filter', () => {
    const run = bwrap([PYTHON, '-c', 'import subprocess, json; print(json.dumps(subprocess.run(["/bin/echo", "hi"], capture_output=True, text=True).stdout))']);
    expect(run).toMatchObject({ status: 0, stdout: '"hi\\n"\n' });
  });

  it('unshare(CLONE_NEWUSER) works without the filter and fails with EPERM under it', () => {
    const script = syscallScript('libc.unshare(0x10000000)');
    expect(bwrap([PYTHON, '-c', script], false).stdout).toBe('0 0\n');
    expect(bwrap([PYTHON, '-c', script]).stdout).toBe('-1 1\n');
  });

  it('the unshare command fails with "Operation not permitted"', () => {
    const run = bwrap(['/usr/bin/unshare', '--user', '/bin/true']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Operation not permitted');
  });

  it('personality: the values the profile lists pass, another fails with EPERM', () => {
    // personality(0xffffffff) only queries the persona; READ_IMPLIES_EXEC (0x0400000) is not listed
    expect(bwrap([PYTHON, '-c', syscallScript('libc.syscall(135, ctypes.c_ulong(0xffffffff))')]).stdout).toMatch(/^\d+ 0\n$/);
    expect(bwrap([PYTHON, '-c', syscallScript('libc.syscall(135, ctypes.c_ulong(0x0400000))')]).stdout).toBe('-1 1\n');
  });

  it('clone3 fails with ENOSYS (the profile\'s errnoRet 38), so libc falls back to clone', () => {
    expect(bwrap([PYTHON, '-c', syscallScript('libc.syscall(435, None, 0)')]).stdout).toBe('-1 38\n');
  });
});
