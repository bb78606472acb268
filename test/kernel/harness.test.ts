/**
 * Tests of the kernel harness itself, with small hand-assembled filters:
 * each seccomp outcome is produced in the real kernel and checked, and
 * expectedOutcome is checked against the kernel for every action and ABI.
 */
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_I386,
  AUDIT_ARCH_X86_64,
  expectedOutcome,
  type KernelCall,
  runInKernel,
} from './harness.ts';

// A tiny classic-BPF encoder, local to this test on purpose (independent of the compiler).
const LD_W_ABS = 0x20;
const RET_K = 0x06;
const JEQ_K = 0x15;
const JGE_K = 0x35;

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}
const stmt = (code: number, k: number): Insn => ({ code, jt: 0, jf: 0, k });
const jump = (code: number, k: number, jt: number, jf: number): Insn => ({ code, jt, jf, k });

function assemble(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * 8);
  const view = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    view.setUint16(i * 8, insn.code, true);
    view.setUint8(i * 8 + 2, insn.jt);
    view.setUint8(i * 8 + 3, insn.jf);
    view.setUint32(i * 8 + 4, insn.k >>> 0, true);
  });
  return bytes;
}

const ALLOW = 0x7fff0000;
const LOG = 0x7ffc0000;
const TRACE = 0x7ff00000;
const USER_NOTIF = 0x7fc00000;
const KILL_PROCESS = 0x80000000;
const KILL_THREAD = 0;
const errno = (e: number) => 0x00050000 | e;
const trap = (d: number) => 0x00030000 | d;

const retOnly = (ret: number) => assemble([stmt(RET_K, ret)]);
/** Return `hit` when seccomp_data word at `offset` == k, else ALLOW. */
const ifWordEquals = (offset: number, k: number, hit: number) =>
  assemble([stmt(LD_W_ABS, offset), jump(JEQ_K, k, 0, 1), stmt(RET_K, hit), stmt(RET_K, ALLOW)]);

const NR_GETPID_X64 = 39;
const NR_GETPID_I386 = 20;
const getpid64: KernelCall = { abi: 'x64', nr: NR_GETPID_X64 };
const getpid32: KernelCall = { abi: 'i386', nr: NR_GETPID_I386 };
const getpidX32: KernelCall = { abi: 'x32', nr: NR_GETPID_X64 };

const EINVAL = 22;
const ENOSYS = 38;

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

describe.runIf(onLinuxX64)('kernel harness', () => {
  it('allow-all behaves like no filter', () => {
    const calls = [getpid64, getpid32, getpidX32, { abi: 'x64', nr: 110 } satisfies KernelCall];
    const baseline = runInKernel(retOnly(ALLOW), calls, { baseline: true });
    expect(runInKernel(retOnly(ALLOW), calls)).toEqual(baseline);
    expect(baseline[0]).toMatchObject({ outcome: 'returned', errno: 0 });
  });

  it('ERRNO(77) for x64 getpid only', () => {
    const filter = ifWordEquals(0, NR_GETPID_X64, errno(77));
    const [getpid, getppid] = runInKernel(filter, [getpid64, { abi: 'x64', nr: 110 }]);
    expect(getpid).toEqual({ outcome: 'returned', ret: -1, errno: 77 });
    expect(getppid).toMatchObject({ outcome: 'returned', errno: 0 });
  });

  it('sees arch: an i386 call from this 64-bit process arrives as AUDIT_ARCH_I386', () => {
    const filter = assemble([
      stmt(LD_W_ABS, 4),
      jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
      stmt(RET_K, errno(55)),
      stmt(RET_K, ALLOW),
    ]);
    const [i386, x64] = runInKernel(filter, [getpid32, getpid64]);
    expect(i386).toEqual({ outcome: 'returned', ret: -1, errno: 55 });
    expect(x64).toMatchObject({ outcome: 'returned', errno: 0 });
  });

  it('x32 calls arrive as nr | 0x40000000 with arch x86-64', () => {
    const filter = assemble([
      stmt(LD_W_ABS, 0),
      jump(JGE_K, 0x40000000, 0, 1),
      stmt(RET_K, errno(66)),
      stmt(RET_K, ALLOW),
    ]);
    const [x32, x64] = runInKernel(filter, [getpidX32, getpid64]);
    expect(x32).toEqual({ outcome: 'returned', ret: -1, errno: 66 });
    expect(x64).toMatchObject({ outcome: 'returned', errno: 0 });
  });

  it('KILL_PROCESS kills the process with SIGSYS', () => {
    expect(runInKernel(retOnly(KILL_PROCESS), [getpid64])).toEqual([{ outcome: 'killed', signal: 31, core: false }]);
  });

  it('KILL_THREAD kills only the calling thread', () => {
    expect(runInKernel(retOnly(KILL_THREAD), [getpid64])).toEqual([{ outcome: 'thread-killed' }]);
  });

  it('TRAP delivers SIGSYS with the data, the number seccomp saw and the arch', () => {
    const outcomes = runInKernel(retOnly(trap(123)), [getpid64, getpidX32, getpid32]);
    expect(outcomes).toEqual([
      { outcome: 'trapped', data: 123, syscall: 39, arch: AUDIT_ARCH_X86_64 },
      { outcome: 'trapped', data: 123, syscall: 0x40000000 | 39, arch: AUDIT_ARCH_X86_64 },
      { outcome: 'trapped', data: 123, syscall: 20, arch: AUDIT_ARCH_I386 },
    ]);
  });

  it('TRACE without a tracer fails the call with ENOSYS', () => {
    expect(runInKernel(retOnly(TRACE | 5), [getpid64])).toEqual([{ outcome: 'returned', ret: -1, errno: ENOSYS }]);
  });

  it('USER_NOTIF reaches the supervisor, whose answer the call returns', () => {
    const call: KernelCall = { abi: 'x64', nr: NR_GETPID_X64, args: [1n, 2n, 3n, 4n, 5n, 0xffffffffffffffffn] };
    expect(runInKernel(retOnly(USER_NOTIF), [call], { listener: true })).toEqual([
      {
        outcome: 'notified',
        nr: 39,
        arch: AUDIT_ARCH_X86_64,
        args: ['0x1', '0x2', '0x3', '0x4', '0x5', '0xffffffffffffffff'],
        ret: 4242,
      },
    ]);
    // Without a listener the kernel fails the call with ENOSYS.
    expect(runInKernel(retOnly(USER_NOTIF), [getpid64], { listener: false })).toEqual([
      { outcome: 'returned', ret: -1, errno: ENOSYS },
    ]);
  });

  it('passes filter flags through', () => {
    const WAIT_KILLABLE_RECV = 32;
    // WAIT_KILLABLE_RECV needs NEW_LISTENER.
    expect(runInKernel(retOnly(ALLOW), [getpid64], { flags: WAIT_KILLABLE_RECV, listener: false })).toEqual([
      { outcome: 'install-failed', errno: EINVAL },
    ]);
    expect(runInKernel(retOnly(USER_NOTIF), [getpid64], { flags: WAIT_KILLABLE_RECV })).toMatchObject([
      { outcome: 'notified', ret: 4242 },
    ]);
    expect(() => runInKernel(retOnly(ALLOW), [getpid64], { flags: 1 })).toThrow(/TSYNC/);
  });

  it('LOG lets the call run', () => {
    const baseline = runInKernel(retOnly(LOG), [getpid64], { baseline: true });
    expect(runInKernel(retOnly(LOG), [getpid64])).toEqual(baseline);
  });

  it('filters see both words of 64-bit args, low word at 16 + 8i', () => {
    const filter = assemble([
      stmt(LD_W_ABS, 16),
      jump(JEQ_K, 0xdeadbeef, 0, 1),
      stmt(RET_K, errno(1)),
      stmt(LD_W_ABS, 20),
      jump(JEQ_K, 0x12345678, 0, 1),
      stmt(RET_K, errno(2)),
      stmt(RET_K, ALLOW),
    ]);
    const calls: KernelCall[] = [
      { abi: 'x64', nr: NR_GETPID_X64, args: [0x12345678_deadbeefn] },
      { abi: 'x64', nr: NR_GETPID_X64, args: [0x12345678_00000000n] },
      { abi: 'i386', nr: NR_GETPID_I386, args: [0xdeadbeefn] },
      // A 32-bit process cannot pass an upper half...
      { abi: 'i386', nr: NR_GETPID_I386, args: [0x12345678_00000000n] },
      // ...but int $0x80 from 64-bit code can, and seccomp sees it.
      { abi: 'i386-wide', nr: NR_GETPID_I386, args: [0x12345678_00000000n] },
    ];
    const [lowX64, highX64, lowI386, highI386, highWide] = runInKernel(filter, calls);
    expect(lowX64).toEqual({ outcome: 'returned', ret: -1, errno: 1 });
    expect(highX64).toEqual({ outcome: 'returned', ret: -1, errno: 2 });
    expect(lowI386).toEqual({ outcome: 'returned', ret: -1, errno: 1 });
    expect(highI386).toMatchObject({ outcome: 'returned', errno: 0 });
    expect(highWide).toEqual({ outcome: 'returned', ret: -1, errno: 2 });
  });

  it('i386 args reach the filter in ebx..ebp', () => {
    const call: KernelCall = { abi: 'i386', nr: NR_GETPID_I386, args: [0x11n, 0x22n, 0x33n, 0x44n, 0x55n, 0x1_66n] };
    const [notified] = runInKernel(retOnly(USER_NOTIF), [call]);
    expect(notified).toEqual({
      outcome: 'notified',
      nr: 20,
      arch: AUDIT_ARCH_I386,
      args: ['0x11', '0x22', '0x33', '0x44', '0x55', '0x166'],
      ret: 4242,
    });
  });

  it('an invalid program fails to install with EINVAL', () => {
    const misaligned = assemble([stmt(LD_W_ABS, 3), stmt(RET_K, ALLOW)]);
    expect(runInKernel(misaligned, [getpid64])).toEqual([{ outcome: 'install-failed', errno: EINVAL }]);
    expect(runInKernel(new Uint8Array(0), [getpid64])).toEqual([{ outcome: 'install-failed', errno: EINVAL }]);
  });

  it('accepts 4096 instructions and refuses 4097 with EINVAL', () => {
    const program = (n: number) => assemble([...Array.from({ length: n - 1 }, () => stmt(LD_W_ABS, 0)), stmt(RET_K, errno(3))]);
    expect(runInKernel(program(4096), [getpid64])).toEqual([{ outcome: 'returned', ret: -1, errno: 3 }]);
    expect(runInKernel(program(4097), [getpid64])).toEqual([{ outcome: 'install-failed', errno: EINVAL }]);
  });

  it('nr -1 reaches the filter as 0xffffffff', () => {
    const filter = ifWordEquals(0, 0xffffffff, errno(9));
    const [minusOne, getpid] = runInKernel(filter, [{ abi: 'x64', nr: -1 }, getpid64]);
    expect(minusOne).toEqual({ outcome: 'returned', ret: -1, errno: 9 });
    expect(getpid).toMatchObject({ outcome: 'returned', errno: 0 });
  });

  it('reports calls that end the process or never return', () => {
    const [exitGroup, pause] = runInKernel(
      retOnly(ALLOW),
      [
        { abi: 'x64', nr: 231, args: [7n] },
        { abi: 'x64', nr: 34 },
      ],
      { baseline: true, timeoutMs: 300 },
    );
    expect(exitGroup).toEqual({ outcome: 'exited', status: 7 });
    expect(pause).toEqual({ outcome: 'timeout' });
  });

  it('expectedOutcome agrees with the kernel for every action and ABI', () => {
    const calls: KernelCall[] = [
      { abi: 'x64', nr: NR_GETPID_X64, args: [0x1_0000_0002n, 3n] },
      { abi: 'x32', nr: NR_GETPID_X64, args: [0xffff_ffff_ffff_fff0n] },
      { abi: 'i386', nr: NR_GETPID_I386, args: [0x7_0000_0001n, 0n, 0n, 0n, 0n, 0xabcn] },
      { abi: 'i386-wide', nr: NR_GETPID_I386, args: [0x7_0000_0001n] },
      { abi: 'x64', nr: -1 },
      // seccomp_data.nr is an int: the upper half of rax is ignored (and the kernel runs getpid).
      { abi: 'x64', nr: 0x1_0000_0000 + NR_GETPID_X64 },
    ];
    const rets = [
      ALLOW,
      LOG,
      errno(0),
      errno(13),
      errno(0xffff), // capped at MAX_ERRNO
      trap(0),
      trap(0xffff),
      TRACE | 0x42,
      USER_NOTIF,
      KILL_PROCESS,
      KILL_THREAD,
      0x00010000, // unknown actions act as KILL_PROCESS
      0x7ff80000,
      0xfff00000,
    ];
    const baseline = runInKernel(retOnly(ALLOW), calls, { baseline: true });
    for (const ret of rets) {
      const actual = runInKernel(retOnly(ret), calls);
      const expected = calls.map((call, i) => expectedOutcome(ret, baseline[i]!, call));
      expect(actual, `ret 0x${ret.toString(16)}`).toEqual(expected);
    }
  });
});
