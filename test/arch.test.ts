// Every target: its syscall table checked against libseccomp's, its constants, and filters compiled
// for it run through the emulator and proved against their policy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARCHES, archByName, type Arch } from '../src/arch/index.ts';
import { emulate } from '../src/bpf/emulate.ts';
import { compilePolicy } from '../src/compile.ts';
import { listing } from '../src/emit/index.ts';
import { proveFilter } from '../src/verify/index.ts';
import { isCachedAllow } from '../src/analysis/action-cache.ts';
import { Random } from './support/random.ts';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const EACCES = 0x0005000d;
const KILL_PROCESS = 0x80000000;

function compile(text: string, arch: Arch) {
  const result = compilePolicy(text, { arch });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.filter;
}

/** libseccomp's number for each name on each architecture (python3-seccomp), -1 where it has none. */
function libseccompNumbers(): Record<string, Record<string, number>> {
  const LIBSECCOMP_ARCH: Record<string, string> = { x86_64: 'X86_64', i386: 'X86', x32: 'X32', aarch64: 'AARCH64', arm: 'ARM', riscv64: 'RISCV64' };
  const request = Object.fromEntries(ARCHES.map((a) => [LIBSECCOMP_ARCH[a.name], a.syscalls.all().map((s) => s.name)]));
  const script = `
import json, sys, seccomp
out = {}
for arch, names in json.load(sys.stdin).items():
    a = getattr(seccomp.Arch, arch)
    row = {}
    for n in names:
        try: row[n] = seccomp.resolve_syscall(a, n)
        except Exception: row[n] = -1
    out[arch] = row
print(json.dumps(out))`;
  const result = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(request) }).toString()) as Record<string, Record<string, number>>;
  return Object.fromEntries(ARCHES.map((a) => [a.name, result[LIBSECCOMP_ARCH[a.name]!]!]));
}

describe('syscall tables', () => {
  const known = libseccompNumbers();
  it.each(ARCHES.map((a) => [a.name, a] as const))('%s: every name libseccomp knows has libseccomp\'s number', (_name, arch) => {
    const rows = arch.syscalls.all();
    // libseccomp numbers its pseudo-syscalls negative: a name it lacks is not a disagreement. On
    // i386 it resolves the socket and System V IPC calls to their multiplexers (socketcall, ipc),
    // which it then filters by their first argument; the kernel's own numbers are ours.
    const multiplexers = new Set(['socketcall', 'ipc'].map((n) => arch.syscalls.byName(n)?.nr).filter((n) => n !== undefined));
    const compared = rows.filter((s) => {
      const theirs = known[arch.name]![s.name] ?? -1;
      return theirs >= 0 && !(multiplexers.has(theirs) && theirs !== s.nr);
    });
    const mismatches = compared.filter((s) => known[arch.name]![s.name]! >>> 0 !== s.nr).map((s) => `${s.name}: ours ${s.nr}, libseccomp ${known[arch.name]![s.name]}`);
    expect(mismatches).toEqual([]);
    // Left out: calls newer than libseccomp 2.5.4 (Linux 6.1, 21 of them), a few arch-private
    // ones, and on i386 the 27 that libseccomp multiplexes.
    expect(compared.length).toBeGreaterThan(rows.length - 60);
  });

  it.each(ARCHES.map((a) => [a.name, a] as const))('%s: holds its data file\'s rows, each read back whole, by name and by number', (_name, arch) => {
    // x32 is x86-64's file without its 64-bit rows, numbered with bit 30; x86-64 lacks the x32 rows
    const file = arch.name === 'x32' ? 'x86_64' : arch.name;
    const lines = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'data', `${file}-syscalls.tsv`), 'utf8').trim().split('\n').slice(1);
    const expected = lines.map((line) => line.split('\t')).filter(([, , abi]) => abi !== (arch.name === 'x32' ? '64' : 'x32'))
      .map(([nr, name, abi, entry, , args]) => [(Number(nr) | (arch.name === 'x32' ? 0x40000000 : 0)) >>> 0, name, abi, entry, args ?? ''].join(' | '))
      .sort();
    const rows = arch.syscalls.all();
    const read = rows.map((s) => [s.nr, s.name, s.abi, s.entry, s.args.map((a) => `${a.type} ${a.name}`).join(';')].join(' | ')).sort();
    expect(read).toEqual(expected);
    // arm's 341 has two names (arm_sync_file_range, sync_file_range2): by number, either
    expect(rows.filter((s, i) => arch.syscalls.byName(s.name) !== s || arch.syscalls.byNumber(s.nr)?.nr !== s.nr || (i > 0 && rows[i - 1]!.nr > s.nr))).toEqual([]);
  });

  it('numbers differ where the ABIs differ', () => {
    const nr = (arch: string, name: string) => archByName(arch)!.syscalls.byName(name)?.nr;
    expect([nr('x86_64', 'getpid'), nr('i386', 'getpid'), nr('x32', 'getpid'), nr('aarch64', 'getpid'), nr('arm', 'getpid'), nr('riscv64', 'getpid')])
      .toEqual([39, 20, 0x40000027, 172, 20, 172]);
    expect(nr('aarch64', 'open')).toBeUndefined();
    expect(nr('riscv64', 'renameat')).toBeUndefined();
    expect(nr('aarch64', 'renameat')).toBe(38);
  });

  it('32-bit ABIs read no argument wider than 32 bits, and the old ID calls 16', () => {
    const i386 = archByName('i386')!;
    expect(i386.syscalls.byName('lseek')!.args.map((a) => a.width)).toEqual([32, 32, 32]);
    expect(i386.syscalls.byName('setuid')!.args[0]!.width).toBe(16);
    expect(i386.syscalls.byName('setuid32')!.args[0]!.width).toBe(32);
    expect(archByName('arm')!.syscalls.byName('pread64')!.args.map((a) => a.name)).toEqual(['fd', 'buf', 'count', 'pad', 'pos_lo', 'pos_hi']);
    expect(archByName('aarch64')!.syscalls.byName('clone')!.args.map((a) => a.name)).toEqual(['clone_flags', 'newsp', 'parent_tidptr', 'tls', 'child_tidptr']);
  });
});

describe('constants follow the target\'s headers', () => {
  it('O_DIRECTORY is 0x10000 on x86-64 and 0x4000 on aarch64 and arm', () => {
    const value = (arch: string) => archByName(arch)!.constants.lookup('O_DIRECTORY')?.value;
    expect([value('x86_64'), value('i386'), value('aarch64'), value('arm'), value('riscv64')]).toEqual([0x10000n, 0x10000n, 0x4000n, 0x4000n, 0x10000n]);
    expect(archByName('aarch64')!.constants.lookup('ARCH_SET_FS')).toBeUndefined();
  });

  it('a policy compiled for aarch64 tests aarch64\'s O_DIRECTORY', () => {
    const arch = archByName('aarch64')!;
    const filter = compile('default errno(EPERM)\nallow openat if (flags & O_DIRECTORY) != 0\n', arch);
    const call = (flags: bigint) => emulate(filter.program, { arch: arch.auditArch, nr: 56, args: [0n, 0n, flags] }).value >>> 0;
    expect([call(0x4000n), call(0x10000n)]).toEqual([ALLOW, EPERM]);
  });
});

describe('filters for every target', () => {
  const policy = `
    default errno(EPERM)
    foreign_arch kill_process
    allow read, write, exit_group
    errno(EACCES) close if fd == 7
  `;
  it.each(ARCHES.map((a) => [a.name, a] as const))('%s: its own numbers decide, every other ABI is foreign, and the proof holds', async (_name, arch) => {
    const filter = compile(policy, arch);
    const run = (auditArch: number, nr: number, args: bigint[] = []) => emulate(filter.program, { arch: auditArch, nr, args }).value >>> 0;
    const nr = (name: string) => arch.syscalls.byName(name)!.nr;
    expect(run(arch.auditArch, nr('read'))).toBe(ALLOW);
    expect(run(arch.auditArch, nr('close'), [7n])).toBe(EACCES);
    expect(run(arch.auditArch, nr('close'), [8n])).toBe(EPERM);
    // The upper half of a register: compared on 64-bit ABIs (fd is an unsigned int: only 32 bits)
    expect(run(arch.auditArch, nr('close'), [0x1_0000_0007n])).toBe(EACCES);
    for (const other of ARCHES.filter((a) => a.auditArch !== arch.auditArch)) {
      expect(run(other.auditArch, other.syscalls.byName('read')!.nr)).toBe(KILL_PROCESS);
    }
    expect(filter.ir.arch).toBe(arch);
    const proof = await proveFilter(filter.policy, filter.program);
    expect(proof.status).toBe('proven');
  }, 60_000);

  it('i386: the listing names i386 syscalls, and argN_64 is refused', () => {
    const i386 = archByName('i386')!;
    const filter = compile('default errno(EPERM)\nallow getpid, socketcall\n', i386);
    const text = listing(filter.program, i386);
    expect(text).toContain('A == ARCH_I386');
    expect(text).toMatch(/A (==|>=|>|<) getpid/);
    expect(text).toMatch(/A (==|>=|>|<) socketcall/);
    const refused = compilePolicy('default allow\nerrno(EPERM) close if arg0_64 == 5\n', { arch: i386 });
    expect(refused.ok).toBe(false);
    expect(refused.diagnostics[0]!.message).toContain('i386 registers have 32 bits');
  });

  it('a name the target lacks is an error naming where it exists', () => {
    const result = compilePolicy('default allow\nerrno(EPERM) open\n', { arch: archByName('aarch64')! });
    expect(result.diagnostics.map((d) => d.message)).toEqual(['`open` is a syscall of x86_64, i386, x32, arm, not of AArch64']);
  });
});

describe('arch blocks', () => {
  const portable = `
    default errno(EPERM)
    allow read
    arch x86_64, i386 {
      allow open
    }
    arch aarch64, riscv64 {
      define DIRECTORY = O_DIRECTORY
      allow openat if (flags & DIRECTORY) != 0
    }
  `;
  it('apply their rules only where they name the target, with that target\'s constants', () => {
    const verdict = (archName: string, name: string, args: bigint[] = []) => {
      const arch = archByName(archName)!;
      const filter = compile(portable, arch);
      return emulate(filter.program, { arch: arch.auditArch, nr: arch.syscalls.byName(name)!.nr, args }).value >>> 0;
    };
    expect([verdict('x86_64', 'open'), verdict('i386', 'open'), verdict('x86_64', 'openat', [0n, 0n, 0x10000n])]).toEqual([ALLOW, ALLOW, EPERM]);
    expect([verdict('aarch64', 'openat', [0n, 0n, 0x4000n]), verdict('aarch64', 'openat', [0n, 0n, 0x10000n]), verdict('riscv64', 'openat', [0n, 0n, 0x10000n])]).toEqual([ALLOW, EPERM, ALLOW]);
    expect([verdict('arm', 'open'), verdict('arm', 'read')]).toEqual([EPERM, ALLOW]);
  });

  it('are checked where they do not apply: their architectures, statements and syscall names', () => {
    const text = 'default allow\narch arm64x { allow read }\narch i386 {\n  default allow\n  allow opne\n  arch arm { allow read }\n}\n';
    const result = compilePolicy(text, { arch: archByName('aarch64')!, path: 'p.policy' });
    expect(result.diagnostics.map((d) => `${d.code} ${d.message} | ${d.hint ?? ''}`)).toEqual([
      'SC2015 unknown architecture `arm64x` | one of x86_64, i386, x32, aarch64, arm, riscv64',
      'SC3011 `default` cannot be inside an `arch` block | an arch block holds rules and defines; give the others once, outside any block',
      'SC2001 unknown syscall `opne` on i386 | did you mean `open`?',
      'SC3011 `arch` blocks do not nest | name every architecture in one block: `arch aarch64, arm { … }`',
    ]);
  });

  it('are where a rule for another architecture\'s syscall goes', () => {
    const result = compilePolicy('default allow\nerrno(EPERM) open\n', { arch: archByName('riscv64')! });
    expect(result.diagnostics[0]!.hint).toBe('RISC-V 64 has no such syscall: leave it out; a rule for them alone goes in `arch x86_64, i386, x32, arm { … }`');
  });
});

describe('the action cache on every target', () => {
  // The kernel caches "always allowed" per arch for numbers below its table size (x32 numbers,
  // with bit 30, never are): the optimiser must keep every argument-free allowed syscall
  // cacheable, whatever the target.
  it.each(ARCHES.filter((a) => a.name !== 'x32').map((a) => [a.name, a] as const))('%s: every argument-free allowed syscall is cacheable', (_name, arch) => {
    const rng = new Random(9);
    const names = arch.syscalls.all().map((s) => s.name);
    for (let round = 0; round < 10; round++) {
      const free = new Set<string>();
      const lines = ['default errno(EPERM)'];
      for (let i = 0; i < 40; i++) {
        const name = rng.pick(names);
        const syscall = arch.syscalls.byName(name)!;
        if (syscall.args.length > 0 && rng.chance(0.3)) {
          lines.push(`errno(EACCES) ${name} if ${syscall.args[0]!.name} == 3`);
          free.delete(name);
        } else {
          lines.push(`allow ${name}`);
          if (!lines.some((l) => l.startsWith('errno(EACCES) ') && l.split(' ')[1] === name)) free.add(name);
        }
      }
      const filter = compile(lines.join('\n'), arch);
      const uncached = [...free].filter((name) => !isCachedAllow(filter.program, arch.syscalls.byName(name)!.nr, arch.auditArch));
      expect(uncached).toEqual([]);
    }
  });
});

describe('examples/portable-worker.policy', () => {
  it.each(ARCHES.map((a) => [a.name, a] as const))('compiles for %s and is proven', async (_name, arch) => {
    const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'portable-worker.policy');
    const filter = compile(readFileSync(path, 'utf8'), arch);
    expect((await proveFilter(filter.policy, filter.program)).status).toBe('proven');
  }, 60_000);
});

describe('x32 on other targets', () => {
  it('has no effect, and says so (info)', () => {
    const aarch64 = compilePolicy('default allow\nx32 errno(ENOSYS)\n', { arch: archByName('aarch64')! });
    expect(aarch64.diagnostics.map((d) => `${d.code} ${d.severity} ${d.message}`)).toEqual(['SC3012 info `x32` has no effect in a filter for AArch64: no x32 call reaches it']);
    const x32 = compilePolicy('default allow\nx32 errno(ENOSYS)\n', { arch: archByName('x32')! });
    expect(x32.diagnostics.map((d) => d.message)).toEqual(['`x32` has no effect in a filter for x32: x86-64 calls get `foreign_arch`\'s action']);
    expect(compilePolicy('default allow\nx32 errno(ENOSYS)\n').diagnostics).toEqual([]);
  });
});
