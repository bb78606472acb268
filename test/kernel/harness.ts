/**
 * Kernel test harness: runs raw classic-BPF seccomp filters in the real
 * kernel (through the C helper run-filter.c) and predicts, from a filter's
 * return value, what the kernel will do with a call.
 *
 * Independent of the compiler: a filter is just bytes, an array of
 * struct sock_filter (u16 code, u8 jt, u8 jf, u32 k; little-endian).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How the call enters the kernel. `i386` passes the low 32 bits of each
 * argument, as a 32-bit process would; `i386-wide` is `int $0x80` from
 * 64-bit code with the full registers, whose upper halves seccomp then sees
 * in args[i] (a 64-bit attacker can do this; the i386 system call itself
 * ignores them).
 */
export type Abi = 'x64' | 'x32' | 'i386' | 'i386-wide';

/** One system call to make: up to 6 args, missing ones are 0n. */
export interface KernelCall {
  abi: Abi;
  nr: number;
  args?: readonly bigint[];
}

export type KernelOutcome =
  | { outcome: 'returned'; ret: number; errno: number }
  /** The process died of a signal; `core` is always false, the helper makes children non-dumpable. */
  | { outcome: 'killed'; signal: number; core: boolean }
  /** The calling thread died but the process lived (KILL_THREAD, or the call was exit(2) itself). */
  | { outcome: 'thread-killed' }
  | { outcome: 'trapped'; data: number; syscall: number; arch: number }
  | { outcome: 'notified'; nr: number; arch: number; args: string[]; ret: number }
  | { outcome: 'install-failed'; errno: number }
  /** The call ended the process normally (exit_group), so no result came back. */
  | { outcome: 'exited'; status: number }
  | { outcome: 'timeout' };

export interface RunOptions {
  /** Ask for a listener (NEW_LISTENER) and answer notifications with 4242. Default: when the filter has a `ret #USER_NOTIF`. */
  listener?: boolean;
  /** Extra seccomp filter flags (TSYNC is refused: it would bind the supervising thread). */
  flags?: number;
  /** Make the calls without installing the filter. */
  baseline?: boolean;
  /** Per-call time limit in the helper, default 5000 ms. */
  timeoutMs?: number;
}

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
/** What the helper's supervisor answers to every user notification. */
export const NOTIF_REPLY_VALUE = 4242;

const X32_SYSCALL_BIT = 0x40000000;
const MAX_ERRNO = 4095;
const ENOSYS = 38;
const SIGSYS = 31;
const BPF_RET_K = 0x06;

const RET_KILL_PROCESS = 0x80000000;
const RET_KILL_THREAD = 0x00000000;
const RET_TRAP = 0x00030000;
const RET_ERRNO = 0x00050000;
const RET_USER_NOTIF = 0x7fc00000;
const RET_TRACE = 0x7ff00000;
const RET_LOG = 0x7ffc0000;
const RET_ALLOW = 0x7fff0000;

const here = dirname(fileURLToPath(import.meta.url));
const helperSource = join(here, 'run-filter.c');
const helperBinary = join(here, '..', '.build', 'run-filter');
let builtHelper: string | undefined;

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Path of the compiled helper, building test/.build/run-filter from
 * run-filter.c when it is missing or older than the source. Concurrent
 * callers (vitest workers) each build to a private name and rename, so a
 * reader never sees a half-written binary.
 */
export function kernelHelperPath(): string {
  if (builtHelper !== undefined) return builtHelper;
  const built = mtimeMs(helperBinary);
  if (built === undefined || built < (mtimeMs(helperSource) ?? Infinity)) {
    mkdirSync(dirname(helperBinary), { recursive: true });
    const temp = `${helperBinary}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const gcc = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-pthread', '-o', temp, helperSource], {
      encoding: 'utf8',
    });
    if (gcc.status !== 0) {
      rmSync(temp, { force: true });
      throw new Error(`building ${helperSource} failed: ${gcc.error?.message ?? gcc.stderr}`);
    }
    renameSync(temp, helperBinary);
  }
  builtHelper = helperBinary;
  return builtHelper;
}

/** True if some `ret K` of the filter returns SECCOMP_RET_USER_NOTIF. */
function returnsUserNotif(filter: Uint8Array): boolean {
  const view = new DataView(filter.buffer, filter.byteOffset, filter.byteLength);
  for (let at = 0; at + 8 <= filter.byteLength; at += 8) {
    const code = view.getUint16(at, true);
    const k = view.getUint32(at + 4, true);
    if (code === BPF_RET_K && (k & 0xffff0000) >>> 0 === RET_USER_NOTIF) return true;
  }
  return false;
}

/** One stdin line for the helper. */
function callLine(call: KernelCall): string {
  const args = call.args ?? [];
  if (args.length > 6) throw new Error(`a system call has at most 6 args, got ${args.length}`);
  if (!Number.isSafeInteger(call.nr)) throw new Error(`bad syscall number ${call.nr}`);
  const hex = args.map((a) => `0x${BigInt.asUintN(64, a).toString(16)}`);
  return [call.abi, String(call.nr), ...hex].join(' ');
}

/**
 * Make each call in a fresh child process, under `filter` (or without any
 * filter with `baseline`), and return what happened, in order. Synchronous.
 */
export function runInKernel(
  filter: Uint8Array,
  calls: readonly KernelCall[],
  opts: RunOptions = {},
): KernelOutcome[] {
  if (calls.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-kernel-'));
  try {
    const filterPath = join(dir, 'filter.bpf');
    writeFileSync(filterPath, filter);
    const argv: string[] = [];
    if (opts.flags !== undefined) argv.push('--flags', String(opts.flags >>> 0));
    if (opts.listener ?? returnsUserNotif(filter)) argv.push('--listener');
    if (opts.baseline) argv.push('--baseline');
    const timeoutMs = opts.timeoutMs ?? 5000;
    argv.push('--timeout-ms', String(timeoutMs), filterPath);
    const run = spawnSync(kernelHelperPath(), argv, {
      input: calls.map(callLine).join('\n') + '\n',
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: calls.length * (timeoutMs + 1000) + 10_000,
    });
    if (run.status !== 0) {
      throw new Error(`run-filter failed (${run.error?.message ?? `status ${run.status}, signal ${run.signal}`}): ${run.stderr}`);
    }
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    if (lines.length !== calls.length) {
      throw new Error(`run-filter gave ${lines.length} results for ${calls.length} calls: ${run.stderr}`);
    }
    return lines.map((l) => JSON.parse(l) as KernelOutcome);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The syscall number as seccomp sees it (seccomp_data.nr, an int). */
function seenNr(call: KernelCall): number {
  return call.abi === 'x32' ? (call.nr | X32_SYSCALL_BIT) : call.nr | 0;
}

function seenArch(call: KernelCall): number {
  return call.abi === 'i386' || call.abi === 'i386-wide' ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
}

/** seccomp_data.args as the kernel reports them: an i386 call passes the low half of each. */
function seenArgValues(call: KernelCall): bigint[] {
  const width = call.abi === 'i386' ? 32 : 64;
  return Array.from({ length: 6 }, (_, i) => BigInt.asUintN(width, call.args?.[i] ?? 0n));
}

/** The same in the helper's hex form. */
function seenArgs(call: KernelCall): string[] {
  return seenArgValues(call).map((v) => `0x${v.toString(16)}`);
}

/** What the filter sees of `call` (seccomp_data's nr, arch and args), to run it in the emulator. */
export function seenData(call: KernelCall): { nr: number; arch: number; args: bigint[] } {
  return { nr: seenNr(call) >>> 0, arch: seenArch(call), args: seenArgValues(call) };
}

/**
 * What the kernel does with `call` when the filter returns `ret` (a u32),
 * given the call's unfiltered `baseline` outcome; assumes runInKernel's
 * setup (listener present for USER_NOTIF, no tracer, a live main thread).
 * Mirrors __seccomp_filter in kernel/seccomp.c.
 */
export function expectedOutcome(ret: number, baseline: KernelOutcome, call: KernelCall): KernelOutcome {
  const action = (ret & 0xffff0000) >>> 0;
  const data = ret & 0xffff;
  switch (action) {
    case RET_ALLOW:
    case RET_LOG:
      return baseline;
    case RET_ERRNO: {
      // The kernel sets the return register to -data: ERRNO(0) "succeeds" with 0.
      const errno = Math.min(data, MAX_ERRNO);
      return { outcome: 'returned', ret: errno === 0 ? 0 : -1, errno };
    }
    case RET_TRAP:
      return { outcome: 'trapped', data, syscall: seenNr(call), arch: seenArch(call) };
    case RET_TRACE:
      return { outcome: 'returned', ret: -1, errno: ENOSYS };
    case RET_USER_NOTIF:
      return { outcome: 'notified', nr: seenNr(call), arch: seenArch(call), args: seenArgs(call), ret: NOTIF_REPLY_VALUE };
    case RET_KILL_THREAD:
      return { outcome: 'thread-killed' };
    case RET_KILL_PROCESS:
    default:
      return { outcome: 'killed', signal: SIGSYS, core: false };
  }
}
