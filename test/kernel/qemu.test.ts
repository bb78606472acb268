/**
 * Filters compiled for aarch64, arm (EABI) and riscv64, run in real kernels of those architectures
 * under qemu: an arm64 kernel runs the aarch64 calls and, through its compat ABI, the arm ones; a
 * riscv64 kernel runs the riscv64 calls. As on the host (policies.test.ts), each call is checked
 * twice: the emulator's verdict against one written here by hand (hand-written cases), and the
 * kernel's outcome against what that verdict means for the call's unfiltered (baseline) outcome.
 * Random policies add a few hundred filters per architecture, kernel against emulator.
 *
 * One boot per machine runs every batch; .ci/run fetches the kernels (scripts/fetch-test-kernels.sh).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { archByName, type Arch } from '../../src/arch/index.ts';
import { emulate } from '../../src/bpf/emulate.ts';
import { encodeProgram, type Instruction } from '../../src/bpf/insn.ts';
import { compilePolicy } from '../../src/compile.ts';
import { randomPolicies } from './random-policies.ts';
import { buildInstallerTest } from './installer.ts';
import { MACHINES, runInVm, type GuestBatch, type GuestCall, type GuestOutcome, type Machine } from './qemu/vm.ts';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');
const ALLOW = 0x7fff0000;
const KILL_PROCESS = 0x80000000;
const errno = (n: number): number => (0x00050000 | n) >>> 0;
const trap = (n: number): number => (0x00030000 | n) >>> 0;
const SIGSYS = 31;
const ENOSYS = 38;

/** Numbers written out here on purpose (independent of src/): asm-generic/unistd.h and arm's table. */
const GENERIC: Readonly<Record<string, number>> = {
  dup: 23, flock: 32, fchdir: 50, fchmod: 52, fchown: 55, close: 57, fsync: 82, fdatasync: 83, sched_yield: 124,
  getpgid: 155, getsid: 156, umask: 166, getpid: 172, getppid: 173, getuid: 174, geteuid: 175, getgid: 176,
  getegid: 177, gettid: 178, socket: 198, mprotect: 226, openat: 56,
};
const ARM: Readonly<Record<string, number>> = {
  close: 6, getpid: 20, setuid: 23, getuid: 24, dup: 41, umask: 60, getppid: 64, fsync: 118, fchdir: 133,
  flock: 143, fdatasync: 148, sched_yield: 158, getuid32: 199, setuid32: 213, gettid: 224,
  socket: 281, mprotect: 125, openat: 322,
};

interface Probe {
  readonly label: string;
  readonly call: GuestCall;
  /** The verdict the policy gives, by hand; absent for random policies (the emulator's is used). */
  readonly expect?: number;
}

interface Filter {
  readonly name: string;
  /** The policy text, shown when a call differs. */
  readonly policy?: string;
  readonly program: readonly Instruction[];
  readonly probes: readonly Probe[];
}

function compileFor(arch: Arch, text: string): readonly Instruction[] {
  const result = compilePolicy(text, { arch });
  if (!result.ok) throw new Error(`${arch.name}: ${result.diagnostics.map((d) => d.message).join('; ')}\n${text}`);
  return result.filter.program;
}

const probe = (table: Readonly<Record<string, number>>, name: string, args: readonly (bigint | number)[], expect?: number): Probe => ({
  label: `${name}(${args.map((a) => `0x${BigInt(a).toString(16)}`).join(', ')})`,
  call: { nr: table[name]!, args: args.map(BigInt) },
  ...(expect !== undefined ? { expect } : {}),
});

/** What the kernel does with a call given the filter's verdict and the call's unfiltered outcome. */
function expected(verdict: number, baseline: GuestOutcome, call: GuestCall): GuestOutcome {
  const action = (verdict & 0xffff0000) >>> 0;
  const data = verdict & 0xffff;
  switch (action) {
    case 0x7fff0000: case 0x7ffc0000: return baseline;
    case 0x00050000: return { kind: 'returned', ret: data === 0 ? 0 : -1, errno: Math.min(data, 4095) };
    case 0x00030000: return { kind: 'trapped', nr: call.nr };
    // TRACE without a tracer and NOTIFY without a listener: the call fails with ENOSYS.
    case 0x7ff00000: case 0x7fc00000: return { kind: 'returned', ret: -1, errno: ENOSYS };
    default: return { kind: 'killed', signal: SIGSYS };
  }
}

// --- Hand-written cases ------------------------------------------------------------------------

function handCases(arch: Arch, table: Readonly<Record<string, number>>): Filter[] {
  const p = (name: string, args: readonly (bigint | number)[], expect: number): Probe => probe(table, name, args, expect);
  const AT_FDCWD = BigInt.asUintN(arch.bits, -100n);
  const filters: Filter[] = [{
    name: 'examples/portable-worker.policy',
    program: compileFor(arch, readFileSync(join(EXAMPLES, 'portable-worker.policy'), 'utf8')),
    probes: [
      p('getpid', [], ALLOW),
      p('openat', [AT_FDCWD, 0, 1 /* O_WRONLY */], errno(13)),
      p('openat', [AT_FDCWD, 0, 0], ALLOW),
      p('socket', [16 /* AF_NETLINK */, 1, 0], errno(97)),
      p('socket', [1 /* AF_UNIX */, 1, 0], ALLOW),
      p('mprotect', [0, 0, 4 /* PROT_EXEC */], KILL_PROCESS),
      p('mprotect', [0, 0, 1], ALLOW),
      p('umask', [0], KILL_PROCESS),
    ],
  }, {
    name: 'actions, an argument test and foreign calls',
    program: compileFor(arch, `
      default errno(EPERM)
      allow getpid, getppid
      errno(EACCES) umask if mask == 0o22
      allow close if fd == 5
      trap(9) gettid
      kill_process sched_yield
    `),
    probes: [
      p('getpid', [], ALLOW), p('getppid', [], ALLOW),
      p('umask', [0o22], errno(13)), p('umask', [0o77], errno(1)),
      p('close', [5], ALLOW), p('close', [6], errno(1)),
      p('gettid', [], trap(9)), p('sched_yield', [], KILL_PROCESS),
      p('dup', [3], errno(1)),
    ],
  }];
  if (arch.bits === 64) {
    filters.push({
      name: '64-bit arguments: fd compared on 32 bits, a 64-bit mask on both halves',
      program: compileFor(arch, `
        default errno(EPERM)
        errno(EACCES) close if fd == 7
        errno(ENOENT) fchown if arg1_64 == 0x100000001
      `),
      probes: [
        p('close', [0x1_0000_0007n], errno(13)), p('close', [7], errno(13)),
        p('fchown', [99, 0x1_0000_0001n, 0], errno(2)), p('fchown', [99, 1, 0], errno(1)),
      ],
    });
  } else {
    filters.push({
      name: '32-bit ABI: the old 16-bit setuid compares 16 bits, setuid32 all 32',
      program: compileFor(arch, `
        default allow
        errno(ENOENT) setuid if uid == 0
        errno(EEXIST) setuid32 if uid == 0
      `),
      probes: [p('setuid', [0x10000], errno(2)), p('setuid32', [0x10000], ALLOW), p('setuid32', [0], errno(17))],
    });
  }
  return filters;
}

// --- Random policies ---------------------------------------------------------------------------

function randomFilters(arch: Arch, table: Readonly<Record<string, number>>, count: number, seed: number): Filter[] {
  return randomPolicies(arch, count, seed).map((policy, i) => ({
    name: `random ${i}`,
    policy: policy.text,
    program: compileFor(arch, policy.text),
    // A 32-bit process has 32-bit registers: it can pass only the low half.
    probes: policy.calls.map((c) => probe(table, c.name, arch.bits === 32 ? c.args.map((a) => BigInt.asUintN(32, a)) : c.args)),
  }));
}

/**
 * One filter for aarch64 and arm: the same random policies (arm's widths, the narrower) compiled
 * once for both ABIs, run by the native guest with aarch64's numbers and by the compat guest with
 * arm's.
 */
function multiAbiFilters(count: number, seed: number): { native: Filter[]; compat: Filter[] } {
  const [aarch64, arm] = [archByName('aarch64')!, archByName('arm')!];
  const policies = randomPolicies(arm, count, seed);
  const programs = policies.map((policy) => {
    const result = compilePolicy(policy.text, { arches: [aarch64, arm] });
    if (!result.ok) throw new Error(`aarch64+arm: ${result.diagnostics.map((d) => d.message).join('; ')}\n${policy.text}`);
    return result.filter.program;
  });
  const filters = (table: Readonly<Record<string, number>>, bits: number): Filter[] => policies.map((policy, i) => ({
    name: `aarch64+arm ${i}`, policy: policy.text, program: programs[i]!,
    probes: policy.calls.map((c) => probe(table, c.name, bits === 32 ? c.args.map((a) => BigInt.asUintN(32, a)) : c.args)),
  }));
  return { native: filters(GENERIC, 64), compat: filters(ARM, 32) };
}

// --- Running -----------------------------------------------------------------------------------

interface Check {
  readonly filter: string;
  readonly call: string;
  readonly verdict: string;
  readonly outcome: GuestOutcome;
}

/** The batches of one ABI: a baseline of every distinct call first, then each filter's calls. */
function batches(filters: readonly Filter[]): { batches: GuestBatch[]; baselineCalls: GuestCall[] } {
  const distinct = new Map<string, GuestCall>();
  for (const f of filters) for (const p of f.probes) distinct.set(JSON.stringify([p.call.nr, (p.call.args ?? []).map(String)]), p.call);
  const baselineCalls = [...distinct.values()];
  return { baselineCalls, batches: [{ calls: baselineCalls }, ...filters.map((f) => ({ filter: encodeProgram(f.program), calls: f.probes.map((p) => p.call) }))] };
}

/** Each child is a new process: a successful getpid or gettid returns a new number every time. */
function comparable(outcome: GuestOutcome): GuestOutcome {
  return outcome.kind === 'returned' && outcome.ret > 0 ? { kind: 'returned', ret: 1, errno: 0 } : outcome;
}

function judge(arch: Arch, filters: readonly Filter[], rawOutcomes: readonly GuestOutcome[], baselineCalls: readonly GuestCall[]): { actual: Check[]; wanted: Check[]; hand: { got: string[]; want: string[] } } {
  const outcomes = rawOutcomes.map(comparable);
  const key = (c: GuestCall): string => JSON.stringify([c.nr, (c.args ?? []).map(String)]);
  const baseline = new Map(baselineCalls.map((c, i) => [key(c), outcomes[i]!]));
  let at = baselineCalls.length;
  const actual: Check[] = [];
  const wanted: Check[] = [];
  const hand = { got: [] as string[], want: [] as string[] };
  for (const f of filters) {
    for (const p of f.probes) {
      const args = Array.from({ length: 6 }, (_, i) => p.call.args?.[i] ?? 0n);
      const verdict = emulate(f.program, { arch: arch.auditArch, nr: p.call.nr, args }).value >>> 0;
      const hex = `0x${verdict.toString(16)}`;
      if (p.expect !== undefined) {
        hand.got.push(`${f.name}: ${p.label} -> 0x${verdict.toString(16)}`);
        hand.want.push(`${f.name}: ${p.label} -> 0x${(p.expect >>> 0).toString(16)}`);
      }
      actual.push({ filter: f.policy ?? f.name, call: p.label, verdict: hex, outcome: outcomes[at++]! });
      wanted.push({ filter: f.policy ?? f.name, call: p.label, verdict: hex, outcome: expected(verdict, baseline.get(key(p.call))!, p.call) });
    }
  }
  return { actual, wanted, hand };
}

function runMachine(machine: Machine, native: { arch: Arch; filters: Filter[] }, compat?: { arch: Arch; filters: Filter[] }) {
  const n = batches(native.filters);
  const c = compat ? batches(compat.filters) : undefined;
  // The header installers too: each target's, built with its compiler, run as a program of the VM.
  const programs: Record<string, Uint8Array> = { [`installer-${native.arch.name}`]: buildInstallerTest(native.arch, machine.cc) };
  if (compat) programs[`installer-${compat.arch.name}`] = buildInstallerTest(compat.arch, machine.compatCc!);
  const run = runInVm(machine, n.batches, c?.batches ?? [], programs);
  return {
    seconds: run.seconds,
    installers: run.programs,
    native: judge(native.arch, native.filters, run.native, n.baselineCalls),
    ...(compat && c ? { compat: judge(compat.arch, compat.filters, run.compat, c.baselineCalls) } : {}),
  };
}

/** The calls whose kernel outcome is not the one the verdict predicts (listed whole, to read). */
function differences(judged: { actual: Check[]; wanted: Check[] }): { actual: Check; wanted: GuestOutcome }[] {
  return judged.actual.flatMap((a, i) => (JSON.stringify(a) === JSON.stringify(judged.wanted[i]) ? [] : [{ actual: a, wanted: judged.wanted[i]!.outcome }]));
}

const RANDOM_PER_ARCH = 200;
/** Filters for aarch64 and arm at once, run through both ABIs. */
const MULTI_ABI = 60;

describe('filters in real aarch64, arm and riscv64 kernels (qemu)', () => {
  it('aarch64 and arm (compat) under an arm64 kernel', () => {
    const aarch64 = archByName('aarch64')!;
    const arm = archByName('arm')!;
    const multi = multiAbiFilters(MULTI_ABI, 4);
    const result = runMachine(
      MACHINES.aarch64,
      { arch: aarch64, filters: [...handCases(aarch64, GENERIC), ...randomFilters(aarch64, GENERIC, RANDOM_PER_ARCH, 1), ...multi.native] },
      { arch: arm, filters: [...handCases(arm, ARM), ...randomFilters(arm, ARM, RANDOM_PER_ARCH, 2), ...multi.compat] },
    );
    expect(result.native.hand.got).toEqual(result.native.hand.want);
    expect(result.compat!.hand.got).toEqual(result.compat!.hand.want);
    expect(differences(result.native)).toEqual([]);
    expect(differences(result.compat!)).toEqual([]);
    expect(result.native.actual.length).toBeGreaterThan(RANDOM_PER_ARCH * 8);
    expect(result.compat!.actual.length).toBeGreaterThan(RANDOM_PER_ARCH * 8);
    expect(result.installers).toEqual({ 'installer-aarch64': 0, 'installer-arm': 0 });
  }, 180_000);

  it('riscv64 under a riscv64 kernel', () => {
    const riscv64 = archByName('riscv64')!;
    const result = runMachine(MACHINES.riscv64, { arch: riscv64, filters: [...handCases(riscv64, GENERIC), ...randomFilters(riscv64, GENERIC, RANDOM_PER_ARCH, 3)] });
    expect(result.native.hand.got).toEqual(result.native.hand.want);
    expect(differences(result.native)).toEqual([]);
    expect(result.native.actual.length).toBeGreaterThan(RANDOM_PER_ARCH * 8);
    expect(result.installers).toEqual({ 'installer-riscv64': 0 });
  }, 180_000);
});
