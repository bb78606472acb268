// Boots a real kernel of another architecture under qemu with the guest program (guest.c) as its
// /init, to run seccomp filters on that architecture's system calls.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
/** Where .ci/run (scripts/fetch-test-kernels.sh) unpacks the kernels. */
export const KERNEL_DIR = join(here, '.kernels');
const BUILD_DIR = join(here, '.build');

/** A machine qemu boots: its kernel, console, and the compilers of its guests. */
export interface Machine {
  readonly name: 'aarch64' | 'riscv64';
  readonly qemu: string;
  readonly args: readonly string[];
  readonly console: string;
  /** Cross compiler of the native guest. */
  readonly cc: string;
  /** Cross compiler of a compat guest (arm under arm64), if the kernel runs one. */
  readonly compatCc?: string;
}

export const MACHINES: Readonly<Record<Machine['name'], Machine>> = {
  aarch64: {
    name: 'aarch64', qemu: 'qemu-system-aarch64', args: ['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '2'],
    console: 'ttyAMA0', cc: 'aarch64-linux-gnu-gcc', compatCc: 'arm-linux-gnueabihf-gcc',
  },
  riscv64: {
    name: 'riscv64', qemu: 'qemu-system-riscv64', args: ['-M', 'virt', '-smp', '2', '-bios', 'default'],
    console: 'ttyS0', cc: 'riscv64-linux-gnu-gcc',
  },
};

export function kernelPath(machine: Machine): string {
  return join(KERNEL_DIR, `${machine.name}.kernel`);
}

/** The guest program for a compiler, built once (it is rebuilt when guest.c is newer). */
export function buildGuest(cc: string): string {
  mkdirSync(BUILD_DIR, { recursive: true });
  const source = join(here, 'guest.c');
  const out = join(BUILD_DIR, `guest-${cc.replace(/-gcc$/, '')}`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(source).mtimeMs) {
    execFileSync(cc, ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', out, source], { stdio: 'pipe' });
  }
  return out;
}

/** A gzip-compressed cpio archive (newc) of regular files, all in the root directory. */
export function initramfs(files: Readonly<Record<string, { data: Uint8Array; mode: number }>>): Buffer {
  const parts: Buffer[] = [];
  const pad = (length: number): void => {
    if (length % 4 !== 0) parts.push(Buffer.alloc(4 - (length % 4)));
  };
  const entry = (name: string, mode: number, data: Uint8Array, ino: number): void => {
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const header = '070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
    parts.push(Buffer.from(header + name + '\0', 'latin1'));
    pad(110 + name.length + 1);
    parts.push(Buffer.from(data));
    pad(data.length);
  };
  let ino = 1;
  for (const [name, file] of Object.entries(files)) entry(name, 0o100000 | file.mode, file.data, ino++);
  entry('TRAILER!!!', 0, new Uint8Array(), 0);
  return gzipSync(Buffer.concat(parts));
}

/** One call for the guest: a number and up to six arguments. */
export interface GuestCall {
  readonly nr: number;
  readonly args?: readonly bigint[];
}

/** A filter (or none, for the baseline) and the calls to make under it. */
export interface GuestBatch {
  readonly filter?: Uint8Array;
  readonly calls: readonly GuestCall[];
}

export type GuestOutcome =
  | { readonly kind: 'returned'; readonly ret: number; readonly errno: number }
  | { readonly kind: 'trapped'; readonly nr: number }
  | { readonly kind: 'killed'; readonly signal: number }
  | { readonly kind: 'exited'; readonly status: number }
  | { readonly kind: 'install-failed'; readonly errno: number }
  | { readonly kind: 'timeout' };

function casesText(batches: readonly GuestBatch[]): string {
  const hex = (v: bigint | number): string => BigInt.asUintN(64, BigInt(v)).toString(16);
  const lines: string[] = [];
  for (const batch of batches) {
    lines.push(batch.filter ? `filter ${Buffer.from(batch.filter).toString('hex')}` : 'nofilter');
    for (const call of batch.calls) {
      const args = Array.from({ length: 6 }, (_, i) => call.args?.[i] ?? 0n);
      lines.push(`call ${hex(call.nr)} ${args.map(hex).join(' ')}`);
    }
  }
  return lines.join('\n') + '\n';
}

function parseOutcome(line: string): GuestOutcome {
  const [kind, a, b] = line.split(' ');
  switch (kind) {
    case 'R': return { kind: 'returned', ret: Number(a), errno: Number(b) };
    case 'T': return { kind: 'trapped', nr: Number(a) };
    case 'K': return { kind: 'killed', signal: Number(a) };
    case 'E': return { kind: 'exited', status: Number(a) };
    case 'F': return { kind: 'install-failed', errno: Number(a) };
    default: return { kind: 'timeout' };
  }
}

/**
 * Boots `machine` once and runs `native` batches with its native guest and `compat` batches with
 * its compat guest; returns the outcomes of each call in order.
 */
export function runInVm(machine: Machine, native: readonly GuestBatch[], compat: readonly GuestBatch[] = [], programs: Readonly<Record<string, Uint8Array>> = {}): { native: GuestOutcome[]; compat: GuestOutcome[]; programs: Record<string, number>; seconds: number } {
  const files: Record<string, { data: Uint8Array; mode: number }> = {
    init: { data: readFileSync(buildGuest(machine.cc)), mode: 0o755 },
    cases: { data: Buffer.from(casesText(native)), mode: 0o644 },
  };
  if (compat.length > 0) {
    if (!machine.compatCc) throw new Error(`${machine.name} has no compat guest`);
    files['compat-guest'] = { data: readFileSync(buildGuest(machine.compatCc)), mode: 0o755 };
    files['compat-cases'] = { data: Buffer.from(casesText(compat)), mode: 0o644 };
  }
  for (const [name, data] of Object.entries(programs)) files[name] = { data, mode: 0o755 };
  files['programs'] = { data: Buffer.from(Object.keys(programs).map((name) => `/${name}\n`).join('')), mode: 0o644 };
  mkdirSync(BUILD_DIR, { recursive: true });
  const initrd = join(BUILD_DIR, `initrd-${machine.name}-${process.pid}.gz`);
  writeFileSync(initrd, initramfs(files));
  const started = Date.now();
  const result = spawnSync(machine.qemu, [
    ...machine.args, '-m', '512', '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    '-kernel', kernelPath(machine), '-initrd', initrd,
    '-append', `console=${machine.console} panic=-1 quiet rdinit=/init`,
  ], { encoding: 'utf8', timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
  const seconds = (Date.now() - started) / 1000;
  const lines = (result.stdout ?? '').split(/\r?\n/).filter((l) => l.startsWith('@@ ')).map((l) => l.slice(3));
  if (!lines.includes('start') || !lines.includes('end')) {
    throw new Error(`the ${machine.name} VM did not finish (${result.error?.message ?? `status ${result.status}`}):\n${(result.stdout ?? '').slice(-3000)}\n${result.stderr ?? ''}`);
  }
  const statuses: Record<string, number> = {};
  for (const line of lines.filter((l) => l.startsWith('P '))) statuses[line.split(' ')[1]!.slice(1)] = Number(line.split(' ')[2]);
  const outcomes = lines.filter((l) => l !== 'start' && l !== 'end' && !l.startsWith('P ')).map(parseOutcome);
  const nativeCount = native.reduce((n, b) => n + b.calls.length, 0);
  const compatCount = compat.reduce((n, b) => n + b.calls.length, 0);
  if (outcomes.length !== nativeCount + compatCount) {
    throw new Error(`the ${machine.name} VM reported ${outcomes.length} outcomes for ${nativeCount + compatCount} calls:\n${(result.stdout ?? '').slice(-3000)}`);
  }
  return { native: outcomes.slice(0, nativeCount), compat: outcomes.slice(nativeCount), programs: statuses, seconds };
}
