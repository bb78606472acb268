// Shared by the OCI tests: random profiles, the libseccomp reference (a Python helper run with
// Debian's python3-seccomp), and verdict comparison of two programs over every x86-64 syscall.
import { ARCHES, callAbi, X86_64, type Arch } from '../../src/arch/index.ts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulate } from '../../src/bpf/emulate.ts';
import { decodeProgram, type Instruction } from '../../src/bpf/insn.ts';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from '../../src/seccomp/abi.ts';
import { decodeAction, formatReturnValue, type Action } from '../../src/seccomp/action.ts';
import { BOUNDARY_VALUES, Random } from '../support/random.ts';
import { PfcProgram } from './pfc.ts';

export const PYTHON = '/usr/bin/python3';
export const REFERENCE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'libseccomp_reference.py');
/** Docker's and Podman's default profiles, as published (see the README there). */
export const PROFILES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'profiles');

/** JSON with bigints written as exact integers. */
export function toJson(value: unknown, indent = 0): string {
  const marked = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v.toString()}\u0000` : v), indent);
  return marked.replace(/"\\u0000(\d+)\\u0000"/g, '$1');
}

// ---------------------------------------------------------------------------------------------
// Random profiles

/** Syscalls with arguments of every width, few enough that entries collide. */
const NAMES = ['read', 'openat', 'socket', 'personality', 'clone', 'mmap', 'ioctl', 'prctl', 'fcntl', 'getpid', 'kill', 'futex', 'write', 'accept', 'shmctl'];
/** Names x86-64 lacks: another arch's syscall, a pseudo-syscall, a typo. */
const ODD_NAMES = ['chown32', 'socketcall', '_llseek', 'notasyscall'];
const ACTIONS = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'];
const OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const CAPS = ['CAP_SYS_ADMIN', 'CAP_NET_RAW', 'CAP_BPF'];
const ERRNOS = [0n, 1n, 13n, 38n, 4095n, 4096n, 65535n, 70000n];

function randomValue(rng: Random, pool: bigint[]): bigint {
  if (pool.length > 0 && rng.chance(0.35)) {
    const base = rng.pick(pool);
    return BigInt.asUintN(64, base + BigInt(rng.int(3) - 1));
  }
  const v = rng.chance(0.6) ? rng.pick(BOUNDARY_VALUES) : rng.next64() >> BigInt(rng.int(64));
  pool.push(v);
  return v;
}

export interface RandomProfile {
  readonly profile: Record<string, unknown>;
  /** Values it compares with, for boundary arguments. */
  readonly values: readonly bigint[];
}

/** A random profile; for a host other than x86-64, its architectures and GOARCH appear in it. */
export function randomProfile(rng: Random, host: Arch = X86_64): RandomProfile {
  const values: bigint[] = [];
  const profile: Record<string, unknown> = { defaultAction: rng.pick(ACTIONS.filter((a) => a !== 'SCMP_ACT_NOTIFY' || rng.chance(0.05))) };
  if (rng.chance(0.5)) profile['defaultErrnoRet'] = rng.pick(ERRNOS);
  const arches = host === X86_64 ? ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] : [host.oci.scmpArch, 'SCMP_ARCH_ARM', 'SCMP_ARCH_X86_64'];
  if (rng.chance(0.5)) profile['architectures'] = arches.slice(0, 1 + rng.int(3));
  const shuffled = NAMES.slice();
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const names = shuffled.slice(0, 2 + rng.int(4));
  const syscalls: Record<string, unknown>[] = [];
  const count = 1 + rng.int(9);
  for (let i = 0; i < count; i++) {
    const entry: Record<string, unknown> = {};
    const picked = Array.from({ length: 1 + rng.int(3) }, () => (rng.chance(0.05) ? rng.pick(ODD_NAMES) : rng.pick(names)));
    entry['names'] = [...new Set(picked)];
    entry['action'] = rng.pick(ACTIONS.filter((a) => a !== 'SCMP_ACT_NOTIFY' || rng.chance(0.3)));
    if (rng.chance(0.4)) entry['errnoRet'] = rng.pick(ERRNOS);
    if (rng.chance(0.75)) {
      const args = Array.from({ length: 1 + rng.int(3) }, () => {
        const op = rng.pick(OPS);
        const arg: Record<string, unknown> = { index: rng.int(rng.chance(0.8) ? 3 : 6), value: randomValue(rng, values), op };
        if (op === 'SCMP_CMP_MASKED_EQ') {
          const mask = arg['value'] as bigint;
          arg['valueTwo'] = rng.chance(0.7) ? mask & randomValue(rng, values) : randomValue(rng, values);
          values.push(arg['valueTwo'] as bigint);
        } else if (rng.chance(0.1)) {
          arg['valueTwo'] = randomValue(rng, values);
        }
        return arg;
      });
      entry['args'] = args;
    }
    if (rng.chance(0.15)) entry['includes'] = rng.chance(0.5) ? { caps: [rng.pick(CAPS)] } : rng.chance(0.5) ? { minKernel: rng.pick(['4.8', '9.0']) } : { arches: [rng.pick(host === X86_64 ? ['amd64', 'arm64'] : [host.oci.goArch!, 'amd64'])] };
    if (rng.chance(0.1)) entry['excludes'] = rng.chance(0.5) ? { caps: [rng.pick(CAPS)] } : { minKernel: rng.pick(['4.8', '9.0']) };
    if (rng.chance(0.2)) entry['comment'] = `entry ${i}`;
    syscalls.push(entry);
  }
  profile['syscalls'] = syscalls;
  return { profile, values };
}

// ---------------------------------------------------------------------------------------------
// The libseccomp reference

export interface ReferenceCase {
  readonly id: string;
  /** The host (default x86-64): its GOARCH, SCMP_ARCH_* and python-seccomp Arch names. */
  readonly host?: Arch;
  readonly profile: unknown;
  readonly caps: readonly string[];
  readonly kernel: readonly [number, number];
}

export type ReferenceResult =
  | {
    readonly id: string; readonly ok: true; readonly program: Instruction[]; readonly pfc: PfcProgram; readonly skipped: string[]; readonly fallback: string[];
    /** Per libseccomp arch token (decimal), the number it gives each name the rules use (negative: none). */
    readonly resolved: Readonly<Record<string, Readonly<Record<string, number>>>>;
  }
  | { readonly id: string; readonly ok: false; readonly error: string };

/** Fails with a clear message when Debian's python3-seccomp is missing (.ci/run installs it). */
export function checkReferenceAvailable(): void {
  const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import seccomp'], { encoding: 'utf8' }) : undefined;
  if (!probe || probe.status !== 0) {
    throw new Error(`${PYTHON} cannot import seccomp: install Debian's python3-seccomp (apt-get install -y python3-seccomp; .ci/run does). ${probe?.stderr ?? `${PYTHON} is missing`}`);
  }
}

/** Compiles every case with libseccomp, in one Python process. */
export function referenceFilters(cases: readonly ReferenceCase[]): { version: string; results: ReferenceResult[] } {
  checkReferenceAvailable();
  // Names libseccomp may not know, by the host's table (numbered only for x86-64, which uses them).
  const fallbackFor = (arch: Arch) => Object.fromEntries(arch.syscalls.all().map((s) => [s.name, s.nr]));
  const LIBSECCOMP_ARCH: Readonly<Record<string, string>> = { x86_64: 'X86_64', i386: 'X86', aarch64: 'AARCH64', arm: 'ARM', riscv64: 'RISCV64' };
  const host = (arch: Arch | undefined) => (arch ? { goarch: arch.oci.goArch, scmp: arch.oci.scmpArch, arch: LIBSECCOMP_ARCH[arch.name] } : undefined);
  const input = toJson({ cases: cases.map(({ host: arch, ...c }) => ({ ...c, fallback: fallbackFor(arch ?? X86_64), ...(arch ? { host: host(arch) } : {}) })) });
  const run = spawnSync(PYTHON, [REFERENCE_SCRIPT], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${REFERENCE_SCRIPT} failed (status ${run.status}): ${run.stderr}`);
  const output = JSON.parse(run.stdout) as { libseccomp: string; results: ({ id: string; ok: true; bpf: string; pfc: string; skipped: string[]; fallback: string[]; resolved: Record<string, Record<string, number>> } | { id: string; ok: false; error: string })[] };
  return {
    version: output.libseccomp,
    results: output.results.map((r) => {
      if (!r.ok) return r;
      const program = decodeProgram(Buffer.from(r.bpf, 'hex'));
      if (!program) throw new Error(`libseccomp's program for ${r.id} is not whole instructions`);
      // Python gives arch tokens as signed 32-bit numbers
      const resolved = Object.fromEntries(Object.entries(r.resolved).map(([token, names]) => [String(Number(token) >>> 0), names]));
      return { id: r.id, ok: true, program, pfc: new PfcProgram(r.pfc), skipped: r.skipped, fallback: r.fallback, resolved };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Verdicts

export interface Call {
  readonly nr: number;
  readonly arch: number;
  readonly args: readonly bigint[];
}

export interface Mismatch {
  readonly call: Call;
  readonly ours: string;
  readonly theirs: string;
  /** What libseccomp's rule database (its PFC) says, for calls of the filter's ABIs. */
  readonly database?: string;
}

export interface Comparison {
  /** Calls where our verdict differs from libseccomp's rule database or, where that database and libseccomp's BPF agree, from the BPF. */
  readonly mismatches: Mismatch[];
  /** Calls where libseccomp's BPF contradicts libseccomp's own rule database; we must follow the database. */
  readonly libseccompInconsistent: Mismatch[];
}

const AUDIT_ARCH_AARCH64 = 0xc00000b7;

/** Argument values around the ones a profile compares with, in both words. */
export function interestingValues(values: readonly bigint[]): bigint[] {
  const out = new Set<bigint>(BOUNDARY_VALUES);
  for (const v of values) {
    for (const d of [-1n, 0n, 1n, 1n << 32n, -(1n << 32n)]) out.add(BigInt.asUintN(64, v + d));
    out.add(v & 0xffffffffn);
    out.add(BigInt.asUintN(64, v | 0xffffffff00000000n));
    out.add(BigInt.asUintN(64, ~v));
  }
  return [...out];
}

/**
 * The calls both programs are run on: every syscall number of the target (x86-64 by default) and
 * a few beyond its table, with zero and random arguments; many argument vectors for the syscalls
 * the profile names; nr -1; on x86-64 x32 numbers; and calls of other architectures (i386 and
 * aarch64 beside x86-64, x86-64 and i386 beside the others).
 */
export function callsFor(namedSyscalls: readonly number[], values: readonly bigint[], rng: Random, perSyscall = 96, target: Arch = X86_64): Call[] {
  const calls: Call[] = [];
  const own = target.auditArch;
  const x32 = target.otherAbi?.action === 'x32';
  const foreign = x32 ? [AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64] : [AUDIT_ARCH_X86_64, AUDIT_ARCH_I386];
  const pool = interestingValues(values);
  const randomArgs = (): bigint[] => Array.from({ length: 6 }, () => (rng.chance(0.8) ? rng.pick(pool) : rng.next64()));
  for (const nr of tableNumbers(target)) {
    calls.push({ nr, arch: own, args: [] });
    calls.push({ nr, arch: own, args: randomArgs() });
  }
  for (const nr of x32 ? [1000, 0x3fffffff, 0xffffffff] : [1000, 0x3fffffff, 0x40000000, 0xffffffff]) calls.push({ nr, arch: own, args: randomArgs() });
  for (const nr of namedSyscalls) {
    // one argument at a time over every interesting value, then random combinations
    for (let index = 0; index < 6; index++) for (const v of pool) calls.push({ nr, arch: own, args: Array.from({ length: 6 }, (_, i) => (i === index ? v : 0n)) });
    for (let i = 0; i < perSyscall; i++) calls.push({ nr, arch: own, args: randomArgs() });
    if (x32) calls.push({ nr: (nr | X32_SYSCALL_BIT) >>> 0, arch: own, args: randomArgs() });
    for (const arch of foreign) calls.push({ nr, arch, args: randomArgs() });
  }
  if (x32) {
    calls.push({ nr: X32_SYSCALL_BIT, arch: own, args: [] });
    calls.push({ nr: 0, arch: AUDIT_ARCH_I386, args: [] });
  }
  return calls;
}

/**
 * Every number of the target's table and between them, and 8 beyond each; a gap of more than 256
 * numbers (arm's private calls at 0xf0000, x32's at bit 30) is skipped past those 8.
 */
function tableNumbers(target: Arch): number[] {
  const table = [...new Set(target.syscalls.all().map((s) => s.nr))].sort((a, b) => a - b);
  const out: number[] = [];
  table.forEach((nr, i) => {
    const next = table[i + 1] ?? Infinity;
    const end = next - nr > 256 ? nr + 8 : next - 1;
    for (let n = nr; n <= end; n++) out.push(n);
  });
  return out;
}

export function verdict(program: readonly Instruction[], call: Call): Action {
  return decodeAction(emulate(program, call).value).action;
}

const isKill = (a: Action): boolean => a.kind === 'kill_process' || a.kind === 'kill_thread';
const sameAction = (a: number, b: number): boolean => JSON.stringify(decodeAction(a).action) === JSON.stringify(decodeAction(b).action);

/**
 * Compares our program with libseccomp's, call by call. x32 and foreign-arch calls must be
 * rejected by both: ours with kill_process, libseccomp's with its bad-arch action (KILL, which is
 * kill_thread). Other calls must get libseccomp's verdict; where libseccomp's BPF contradicts its
 * own rule database (PFC), ours must follow the database, and the call is reported apart.
 */
export function compareVerdicts(ours: readonly Instruction[], reference: { program: readonly Instruction[]; pfc: PfcProgram }, calls: readonly Call[], target: Arch | readonly Arch[] = X86_64): Comparison {
  const mismatches: Mismatch[] = [];
  const libseccompInconsistent: Mismatch[] = [];
  const abis = Array.isArray(target) ? target : [target as Arch];
  for (const call of calls) {
    const a = emulate(ours, call).value;
    const b = emulate(reference.program, call).value;
    if (!abiOfCall(abis, call)) {
      if (!(decodeAction(a).action.kind === 'kill_process' && isKill(decodeAction(b).action))) mismatches.push({ call, ours: formatReturnValue(a), theirs: formatReturnValue(b) });
      continue;
    }
    const d = reference.pfc.run(call);
    const entry = { call, ours: formatReturnValue(a), theirs: formatReturnValue(b), database: formatReturnValue(d) };
    if (!sameAction(a, d)) mismatches.push(entry);
    else if (!sameAction(b, d)) libseccompInconsistent.push(entry);
  }
  return { mismatches, libseccompInconsistent };
}

/** Numbers of the target's syscalls a profile names (but those in `except`). */
export function namedSyscalls(profile: { syscalls?: { names?: string[]; name?: string }[] }, target: Arch = X86_64, except: readonly string[] = []): number[] {
  const nrs = new Set<number>();
  for (const entry of profile.syscalls ?? []) {
    for (const name of [...(entry.names ?? []), ...(entry.name ? [entry.name] : [])]) {
      const s = except.includes(name) ? undefined : target.syscalls.byName(name);
      if (s) nrs.add(s.nr);
    }
  }
  return [...nrs].sort((a, b) => a - b);
}

export function describeCall(call: Call): string {
  return `nr ${call.nr === 0xffffffff ? -1 : `0x${call.nr.toString(16)}`} arch 0x${call.arch.toString(16)} args [${call.args.map((a) => `0x${a.toString(16)}`).join(', ')}]`;
}

/** The ABI of the filter (`abis`) a call is made through, if any. */
export function abiOfCall(abis: readonly Arch[], call: { readonly arch: number; readonly nr: number }): Arch | undefined {
  return abis.find((abi) => callAbi(abi, call.arch, call.nr) === 'native');
}

/** The ABIs of libseccomp's filter (the host and the architectures the profile lists), as seccompile's arches. */
export function referenceAbis(reference: TableReport): Arch[] {
  return Object.keys(reference.resolved).flatMap((token) => ARCHES.filter((a) => scmpToken(a) === Number(token)));
}

/** What the reference says of names: those it does not know, and its number for each on each ABI. */
type TableReport = Pick<Extract<ReferenceResult, { ok: true }>, 'fallback' | 'resolved'>;

/** libseccomp's token for an ABI (SCMP_ARCH_*): its AUDIT_ARCH value, but for x32. */
const scmpToken = (abi: Arch): number => (abi.name === 'x32' ? 0x4000003e : abi.auditArch);

/** Names libseccomp gives each call through a multiplexer on i386, where its lookup says "none". */
const MULTIPLEXED_ON_I386 = new Set(['socket', 'bind', 'connect', 'listen', 'accept', 'getsockname', 'getpeername', 'socketpair', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'setsockopt', 'getsockopt', 'sendmsg', 'recvmsg', 'accept4', 'recvmmsg', 'sendmmsg', 'semop', 'semget', 'semctl', 'semtimedop', 'msgsnd', 'msgrcv', 'msgget', 'msgctl', 'shmat', 'shmdt', 'shmget', 'shmctl']);

/**
 * Syscall numbers of `abi` to leave out of a comparison: those of names this libseccomp does not
 * know (`fallback`), and those whose name its table numbers otherwise than seccompile's (a name
 * one table has and the other lacks, such as arm's `sync_file_range2`).
 */
export function tableDisagreements(reference: TableReport, abi: Arch): Set<number> {
  const out = new Set<number>();
  for (const name of reference.fallback) {
    const ours = abi.syscalls.byName(name);
    if (ours) out.add(ours.nr);
  }
  for (const [name, theirs] of Object.entries(reference.resolved[String(scmpToken(abi))] ?? {})) {
    if (abi.name === 'i386' && MULTIPLEXED_ON_I386.has(name)) continue;
    const ours = abi.syscalls.byName(name)?.nr;
    if ((ours ?? -1) === (theirs < 0 ? -1 : theirs >>> 0)) continue;
    if (ours !== undefined) out.add(ours);
    if (theirs >= 0) out.add(theirs >>> 0);
  }
  return out;
}

/**
 * The calls for a filter of several ABIs: callsFor each (the syscalls the profile names, by that
 * ABI's numbers), without the numbers the two tables disagree on.
 */
export function callsForAbis(abis: readonly Arch[], profile: unknown, values: readonly bigint[], rng: Random, perSyscall: number, reference: TableReport): Call[] {
  const left = new Map(abis.map((abi) => [abi, tableDisagreements(reference, abi)]));
  const calls = abis.flatMap((abi) => {
    const named = namedSyscalls(profile as never, abi).filter((nr) => !left.get(abi)!.has(nr));
    const multiplexers = abi.name === 'i386' ? ['socketcall', 'ipc'].map((n) => abi.syscalls.byName(n)!.nr) : [];
    return callsFor([...named, ...multiplexers], values, rng, perSyscall, abi);
  });
  // each ABI's calls include other ABIs' (as foreign calls): leave a number out whoever made it
  return calls.filter((call) => {
    const abi = abiOfCall(abis, call);
    return !(abi && left.get(abi)!.has(call.nr));
  });
}
