/**
 * Compiled policies in the real kernel: the proof that a filter the compiler emits does in the
 * kernel what the emulator says, and that what the emulator says is what the policy means.
 *
 * Each case is a policy and a list of calls. For every call two things are checked:
 *   1. the emulator's verdict equals the verdict written here by hand from the policy's meaning
 *      (this is what catches compiler bugs), and
 *   2. the kernel's outcome, with the filter installed, equals what the harness predicts from the
 *      emulator's verdict and the call's unfiltered (baseline) outcome.
 *
 * The calls are harmless in the helper's child (its own PID namespace): calls without arguments
 * (getpid, getppid, getuid, …), calls on bad fds (EBADF), umask, and mkdirat/openat/uname with a
 * NULL pointer (EFAULT). In the helper's child fd 4 is the report pipe and fd 3 the listener when
 * the filter has `notify`: no call that may run closes them.
 */
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/bpf/emulate.ts';
import { decodeProgram, encodeProgram, type Instruction } from '../../src/bpf/insn.ts';
import { compilePolicy, type CompileOptions } from '../../src/compile.ts';
import { nodeFileHost } from '../../src/host/node-host.ts';
import { archByName, type ArchName } from '../../src/arch/index.ts';
import {
  expectedOutcome,
  type Abi,
  type KernelCall,
  type KernelOutcome,
  runInKernel,
  seenData,
} from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'kernel');
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

// ---------------------------------------------------------------------------------------------
// Filter return values and syscall numbers, written out here on purpose (independent of src/).

const ALLOW = 0x7fff0000;
const LOG = 0x7ffc0000;
const NOTIFY = 0x7fc00000;
const KILL_PROCESS = 0x80000000;
const KILL_THREAD = 0x00000000;
const errno = (n: number): number => (0x00050000 | n) >>> 0;
const trap = (n: number): number => (0x00030000 | n) >>> 0;
const trace = (n: number): number => (0x7ff00000 | n) >>> 0;

const X32_SYSCALL_BIT = 0x40000000;

/** x86-64 numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
const X64: Readonly<Record<string, number>> = {
  read: 0, write: 1, close: 3, lseek: 8, sched_yield: 24, dup: 32, dup2: 33, getpid: 39, kill: 62,
  uname: 63, fcntl: 72, flock: 73, fsync: 74, fdatasync: 75, ftruncate: 77, fchdir: 81, mkdir: 83,
  fchmod: 91, fchown: 93, umask: 95, getuid: 102, getgid: 104, geteuid: 107, getegid: 108,
  getppid: 110, getpgrp: 111, getpgid: 121, getsid: 124, gettid: 186, openat: 257, mkdirat: 258,
  dup3: 292, clone: 56, ptrace: 101, mbind: 237, kcmp: 312,
};
/** i386 numbers (syscall_32.tbl), for `int $0x80` calls. */
const I386: Readonly<Record<string, number>> = {
  close: 6, lseek: 19, getpid: 20, umask: 60, getppid: 64, getuid32: 199, gettid: 224,
  dup: 41, setuid: 23, setuid32: 213,
};

const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;
const AT_FDCWD = -100n;
const BAD_FD = 1000n;

// ---------------------------------------------------------------------------------------------
// Cases.

/** One call and the verdict the policy gives it. */
interface Probe {
  readonly call: KernelCall;
  /** The filter's return value the policy calls for. */
  readonly expect: number;
  readonly label: string;
}

interface Case {
  readonly name: string;
  readonly policy: string;
  /** Real path of the policy (for includes). */
  readonly path?: string;
  readonly probes: readonly Probe[];
  /** The compiled program must be longer than this. */
  readonly longerThan?: number;
  /** The ABI to compile for (default x86_64). */
  readonly arch?: ArchName;
}

type ArgValue = bigint | number;

function probe(abi: Abi, syscall: string | number, args: readonly ArgValue[], expect: number): Probe {
  const table = abi === 'i386' || abi === 'i386-wide' ? I386 : X64;
  const nr = typeof syscall === 'number' ? syscall : table[syscall];
  if (nr === undefined) throw new Error(`no ${abi} number for ${syscall} in this test's table`);
  const big = args.map((a) => BigInt(a));
  const label = `${abi} ${typeof syscall === 'number' ? `#${syscall}` : syscall}(${big.map(hex64).join(', ')})`;
  return { call: { abi, nr, args: big }, expect, label };
}
const x64 = (syscall: string | number, args: readonly ArgValue[], expect: number): Probe => probe('x64', syscall, args, expect);
const x32 = (syscall: string | number, args: readonly ArgValue[], expect: number): Probe => probe('x32', syscall, args, expect);
const i386 = (syscall: string | number, args: readonly ArgValue[], expect: number): Probe => probe('i386', syscall, args, expect);

function hex64(v: bigint): string {
  const u = BigInt.asUintN(64, v);
  return u < 0x10000n ? u.toString() : `0x${u.toString(16)}`;
}

/** A return value for messages; exact (data bits of actions without data show as hex). */
function describeRet(value: number): string {
  const data = value & 0xffff;
  const plain = (name: string): string => (data === 0 ? name : `0x${(value >>> 0).toString(16)}`);
  switch ((value & 0xffff0000) >>> 0) {
    case ALLOW: return plain('ALLOW');
    case LOG: return plain('LOG');
    case NOTIFY: return plain('NOTIFY');
    case KILL_PROCESS: return plain('KILL_PROCESS');
    case KILL_THREAD: return plain('KILL_THREAD');
    case 0x00050000: return `ERRNO(${data})`;
    case 0x00030000: return `TRAP(${data})`;
    case 0x7ff00000: return `TRACE(${data})`;
    default: return `0x${(value >>> 0).toString(16)}`;
  }
}

function compileOk(text: string, options: CompileOptions = {}): readonly Instruction[] {
  const result = compilePolicy(text, options);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  expect(errors).toEqual([]);
  if (!result.ok) throw new Error('compilation failed without an error diagnostic');
  return result.filter.program;
}

// Baseline outcomes depend only on the call, so they are shared by every case.
const baselineCache = new Map<string, KernelOutcome>();
const callKey = (c: KernelCall): string => `${c.abi} ${c.nr} ${(c.args ?? []).map(hex64).join(' ')}`;

function baselines(filter: Uint8Array, calls: readonly KernelCall[]): KernelOutcome[] {
  const missing = [...new Map(calls.filter((c) => !baselineCache.has(callKey(c))).map((c) => [callKey(c), c])).values()];
  runInKernel(filter, missing, { baseline: true }).forEach((outcome, i) => baselineCache.set(callKey(missing[i]!), outcome));
  return calls.map((c) => baselineCache.get(callKey(c))!);
}

function runCase(c: Case): void {
  const program = compileOk(c.policy, { ...(c.path ? { path: c.path, host: nodeFileHost } : {}), ...(c.arch ? { arch: archByName(c.arch)! } : {}) });
  if (c.longerThan !== undefined) expect(program.length).toBeGreaterThan(c.longerThan);
  checkProgram(program, c.probes);
}

function checkProgram(program: readonly Instruction[], probes: readonly Probe[]): void {
  // 1. The emulator against the policy's meaning.
  const values = probes.map((p) => emulate(program, seenData(p.call)).value >>> 0);
  expect(probes.map((p, i) => `${p.label} -> ${describeRet(values[i]!)}`))
    .toEqual(probes.map((p) => `${p.label} -> ${describeRet(p.expect >>> 0)}`));
  // What the kernel receives is the program: no jump offset wider than its 8 bits.
  const filter = encodeProgram(program);
  expect(decodeProgram(filter)).toEqual(program);
  // 2. The kernel against the emulator.
  const calls = probes.map((p) => p.call);
  const outcomes = runInKernel(filter, calls);
  const baseline = baselines(filter, calls);
  expect(probes.map((p, i) => ({ call: p.label, verdict: describeRet(values[i]!), outcome: outcomes[i] })))
    .toEqual(probes.map((p, i) => ({ call: p.label, verdict: describeRet(values[i]!), outcome: expectedOutcome(values[i]!, baseline[i]!, p.call) })));
}

// --- Actions and defaults --------------------------------------------------------------------

const actionCases: Case[] = [
  {
    name: 'every action, one syscall each',
    policy: `
      default allow
      log getpid
      kill_process getuid
      kill getsid
      kill_thread gettid
      trap(5) getppid
      trap getpgrp
      errno(EACCES) getgid
      errno(1234) geteuid
      errno(0) sched_yield
      trace(7) getegid
      notify uname
    `,
    probes: [
      x64('getpid', [], LOG),
      x64('getuid', [], KILL_PROCESS),
      x64('getsid', [0], KILL_PROCESS),
      x64('gettid', [], KILL_THREAD),
      x64('getppid', [], trap(5)),
      x64('getpgrp', [], trap(0)),
      x64('getgid', [], errno(13)),
      x64('geteuid', [], errno(1234)),
      x64('sched_yield', [], errno(0)),
      x64('getegid', [], trace(7)),
      x64('uname', [0], NOTIFY),
      x64('uname', [0x1234, 5, U64], NOTIFY),
      x64('umask', [0o22], ALLOW),
      x64('lseek', [BAD_FD, 0, 0], ALLOW),
    ],
  },
  {
    name: 'the syscall `kill` next to the action `kill`',
    policy: `
      default errno(EPERM)
      errno(EACCES) kill if sig == 0
      kill kill if sig == 9
      allow getpid
    `,
    probes: [
      x64('kill', [0x7fffffff, 0], errno(13)),
      x64('kill', [0x7fffffff, 9], KILL_PROCESS),
      x64('kill', [0x7fffffff, 15], errno(1)),
      x64('getpid', [], ALLOW),
    ],
  },
  ...([
    ['allow', ALLOW],
    ['log', LOG],
    ['kill_process', KILL_PROCESS],
    ['kill', KILL_PROCESS],
    ['kill_thread', KILL_THREAD],
    ['trap(9)', trap(9)],
    ['trap', trap(0)],
    ['errno(ENOENT)', errno(2)],
    ['errno(4095)', errno(4095)],
    ['trace(3)', trace(3)],
    ['trace', trace(0)],
    ['notify', NOTIFY],
  ] as const).map(([action, value]): Case => ({
    name: `default ${action}`,
    policy: `default ${action}\nallow getpid\nerrno(3) getppid\n`,
    probes: [
      x64('getpid', [], ALLOW),
      x64('getppid', [], errno(3)),
      x64('getuid', [], value),
      x64('lseek', [BAD_FD, 0, 0], value),
      // nr -1 (a tracer skipping the call) gets the default, not the x32 action.
      x64(-1, [], value),
      // The last number below the x32 bit: not a syscall, so the default.
      x64(X32_SYSCALL_BIT - 1, [], value),
      i386('getpid', [], KILL_PROCESS),
      x32('getpid', [], KILL_PROCESS),
    ],
  })),
];

// --- The prologue: architecture, x32, nr -1 --------------------------------------------------

const prologueCases: Case[] = [
  {
    name: 'default foreign-arch and x32 actions are kill_process',
    policy: 'default allow\nallow getpid, getppid\nerrno(7) lseek\n',
    probes: [
      x64('getpid', [], ALLOW),
      i386('getpid', [], KILL_PROCESS),
      i386('getppid', [], KILL_PROCESS),
      i386('lseek', [BAD_FD, 0, 0], KILL_PROCESS),
      probe('i386-wide', 'getpid', [U64, U64], KILL_PROCESS),
      x32('getpid', [], KILL_PROCESS),
      x32('lseek', [BAD_FD, 0, 0], KILL_PROCESS),
      x32('getuid', [], KILL_PROCESS),
      x64(-1, [], ALLOW),
      // Bit 30 set: every number from 0x40000000 to 0xfffffffe is x32, -2 included.
      x64(-2, [], KILL_PROCESS),
      x64(X32_SYSCALL_BIT - 1, [], ALLOW),
    ],
  },
  {
    name: '`foreign_arch errno(55)` and `x32 errno(66)`',
    policy: 'default errno(EPERM)\nforeign_arch errno(55)\nx32 errno(66)\nallow getpid\ntrap(4) lseek\n',
    probes: [
      x64('getpid', [], ALLOW),
      x64('getuid', [], errno(1)),
      x64('lseek', [BAD_FD, 0, 0], trap(4)),
      i386('getpid', [], errno(55)),
      i386('getuid32', [], errno(55)),
      i386('lseek', [BAD_FD, 0, 0], errno(55)),
      probe('i386-wide', 'getpid', [0x100000000n], errno(55)),
      x32('getpid', [], errno(66)),
      x32('getuid', [], errno(66)),
      x32('lseek', [BAD_FD, 0, 0], errno(66)),
      x64(-1, [], errno(1)),
      x64(-2, [], errno(66)),
      x64(0x7fffffff, [], errno(66)),
    ],
  },
  {
    // Numbers Linux 7.0's table does not name get `unknown`'s verdict; the table's syscalls keep the default.
    name: '`unknown errno(ENOSYS)`: numbers beyond the table, in its gaps and -1; a number named by a rule',
    policy: 'default errno(EPERM)\nunknown errno(ENOSYS)\nx32 errno(66)\nallow getpid\nerrno(44) 1000\n',
    probes: [
      x64('getpid', [], ALLOW),
      x64('getuid', [], errno(1)),
      x64(1000, [], errno(44)),
      x64(999, [], errno(38)),
      x64(472, [], errno(38)),
      x64(0x3fffffff, [], errno(38)),
      x64(-1, [], errno(38)),
      x32('getpid', [], errno(66)),
      i386('getpid', [], KILL_PROCESS),
    ],
  },
  {
    // cachestat came with 6.5, close_range with 5.9 (kernel release history).
    name: '`unknown errno(ENOSYS) since 6.1`: syscalls added after 6.1 too, unless a rule names them',
    policy: 'default errno(EPERM)\nunknown errno(ENOSYS) since 6.1\nallow getpid\nerrno(45) 452\n',
    probes: [
      x64(451, [], errno(38)),
      x64(452, [], errno(45)),
      x64(436, [], errno(1)),
      x64('getuid', [], errno(1)),
      x64(1000, [], errno(38)),
    ],
  },
  {
    name: '`foreign_arch allow`, `x32 trap(9)`, a syscall named by number',
    policy: 'default allow\nforeign_arch allow\nx32 trap(9)\nerrno(44) 0x3fffffff\nerrno(45) 39\n',
    probes: [
      x64('getpid', [], errno(45)),
      x64(0x3fffffff, [], errno(44)),
      x64(0x3ffffffe, [], ALLOW),
      i386('getpid', [], ALLOW),
      i386('lseek', [BAD_FD, 0, 0], ALLOW),
      x32('getpid', [], trap(9)),
      x32(0x3fffffff, [], trap(9)),
      x64(-1, [], ALLOW),
    ],
  },
  {
    name: '`x32 allow` lets x32 calls through',
    policy: 'default errno(EPERM)\nx32 allow\nallow getpid\n',
    probes: [
      x32('getpid', [], ALLOW),
      x32('lseek', [BAD_FD, 0, 0], ALLOW),
      x64('lseek', [BAD_FD, 0, 0], errno(1)),
      i386('getpid', [], KILL_PROCESS),
    ],
  },
  {
    name: '`x32 notify` and `foreign_arch notify`: the supervisor sees nr | 0x40000000 and the i386 arch',
    policy: 'default allow\nx32 notify\nforeign_arch notify\nerrno(8) getppid\n',
    probes: [
      x32('getpid', [], NOTIFY),
      x32('lseek', [BAD_FD, 0x123456789n, 2], NOTIFY),
      i386('getpid', [], NOTIFY),
      i386('lseek', [0xffffffff00000005n, 7, 1], NOTIFY),
      probe('i386-wide', 'lseek', [0xffffffff00000005n, 7, 1], NOTIFY),
      x64('getppid', [], errno(8)),
      x64('getpid', [], ALLOW),
    ],
  },
];

// --- Comparison operators at the boundaries --------------------------------------------------

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
const OPS: readonly Op[] = ['==', '!=', '<', '<=', '>', '>='];
const FLIPPED: Readonly<Record<Op, Op>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The policy's meaning: an unsigned comparison of the argument, read at its declared width. */
function holds(op: Op, arg: bigint, constant: bigint, width: number): boolean {
  const a = BigInt.asUintN(width, arg);
  const c = BigInt.asUintN(width, constant);
  switch (op) {
    case '==': return a === c;
    case '!=': return a !== c;
    case '<': return a < c;
    case '<=': return a <= c;
    case '>': return a > c;
    case '>=': return a >= c;
  }
}

const BOUNDARIES = [0n, 1n, (1n << 31n) - 1n, 1n << 31n, U32, 1n << 32n, (1n << 32n) + 1n, (1n << 63n) - 1n, 1n << 63n, U64];
/** Every boundary and its neighbours on both sides, as u64. */
const BOUNDARY_VALUES = [...new Set(BOUNDARIES.flatMap((b) => [b - 1n, b, b + 1n]).map((v) => BigInt.asUintN(64, v)))].sort((a, b) => (a < b ? -1 : 1));
/** The constants, spelled in several ways. */
const CONSTANTS: readonly { text: string; value: bigint }[] = [
  { text: '0', value: 0n },
  { text: '1', value: 1n },
  { text: '-1', value: -1n },
  { text: '0x7fffffff', value: (1n << 31n) - 1n },
  { text: '2147483648', value: 1n << 31n },
  { text: '0xffff_ffff', value: U32 },
  { text: '0x100000000', value: 1n << 32n },
  { text: '(1 << 32) + 1', value: (1n << 32n) + 1n },
  { text: '0x7fffffffffffffff', value: (1n << 63n) - 1n },
  { text: '1 << 63', value: 1n << 63n },
  { text: '0xffffffffffffffff', value: U64 },
];
const fits32 = (v: bigint): boolean => v >= -(1n << 31n) && v <= U32;

/**
 * One policy per operator and constant: the 64-bit `lseek` offset (off_t), the 32-bit `umask`
 * mask (int) and the 32-bit `dup` fildes (unsigned int, constant written on the left).
 */
const comparisonCases: Case[] = OPS.flatMap((op) => CONSTANTS.map(({ text, value }, index): Case => {
  const small = fits32(value);
  // Alternate the side of the constant for the 64-bit argument too.
  const offsetTest = index % 2 === 0 ? `offset ${op} ${text}` : `${text} ${FLIPPED[op]} offset`;
  const policy = [
    'default allow',
    `errno(1) lseek if ${offsetTest}`,
    ...(small ? [`errno(2) umask if mask ${op} ${text}`, `errno(3) dup if ${text} ${FLIPPED[op]} fildes`] : []),
  ].join('\n');
  return {
    name: `${op} ${text}`,
    policy,
    probes: BOUNDARY_VALUES.flatMap((v) => [
      x64('lseek', [BAD_FD, v, 0], holds(op, v, value, 64) ? errno(1) : ALLOW),
      ...(small
        ? [
          x64('umask', [v], holds(op, v, value, 32) ? errno(2) : ALLOW),
          x64('dup', [v], holds(op, v, value, 32) ? errno(3) : ALLOW),
        ]
        : []),
    ]),
  };
}));

// --- Argument widths -------------------------------------------------------------------------

const widthCases: Case[] = [
  {
    name: '32-bit arguments ignore the upper half of the register, 64-bit ones do not, umode_t reads 16 bits',
    policy: `
      default allow
      errno(3) close if fd == 3
      errno(4) lseek if offset == 3
      errno(5) mkdirat if mode == 0755
      errno(6) umask if mask == -1
      errno(7) fcntl if cmd == 0x80000000 and arg == 0x80000000
    `,
    probes: [
      x64('close', [3], errno(3)),
      x64('close', [0xffffffff00000003n], errno(3)),
      x64('close', [0x100000003n], errno(3)),
      x64('close', [0x300000000n + BAD_FD], ALLOW),
      x64('close', [U64], ALLOW),
      x64('lseek', [BAD_FD, 3, 0], errno(4)),
      x64('lseek', [BAD_FD, 0x100000003n, 0], ALLOW),
      x64('lseek', [BAD_FD, 0xffffffff00000003n, 0], ALLOW),
      x64('lseek', [BAD_FD, 0x300000000n, 0], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0o755], errno(5)),
      x64('mkdirat', [AT_FDCWD, 0, 0x10000 | 0o755], errno(5)),
      x64('mkdirat', [AT_FDCWD, 0, 0xffff0000n | 0o755n], errno(5)),
      x64('mkdirat', [AT_FDCWD, 0, 0x1_0000_0000n | 0o755n], errno(5)),
      x64('mkdirat', [AT_FDCWD, 0, 0xffffffffffff0000n | 0o755n], errno(5)),
      x64('mkdirat', [AT_FDCWD, 0, 0o754], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0o755 << 16], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0o1755], ALLOW),
      x64('umask', [-1], errno(6)),
      x64('umask', [U32], errno(6)),
      x64('umask', [0xffffffff00000000n], ALLOW),
      x64('umask', [0x7fffffff], ALLOW),
      x64('fcntl', [BAD_FD, 0x80000000, 0x80000000], errno(7)),
      x64('fcntl', [BAD_FD, 0xffffffff80000000n, 0x80000000], errno(7)),
      x64('fcntl', [BAD_FD, 0x80000000, 0xffffffff80000000n], ALLOW),
    ],
  },
  {
    name: 'ordered comparisons of a 16-bit umode_t',
    policy: `
      default allow
      errno(8) mkdirat if mode > 0xfff0
      errno(9) mkdirat if mode < 0100 or mode == 0xffff
    `,
    probes: [
      x64('mkdirat', [AT_FDCWD, 0, 0xfff1], errno(8)),
      x64('mkdirat', [AT_FDCWD, 0, 0xfff0], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0x1fff0], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0x10000], errno(9)),
      x64('mkdirat', [AT_FDCWD, 0, 0xffffffff0000fffen], errno(8)),
      x64('mkdirat', [AT_FDCWD, 0, 0o77], errno(9)),
      x64('mkdirat', [AT_FDCWD, 0, 0o100], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0xffff_0040n], ALLOW),
      x64('mkdirat', [AT_FDCWD, 0, 0xffff_003fn], errno(9)),
    ],
  },
  {
    // Declared `unsigned long` or `long`, narrowed by the kernel (src/syscalls/index.ts,
    // KERNEL_NARROWED): garbage in the upper half must not slip past a rule. Each call is one the
    // kernel refuses anyway (CLONE_THREAD without CLONE_SIGHAND is EINVAL; no process 999999; no
    // such fd; mode 0 with no range), so an allowed probe does no harm.
    name: 'arguments the kernel narrows to 32 bits: clone_flags, ptrace\'s pid, kcmp\'s idx1, mbind\'s mode',
    policy: `
      default allow
      errno(10) clone if clone_flags == CLONE_THREAD
      errno(11) ptrace if pid == 999999
      errno(12) kcmp if idx1 == 7777
      errno(13) mbind if mode == 6
    `,
    probes: [
      x64('clone', [0x10000], errno(10)),
      x64('clone', [0x1_0001_0000n], errno(10)),
      x64('clone', [0xffffffff_00010000n], errno(10)),
      x64('clone', [0x1_0000_0000n], ALLOW),
      x64('ptrace', [2, 999999], errno(11)),
      x64('ptrace', [2, 0x5_000F_423Fn], errno(11)),
      x64('ptrace', [2, 999998], ALLOW),
      x64('kcmp', [0, 0, 0, 0x1_0000_1E61n, 0], errno(12)),
      x64('kcmp', [0, 0, 0, 7777, 0], errno(12)),
      x64('mbind', [0, 0, 0x1_0000_0006n, 0, 0, 0], errno(13)),
    ],
  },
];

// --- Masks -----------------------------------------------------------------------------------

const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0x40;
const O_TRUNC = 0x200;
const O_CLOEXEC = 0x80000;
const openat = (flags: ArgValue, expect: number): Probe => x64('openat', [AT_FDCWD, 0, flags, 0], expect);

const maskCases: Case[] = [
  {
    name: 'masks and bit tests on 32- and 64-bit arguments',
    policy: `
      default errno(99)
      allow openat if (flags & O_ACCMODE) == O_RDONLY and not (flags & O_CREAT)
      errno(11) openat if flags & (O_CREAT | O_TRUNC)
      errno(12) lseek if (offset & 0xffff00000000) == 0x123400000000
      errno(13) lseek if offset & 0x8000000000000000
      errno(14) lseek if (offset & 0xff) == 0x10 and (offset & 0xff00000000000000) != 0
      errno(15) fcntl if (cmd & ~0xf) == 0x400
      errno(16) umask if (mask & 0700) >= 0500
      errno(17) fcntl if arg & 0xffffffff00000000
    `,
    probes: [
      openat(0, ALLOW),
      openat(O_CLOEXEC, ALLOW),
      openat(0xffffffff00000000n, ALLOW),
      openat(O_CREAT, errno(11)),
      openat(O_WRONLY, errno(99)),
      openat(O_RDWR | O_TRUNC, errno(11)),
      openat(3, errno(99)),
      openat(0x100000000n | BigInt(O_CREAT), errno(11)),
      openat(0x100000000n | BigInt(O_WRONLY), errno(99)),
      x64('lseek', [BAD_FD, 0x123400000000n, 0], errno(12)),
      x64('lseek', [BAD_FD, 0x1234ffffffffn, 0], errno(12)),
      x64('lseek', [BAD_FD, 0x1_1234_0000_0000n, 0], errno(12)),
      x64('lseek', [BAD_FD, 0x123500000000n, 0], errno(99)),
      x64('lseek', [BAD_FD, 0x1234n, 0], errno(99)),
      x64('lseek', [BAD_FD, 1n << 63n, 0], errno(13)),
      x64('lseek', [BAD_FD, 0xff00000000000010n, 0], errno(13)),
      x64('lseek', [BAD_FD, 0x0100000000000010n, 0], errno(14)),
      x64('lseek', [BAD_FD, 0x0100000000000011n, 0], errno(99)),
      x64('lseek', [BAD_FD, 0x10n, 0], errno(99)),
      x64('lseek', [BAD_FD, 0x00ff000000000010n, 0], errno(99)),
      x64('fcntl', [BAD_FD, 0x400, 0], errno(15)),
      x64('fcntl', [BAD_FD, 0x40f, 0], errno(15)),
      x64('fcntl', [BAD_FD, 0x410, 0], errno(99)),
      x64('fcntl', [BAD_FD, 0xffffffff00000405n, 0], errno(15)),
      x64('fcntl', [BAD_FD, 1, 0x100000000n], errno(17)),
      x64('fcntl', [BAD_FD, 1, U32], errno(99)),
      x64('umask', [0o500], errno(16)),
      x64('umask', [0o700], errno(16)),
      x64('umask', [0o477], errno(99)),
      x64('umask', [0o1500], errno(16)),
      x64('umask', [0xffffffff00000000n | 0o400n], errno(99)),
    ],
  },
];

// --- Sets ------------------------------------------------------------------------------------

const setCases: Case[] = [
  {
    name: '`in` and `not in` with 32- and 64-bit values',
    policy: `
      default allow
      errno(20) lseek if whence in {SEEK_SET, SEEK_END} and offset in {0, 5, 0x100000000, 0xffffffffffffffff, -2}
      errno(21) lseek if whence not in {SEEK_CUR, SEEK_DATA, SEEK_HOLE, 0x7fffffff}
      errno(22) umask if mask in {0, 022, 0xffffffff, -2,}
      errno(23) fcntl if arg not in {1, 0x100000001}
      errno(24) dup if fildes in {}
      errno(25) dup2 if not (oldfd not in {})
    `,
    probes: [
      x64('lseek', [BAD_FD, 0, 0], errno(20)),
      x64('lseek', [BAD_FD, 5, 2], errno(20)),
      x64('lseek', [BAD_FD, 0x100000000n, 0], errno(20)),
      x64('lseek', [BAD_FD, U64, 0x2_0000_0002n], errno(20)),
      x64('lseek', [BAD_FD, U64 - 1n, 0], errno(20)),
      x64('lseek', [BAD_FD, U32 - 1n, 0], errno(21)),
      x64('lseek', [BAD_FD, 0x500000000n, 0], errno(21)),
      x64('lseek', [BAD_FD, 1, 0], errno(21)),
      x64('lseek', [BAD_FD, 0, 1], ALLOW),
      x64('lseek', [BAD_FD, 0, 3], ALLOW),
      x64('lseek', [BAD_FD, 0, 4], ALLOW),
      x64('lseek', [BAD_FD, 0, 0xffffffff00000001n], ALLOW),
      x64('lseek', [BAD_FD, 0, 0x7fffffff], ALLOW),
      x64('lseek', [BAD_FD, 0, 5], errno(21)),
      x64('lseek', [BAD_FD, 0, 0x80000000], errno(21)),
      x64('umask', [0], errno(22)),
      x64('umask', [0o22], errno(22)),
      x64('umask', [0x1_0000_0012n], errno(22)),
      x64('umask', [U32], errno(22)),
      x64('umask', [-2], errno(22)),
      x64('umask', [0xfffffffen], errno(22)),
      x64('umask', [0o23], ALLOW),
      x64('umask', [0x1_0000_0001n], ALLOW),
      x64('fcntl', [BAD_FD, 1, 1], ALLOW),
      x64('fcntl', [BAD_FD, 1, 0x100000001n], ALLOW),
      x64('fcntl', [BAD_FD, 1, 0x200000001n], errno(23)),
      x64('fcntl', [BAD_FD, 1, 0], errno(23)),
      x64('dup', [BAD_FD], ALLOW),
      x64('dup2', [BAD_FD, BAD_FD + 1n], ALLOW),
    ],
  },
];

// --- Boolean structure and rule order --------------------------------------------------------

/** The meaning of the policy below, rule by rule. */
function nestedPolicyMeaning(fd: bigint, offset: bigint, whence: bigint): number {
  const fd32 = BigInt.asUintN(32, fd);
  const wh = BigInt.asUintN(32, whence);
  const off = BigInt.asUintN(64, offset);
  if ((fd32 === 0n || fd32 === 1n) && !(wh === 2n || off > 100n)) return errno(10);
  if (fd32 === 0n) return errno(11);
  if (!(fd32 < 5n) && (wh === 1n || wh === 2n) && off <= 0x100000000n) return errno(12);
  if (fd32 === 1n || (fd32 >= 7n && !(fd32 === 8n || fd32 === 9n))) return ALLOW;
  if (wh === 4n) return errno(13);
  return errno(1);
}

const booleanCases: Case[] = [
  {
    name: 'nested and/or/not with parentheses, first matching rule wins, else the default',
    policy: `
      default errno(1)
      errno(10) lseek if (fd == 0 or fd == 1) and not (whence == SEEK_END or offset > 100)
      errno(11) lseek if fd == 0
      errno(12) lseek if !(fd < 5) && (whence == 1 || whence == 2) && offset <= 0x100000000
      allow lseek if fd == 1 or (fd >= 7 and not (fd in {8, 9}))
      errno(13) lseek if not not (whence == 4)
    `,
    probes: [0n, 1n, 5n, 7n, 8n, 1000n, 0xffffffff00000001n].flatMap((fd) =>
      [0n, 1n, 2n, 4n].flatMap((whence) =>
        [0n, 100n, 101n, 0x100000000n, 0x100000001n].map((offset) =>
          x64('lseek', [fd, offset, whence], nestedPolicyMeaning(fd, offset, whence))))),
  },
  {
    name: 'several rules for one syscall, unconditional ones included',
    policy: `
      default errno(2)
      errno(30) umask if mask == 1
      allow umask if mask < 10
      errno(31) umask
      errno(32) umask if mask == 20
      allow getpid
      errno(33) getpid
      errno(34) dup if fildes == 1 or fildes == 2
      errno(35) dup if fildes == 2 or fildes == 3
    `,
    probes: [
      x64('umask', [1], errno(30)),
      x64('umask', [2], ALLOW),
      x64('umask', [9], ALLOW),
      x64('umask', [10], errno(31)),
      x64('umask', [20], errno(31)),
      x64('getpid', [], ALLOW),
      x64('dup', [1], errno(34)),
      x64('dup', [2], errno(34)),
      x64('dup', [3], errno(35)),
      x64('dup', [BAD_FD], errno(2)),
      x64('getppid', [], errno(2)),
    ],
  },
];

// --- define and include ----------------------------------------------------------------------

const includePath = join(fixtures, 'defines-main.policy');
const includeCases: Case[] = [
  {
    name: '`define` and `include` (fixtures read through nodeFileHost)',
    policy: readFileSync(includePath, 'utf8'),
    path: includePath,
    probes: [
      x64('getpid', [], ALLOW),
      x64('getppid', [], ALLOW),
      x64('getuid', [], errno(1)),
      openat(O_WRONLY, errno(40)),
      openat(O_RDWR, errno(40)),
      openat(0, errno(1)),
      x64('lseek', [16, 0, 0], ALLOW),
      x64('lseek', [16, (1n << 40n) + 16n, 0], ALLOW),
      x64('lseek', [BAD_FD, (1n << 40n) + 16n, 0], errno(41)),
      x64('lseek', [BAD_FD, (1n << 41n), 2], errno(41)),
      x64('lseek', [BAD_FD, (1n << 40n) + 15n, 0], errno(1)),
      x64('lseek', [BAD_FD, (1n << 40n) + 16n, 1], errno(1)),
      x64('umask', [16], trap(0x99)),
      x64('umask', [17], errno(1)),
    ],
  },
  {
    name: '`define` in the policy text',
    policy: `
      define MODES = 0700 | 070
      define CODE = 60 + 2
      define LIST_A = 7
      define LIST_B = LIST_A + 2 - 1
      default allow
      errno(CODE) umask if (mask & MODES) == 0750 & MODES
      trap(CODE + 1) dup if fildes in {LIST_A, LIST_B, -LIST_A}
    `,
    probes: [
      x64('umask', [0o750], errno(62)),
      x64('umask', [0o757], errno(62)),
      x64('umask', [0o751], errno(62)),
      x64('umask', [0o740], ALLOW),
      x64('dup', [7], trap(63)),
      x64('dup', [8], trap(63)),
      x64('dup', [0xfffffff9n], trap(63)),
      x64('dup', [9], ALLOW),
    ],
  },
];

// --- Long programs ---------------------------------------------------------------------------

/** Deterministic pseudo-random distinct values (xorshift), so no optimiser can fold them into ranges. */
function distinctValues(count: number, seed: number, bits: 32 | 64): bigint[] {
  let s = BigInt(seed) | 1n;
  const out = new Set<bigint>();
  while (out.size < count) {
    s ^= (s << 13n) & U64;
    s ^= s >> 7n;
    s ^= (s << 17n) & U64;
    // Keep clear of the harness's fds 0..4 for 32-bit fds.
    const v = bits === 32 ? (s & 0x7fffffffn) | 0x100n : s;
    out.add(v);
  }
  return [...out];
}

const set32 = distinctValues(300, 7, 32);
const set64 = distinctValues(300, 11, 64);
const absent32 = 0x7ffffff0n;
const absent64 = 0x123456789abcdefn;
const fmt = (vs: readonly bigint[]): string => vs.map((v) => `0x${v.toString(16)}`).join(', ');

/** Twenty syscalls, each with a 20-value condition: the dispatch's jumps reach past 255. */
const manySyscalls = ['read', 'write', 'close', 'lseek', 'dup', 'dup2', 'fcntl', 'flock', 'fsync', 'fdatasync', 'ftruncate', 'fchdir', 'fchmod', 'fchown', 'getpgid', 'getsid', 'dup3', 'kill', 'umask', 'mkdirat'];
const manyValues = manySyscalls.map((_, i) => Array.from({ length: 20 }, (_v, j) => BigInt(2000 + 97 * i + 3 * j)));
const firstArg: Readonly<Record<string, string>> = { dup: 'fildes', dup2: 'oldfd', kill: 'pid', umask: 'mask', mkdirat: 'dfd', getpgid: 'pid', getsid: 'pid', dup3: 'oldfd' };
/** Which of them the test calls (harmless with a bad fd / pid), with their trailing arguments. */
const manyCalled: Readonly<Record<string, readonly ArgValue[]>> = {
  close: [], lseek: [0, 0], dup: [], fcntl: [1, 0], fsync: [], fdatasync: [], fchdir: [], fchmod: [0o644], getpgid: [], getsid: [], umask: [], kill: [0],
};

const longCases: Case[] = [
  {
    name: 'sets of 300 values: conditional jumps beyond 255 instructions',
    policy: [
      'default allow',
      `errno(31) lseek if fd in {${fmt(set32)}}`,
      `errno(32) lseek if offset in {${fmt(set64)}}`,
      `errno(33) umask if mask not in {${fmt(set32)}}`,
    ].join('\n'),
    longerThan: 1200,
    probes: [
      ...[0, 1, 149, 150, 298, 299].flatMap((i) => [
        x64('lseek', [set32[i]!, 0, 0], errno(31)),
        x64('lseek', [0xabcd00000000n | set32[i]!, 0, 0], errno(31)),
        x64('lseek', [BAD_FD, set64[i]!, 0], errno(32)),
        x64('lseek', [BAD_FD, set64[i]! ^ (1n << 40n), 0], set64.includes(set64[i]! ^ (1n << 40n)) ? errno(32) : ALLOW),
        x64('umask', [set32[i]!], ALLOW),
        x64('umask', [set32[i]! | 0xffffffff00000000n], ALLOW),
      ]),
      x64('lseek', [absent32, absent64, 0], ALLOW),
      x64('umask', [absent32], errno(33)),
      x64('umask', [0o22], errno(33)),
    ],
  },
  {
    name: 'twenty syscalls with long conditions',
    policy: [
      'default allow',
      ...manySyscalls.map((name, i) => `errno(${40 + i}) ${name} if ${firstArg[name] ?? 'fd'} in {${manyValues[i]!.join(', ')}}`),
    ].join('\n'),
    longerThan: 300,
    probes: manySyscalls.flatMap((name, i) => {
      const rest = manyCalled[name];
      if (!rest) return [];
      const values = manyValues[i]!;
      return [
        x64(name, [values[0]!, ...rest], errno(40 + i)),
        x64(name, [values[19]!, ...rest], errno(40 + i)),
        x64(name, [values[0]! + 1n, ...rest], ALLOW),
        x64(name, [0x7fff0000n + BigInt(i), ...rest], ALLOW),
      ];
    }),
  },
];

/**
 * Sets of 118 to 140 values in three shapes, so that the distance from a test to its target
 * crosses 255, the farthest a conditional jump reaches, at every offset: once exactly 255 (no
 * trampoline may be used) and once 256 (one must be).
 */
const sweepValues = Array.from({ length: 141 }, (_, i) => 0x1000n + 7n * BigInt(i));
const sweepCases: Case[] = [0, 1, 2].flatMap((shape) => Array.from({ length: 23 }, (_, k): Case => {
  const n = 118 + k;
  const set = `fd in {${sweepValues.slice(0, n).join(', ')}}`;
  const condition = [set, `${set} or (whence & 0xf0) == 0x10`, `offset > 5 and ${set}`][shape]!;
  const offset = shape === 2 ? 6n : 0n;
  return {
    name: `shape ${shape}, ${n} values`,
    policy: `default allow\nerrno(7) lseek if ${condition}\n`,
    probes: [
      x64('lseek', [sweepValues[0]!, offset, 0], errno(7)),
      x64('lseek', [sweepValues[n - 1]!, offset, 0], errno(7)),
      x64('lseek', [sweepValues[n]!, offset, 0], ALLOW),
      x64('lseek', [sweepValues[0]! + 1n, offset, 0x10], shape === 1 ? errno(7) : ALLOW),
    ],
  };
}));

// --- Other targets this kernel runs: i386 (int $0x80) and x32 -----------------------------------

const i386Wide = (syscall: string, args: readonly ArgValue[], expect: number): Probe => probe('i386-wide', syscall, args, expect);

const targetCases: Case[] = [
  {
    name: 'an i386 filter: its numbers, 32-bit arguments, 16-bit IDs, every other ABI foreign',
    arch: 'i386',
    policy: `
      default errno(EPERM)
      foreign_arch errno(ENOSYS)
      allow getpid, getppid
      errno(EACCES) umask if mask == 0o22
      allow close if fd == 5
      errno(ENOENT) setuid if uid == 0
      errno(EEXIST) setuid32 if uid == 0
    `,
    probes: [
      i386('getpid', [], ALLOW),
      i386('getppid', [], ALLOW),
      i386('umask', [0o22], errno(13)),
      i386('umask', [0o77], errno(1)),
      i386('close', [5], ALLOW),
      // The kernel reads 32 bits of each register: the upper half a 64-bit caller sets is not compared.
      i386Wide('close', [0x1_0000_0005n], ALLOW),
      i386Wide('close', [0x5_0000_0006n], errno(1)),
      // setuid is the old 16-bit call: uid 0x10000 is uid 0 to the kernel.
      i386('setuid', [0x10000], errno(2)),
      i386('setuid32', [0x10000], errno(1)),
      i386('setuid32', [0], errno(17)),
      i386('dup', [3], errno(1)),
      x64('getpid', [], errno(38)),
      x32('getpid', [], errno(38)),
    ],
  },
  {
    name: 'an x32 filter: numbers with bit 30, x86-64 calls get foreign_arch',
    arch: 'x32',
    policy: `
      default errno(EPERM)
      foreign_arch errno(ENOSYS)
      allow getpid
      errno(EACCES) umask if mask == 0o22
    `,
    probes: [
      x32('getpid', [], ALLOW),
      x32('umask', [0o22], errno(13)),
      x32('umask', [0o77], errno(1)),
      x32('getppid', [], errno(1)),
      x64('getpid', [], errno(38)),
      i386('getpid', [], errno(38)),
    ],
  },
];

// ---------------------------------------------------------------------------------------------

describe.runIf(onLinuxX64)('compiled policies in the kernel', () => {
  const groups: [string, Case[]][] = [
    ['actions', actionCases],
    ['prologue', prologueCases],
    ['comparisons', comparisonCases],
    ['argument widths', widthCases],
    ['masks', maskCases],
    ['sets', setCases],
    ['boolean structure', booleanCases],
    ['define and include', includeCases],
    ['long programs', longCases],
    ['jump distances around 255', sweepCases],
    ['other targets', targetCases],
  ];
  for (const [group, cases] of groups) {
    describe(group, () => {
      for (const c of cases) it(c.name, () => runCase(c));
    });
  }

  describe('the 4096-instruction limit', () => {
    const values = distinctValues(6000, 23, 32);
    const policyWith = (n: number): string => `default allow\nerrno(50) dup if fildes in {${fmt(values.slice(0, n))}}\nallow getpid\n`;

    it('a program close to 4096 instructions installs and behaves', () => {
      // The largest set that still compiles, found by bisection so the test does not depend on
      // how many instructions a value costs.
      let lo = 1;
      let hi = values.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (compilePolicy(policyWith(mid)).ok) lo = mid;
        else hi = mid - 1;
      }
      const program = compileOk(policyWith(lo));
      expect(program.length).toBeGreaterThan(4000);
      expect(program.length).toBeLessThanOrEqual(4096);
      const last = values[lo - 1]!;
      const missing = values[lo]!; // in the 6000 but not in this set
      checkProgram(program, [
        x64('dup', [values[0]!], errno(50)),
        x64('dup', [values[Math.floor(lo / 2)]!], errno(50)),
        x64('dup', [last], errno(50)),
        x64('dup', [last | 0x5500000000n], errno(50)),
        x64('dup', [missing], ALLOW),
        x64('dup', [BAD_FD], ALLOW),
        x64('getpid', [], ALLOW),
        x64('getuid', [], ALLOW),
        i386('getpid', [], KILL_PROCESS),
        x32('dup', [values[0]!], KILL_PROCESS),
      ]);
    });

    it('a policy beyond 4096 instructions fails with SC4001', () => {
      const result = compilePolicy(policyWith(values.length));
      expect(result.ok).toBe(false);
      expect(result.diagnostics.map((d) => d.code)).toContain('SC4001');
    });
  });
});
