// The `--format c` installer on this machine: x86-64's and i386's (a static i686 program, which the
// host kernel runs through its IA32 emulation). aarch64's, arm's and riscv64's run in qemu
// (qemu.test.ts). A header for another target has no installer here, so it cannot install a
// filter that would reject every call of the process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archByName } from '../../src/arch/index.ts';
import { buildInstallerTest } from './installer.ts';

function run(binary: Uint8Array): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-installer-'));
  try {
    const path = join(dir, 'installer-test');
    writeFileSync(path, binary, { mode: 0o755 });
    const result = spawnSync(path, { encoding: 'utf8' });
    return { status: result.status, out: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the C header\'s installer', () => {
  it('x86-64: installs the filter, and its verdicts follow', () => {
    const result = run(buildInstallerTest(archByName('x86_64')!, 'gcc'));
    expect(result, result.out).toMatchObject({ status: 0 });
    expect(result.out).toMatch(/^getppid -1 \(errno 13\), getpid \d+\n$/);
  });

  it('i386: the same through int $0x80', () => {
    const result = run(buildInstallerTest(archByName('i386')!, 'i686-linux-gnu-gcc'));
    expect(result, result.out).toMatchObject({ status: 0 });
  });

  it('a header for another target defines no installer for this compiler', () => {
    expect(() => buildInstallerTest(archByName('aarch64')!, 'gcc')).toThrow(/implicit declaration of function .inst_install/);
  });
});
