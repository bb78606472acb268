/**
 * What lint's upper-bits-bypass reports is real: Docker's profile, compiled as runc and libseccomp
 * compile it (all 64 bits of an argument compared), refuses socket(AF_VSOCK) with EPERM, but lets
 * socket(AF_VSOCK | 1 << 32) through, which the kernel reads as socket(AF_VSOCK). The same call is
 * refused by the same rule written as a policy, compared at the kernel's width.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeProgram } from '../../src/bpf/insn.ts';
import { compilePolicy } from '../../src/compile.ts';
import { lintFiles } from '../../src/lint/run.ts';
import { compileProfile } from '../../src/compile-profile.ts';
import { PROFILES_DIR } from '../oci/support.ts';
import { runInKernel, type KernelCall } from './harness.ts';

const SOCKET = 41;
const AF_VSOCK = 40n;
const SOCK_STREAM = 1n;
const EPERM = 1;
const calls: KernelCall[] = [
  { abi: 'x64', nr: SOCKET, args: [AF_VSOCK, SOCK_STREAM, 0n] },
  { abi: 'x64', nr: SOCKET, args: [(1n << 32n) | AF_VSOCK, SOCK_STREAM, 0n] },
];

describe('upper bits of a 32-bit argument in an OCI profile', () => {
  const docker = join(PROFILES_DIR, 'docker-default.json');

  it('lint reports Docker\'s AF_VSOCK rule', () => {
    const [result] = lintFiles([docker], {});
    expect(result!.findings.filter((f) => f.ruleId === 'upper-bits-bypass').map((f) => f.jsonPath)).toEqual(['$.syscalls[4].args[0]']);
  });

  it('in the kernel: the profile refuses AF_VSOCK, and a call with bit 32 set gets past it', () => {
    const compiled = compileProfile(readFileSync(docker, 'utf8'), { path: docker });
    if (!compiled.ok) throw new Error('does not compile');
    const [plain, wide] = runInKernel(encodeProgram(compiled.filter.program), calls);
    expect(plain).toEqual({ outcome: 'returned', ret: -1, errno: EPERM });
    // Created, or refused by the kernel for lack of a vsock transport: not by the filter.
    expect(wide!.outcome).toBe('returned');
    expect(wide).not.toMatchObject({ errno: EPERM });
  });

  it('a policy with the same rule compares the kernel\'s 32 bits: both calls refused', () => {
    const policy = compilePolicy('default allow\nerrno(EPERM) socket if family == AF_VSOCK\n', { path: 'vsock.policy' });
    if (!policy.ok) throw new Error('does not compile');
    expect(runInKernel(encodeProgram(policy.filter.program), calls)).toEqual([
      { outcome: 'returned', ret: -1, errno: EPERM },
      { outcome: 'returned', ret: -1, errno: EPERM },
    ]);
  });
});
