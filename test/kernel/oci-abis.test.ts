/**
 * Docker's default profile, compiled as runc does on an amd64 host (a section each for x86-64,
 * i386 and x32), installed in the kernel: calls through every ABI, i386 ones also with the upper
 * halves of the registers set, get what the emulator's verdict means for them. The numbers are
 * written out here (independent of src/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/bpf/emulate.ts';
import { encodeProgram } from '../../src/bpf/insn.ts';
import { compileProfile } from '../../src/compile-profile.ts';
import { RET_ALLOW } from '../../src/seccomp/action.ts';
import { PROFILES_DIR } from '../oci/support.ts';
import { expectedOutcome, runInKernel, seenData, type KernelCall, type KernelOutcome } from './harness.ts';

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

const WIDE = 0xffffffff00000000n;
// personality(0xffffffff) only reads the persona; Docker allows 0, 8, 0x20000, 0x20008 and that.
const QUERY = 0xffffffffn;
const AF_UNIX = 1n;
const AF_VSOCK = 40n;
const SOCK_STREAM = 1n;

const CALLS: readonly KernelCall[] = [
  // x86-64: getpid 39, umask 95, personality 135, socket 41
  { abi: 'x64', nr: 39 }, { abi: 'x64', nr: 95, args: [0o22n] }, { abi: 'x64', nr: 135, args: [QUERY] }, { abi: 'x64', nr: 135, args: [0x12345n] },
  { abi: 'x64', nr: 41, args: [AF_UNIX, SOCK_STREAM, 0n] }, { abi: 'x64', nr: 41, args: [AF_VSOCK, SOCK_STREAM, 0n] },
  // x32 (the harness sets bit 30): the same numbers
  { abi: 'x32', nr: 39 }, { abi: 'x32', nr: 135, args: [QUERY] }, { abi: 'x32', nr: 135, args: [0x12345n] }, { abi: 'x32', nr: 41, args: [AF_VSOCK, SOCK_STREAM, 0n] },
  // i386: getpid 20, umask 60, personality 136, socket 359, socketcall 102 (SYS_SOCKET 1; a bad pointer: EFAULT when let in)
  { abi: 'i386', nr: 20 }, { abi: 'i386', nr: 60, args: [0o22n] }, { abi: 'i386', nr: 136, args: [QUERY] }, { abi: 'i386', nr: 136, args: [0x12345n] },
  { abi: 'i386', nr: 359, args: [AF_UNIX, SOCK_STREAM, 0n] }, { abi: 'i386', nr: 359, args: [AF_VSOCK, SOCK_STREAM, 0n] },
  { abi: 'i386', nr: 102, args: [1n, 0n] }, { abi: 'i386', nr: 102, args: [99n, 0n] },
  // i386 with the upper halves set: they decide nothing
  { abi: 'i386-wide', nr: 136, args: [WIDE | QUERY] }, { abi: 'i386-wide', nr: 359, args: [WIDE | AF_VSOCK, SOCK_STREAM, 0n] },
  { abi: 'i386-wide', nr: 359, args: [WIDE | AF_UNIX, SOCK_STREAM, 0n] },
];

/** A successful socket or getpid returns a new number in each child. */
function comparable(outcome: KernelOutcome): KernelOutcome {
  return outcome.outcome === 'returned' && outcome.ret > 0 ? { outcome: 'returned', ret: 1, errno: 0 } : outcome;
}

describe.runIf(onLinuxX64)('Docker\'s profile on an amd64 host, in the kernel', () => {
  it('x86-64, x32 and i386 calls (int $0x80, upper halves set or not) get their sections\' verdicts', () => {
    const result = compileProfile(readFileSync(join(PROFILES_DIR, 'docker-default.json'), 'utf8'), { path: 'docker-default.json', dockerDefaultCaps: true, kernel: { major: 6, minor: 1 } });
    if (!result.ok) throw new Error('the profile does not compile');
    expect(result.filter.sections?.map((s) => s.policy.arch.name)).toEqual(['x86_64', 'i386', 'x32']);
    const baseline = runInKernel(new Uint8Array(), CALLS, { baseline: true });
    const outcomes = runInKernel(encodeProgram(result.filter.program), CALLS);
    const verdicts = CALLS.map((call) => emulate(result.filter.program, seenData(call)).value >>> 0);
    const differences = CALLS.flatMap((call, i) => {
      const wanted = comparable(expectedOutcome(verdicts[i]!, baseline[i]!, call));
      const got = comparable(outcomes[i]!);
      return JSON.stringify(got) === JSON.stringify(wanted) ? [] : [`${call.abi} ${call.nr}(${(call.args ?? []).map((a) => `0x${a.toString(16)}`).join(', ')}): kernel ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`];
    });
    expect(differences).toEqual([]);
    // The profile's rules by each ABI's numbers: allowed and refused calls on every ABI.
    const allowed = (abi: string, nr: number, arg0?: bigint): boolean => verdicts[CALLS.findIndex((c) => c.abi === abi && c.nr === nr && (arg0 === undefined || c.args?.[0] === arg0))] === RET_ALLOW;
    expect([allowed('x64', 135, QUERY), allowed('x32', 135, QUERY), allowed('i386', 136, QUERY), allowed('i386-wide', 136, WIDE | QUERY)]).toEqual([true, true, true, true]);
    expect([allowed('x64', 135, 0x12345n), allowed('x32', 135, 0x12345n), allowed('i386', 136, 0x12345n)]).toEqual([false, false, false]);
    expect([allowed('x64', 41, AF_VSOCK), allowed('i386', 359, AF_VSOCK), allowed('i386-wide', 359, WIDE | AF_VSOCK), allowed('i386', 359, AF_UNIX)]).toEqual([false, false, false, true]);
    // socketcall: Docker names it, so every multiplexed call is let in
    expect([allowed('i386', 102, 1n), allowed('i386', 102, 99n)]).toEqual([true, true]);
  });
});
