/**
 * seccompile against libseccomp on every target: random policies whose rules libseccomp can
 * express exactly (one action per syscall, conditions that become libseccomp's comparisons), each
 * compiled by seccompile for the target and by libseccomp (Debian's python3-seccomp) for that
 * architecture alone; both programs then run in the emulator on the policy's syscalls by the
 * target's numbers with boundary and random arguments, every other syscall of the target, and
 * calls of the other ABIs. libseccomp reads a 32-bit ABI's arguments as 32 bits, as seccompile
 * does, and a 64-bit ABI's as 64 bits, as seccompile's `argN_64`; for x32 it uses the numbers with
 * bit 30.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// The benchmark's translation of a compiled policy into libseccomp rules.
// @ts-expect-error: plain JavaScript, without declarations
import { libseccompRules } from '../bench/libseccomp-rules.mjs';
import { ARCHES, callAbi, type Arch } from '../src/arch/index.ts';
import { emulate } from '../src/bpf/emulate.ts';
import { decodeProgram, type Instruction } from '../src/bpf/insn.ts';
import { compilePolicy } from '../src/compile.ts';
import { actionValue, decodeAction, formatReturnValue } from '../src/seccomp/action.ts';
import { BOUNDARY_VALUES, Random } from './support/random.ts';

const SCRIPT = new URL('./support/libseccomp_policy.py', import.meta.url).pathname;
const LIBSECCOMP_ARCH: Readonly<Record<string, string>> = { x86_64: 'X86_64', i386: 'X86', x32: 'X32', aarch64: 'AARCH64', arm: 'ARM', riscv64: 'RISCV64' };
const NAMES = ['read', 'write', 'close', 'openat', 'socket', 'ioctl', 'fcntl', 'prctl', 'kill', 'futex', 'personality', 'mprotect', 'lseek', 'dup3'];
const ACTIONS = ['allow', 'log', 'kill_process', 'trap', 'errno(EACCES)', 'errno(1234)', 'trace(3)'];
const OPERATORS = ['==', '!=', '<', '<=', '>', '>='];
const POLICIES_PER_TARGET = 60;

interface Case {
  readonly id: string;
  readonly arch: Arch;
  readonly text: string;
  readonly program: readonly Instruction[];
  readonly rules: unknown;
  readonly values: readonly bigint[];
  readonly named: readonly number[];
}

/** A policy with one action per syscall, so that libseccomp's lack of rule order does not matter. */
function randomPolicy(rng: Random, arch: Arch, values: bigint[]): string {
  const lines = [`default ${rng.pick(['allow', 'errno(EPERM)', 'kill_process'])}`];
  for (const name of NAMES.filter((n) => arch.syscalls.byName(n) && rng.chance(0.4))) {
    const syscall = arch.syscalls.byName(name)!;
    const action = rng.pick(ACTIONS);
    const rules = syscall.args.length === 0 || rng.chance(0.2) ? 1 : 1 + rng.int(2);
    for (let r = 0; r < rules; r++) {
      if (syscall.args.length === 0 || rng.chance(0.15)) {
        lines.push(`${action} ${name}`);
        break;
      }
      const declared = syscall.args[rng.int(Math.min(3, syscall.args.length))]!;
      // libseccomp compares all 64 bits of a 64-bit ABI's registers (seccompile's argN_64), and
      // 32 bits on a 32-bit ABI, as seccompile compares every argument there.
      // On x32 libseccomp compares 32 bits of registers the kernel reads whole: compared on values
      // and calls without upper halves, where the two models agree.
      const arg = arch.bits === 64 ? { name: `arg${declared.index}_64`, width: arch.name === 'x32' ? 32 : 64 } : declared;
      const max = (1n << BigInt(arg.width)) - 1n;
      const value = (rng.chance(0.5) ? rng.pick(BOUNDARY_VALUES) : rng.next64() >> BigInt(rng.int(64))) & max;
      values.push(value);
      const form = rng.int(3);
      const test = form === 0 ? `${arg.name} & 0x${(value || 1n).toString(16)}` : form === 1 ? `${arg.name} in {0x${value.toString(16)}, 0x${(value ^ 1n).toString(16)}}` : `${arg.name} ${rng.pick(OPERATORS)} 0x${value.toString(16)}`;
      lines.push(`${action} ${name} if ${test}`);
    }
  }
  return lines.join('\n');
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const arch of ARCHES) {
    const rng = new Random(4242 + arch.auditArch + (arch.name === 'x32' ? 1 : 0));
    let made = 0;
    for (let attempt = 0; made < POLICIES_PER_TARGET && attempt < POLICIES_PER_TARGET * 4; attempt++) {
      const values: bigint[] = [];
      const text = randomPolicy(rng, arch, values);
      const result = compilePolicy(text, { arch });
      if (!result.ok) throw new Error(`${arch.name}: ${result.diagnostics.map((d) => d.message).join('; ')}\n${text}`);
      const translated = libseccompRules(result.filter, actionValue) as { rules?: unknown; approximate?: string };
      if (!translated.rules || translated.approximate) continue;
      made++;
      const named = [...new Set(result.filter.policy.rules.map((r) => r.syscall.nr))];
      out.push({ id: `${arch.name} ${made}`, arch, text, program: result.filter.program, rules: translated.rules, values, named });
    }
  }
  return out;
}

function libseccomp(all: readonly Case[]): Map<string, readonly Instruction[] | string> {
  const input = JSON.stringify({ cases: all.map((c) => ({ id: c.id, arch: LIBSECCOMP_ARCH[c.arch.name], ...(c.rules as object) })) }, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  const run = spawnSync('/usr/bin/python3', [SCRIPT], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`${SCRIPT} failed (python3-seccomp, installed by .ci/run): ${run.stderr}`);
  const results = (JSON.parse(run.stdout) as { results: { id: string; bpf?: string; error?: string }[] }).results;
  return new Map(results.map((r) => [r.id, r.bpf ? decodeProgram(Buffer.from(r.bpf, 'hex'))! : r.error!]));
}

function calls(c: Case, rng: Random): { nr: number; arch: number; args: bigint[] }[] {
  const width = (v: bigint): bigint => (c.arch.bits === 32 || c.arch.name === 'x32' ? BigInt.asUintN(32, v) : v);
  const pool = [...BOUNDARY_VALUES, ...c.values.flatMap((v) => [v, v + 1n, v - 1n, v ^ 1n, v | 0xffffffff00000000n])].map((v) => width(BigInt.asUintN(64, v)));
  const out: { nr: number; arch: number; args: bigint[] }[] = [];
  for (const nr of c.named) {
    for (let i = 0; i < 64; i++) out.push({ nr, arch: c.arch.auditArch, args: Array.from({ length: 6 }, () => (rng.chance(0.85) ? rng.pick(pool) : width(rng.next64()))) });
  }
  for (const s of c.arch.syscalls.all()) out.push({ nr: s.nr, arch: c.arch.auditArch, args: [] });
  for (const other of ARCHES.filter((a) => a.auditArch !== c.arch.auditArch)) out.push({ nr: other.syscalls.byName('read')!.nr, arch: other.auditArch, args: [] });
  return out;
}

describe('policies: seccompile and libseccomp agree on every target', () => {
  const all = cases();
  const theirs = libseccomp(all);
  it.each(ARCHES.map((a) => [a.name, a] as const))('%s', (_name, arch) => {
    const mine = all.filter((c) => c.arch === arch);
    expect(mine.length).toBe(POLICIES_PER_TARGET);
    const problems: string[] = [];
    let compared = 0;
    mine.forEach((c, i) => {
      const program = theirs.get(c.id)!;
      if (typeof program === 'string') {
        problems.push(`${c.id}: libseccomp refused it (${program})\n${c.text}`);
        return;
      }
      for (const call of calls(c, new Random(i))) {
        compared++;
        const a = emulate(c.program, call).value;
        const b = emulate(program, call).value;
        if (callAbi(arch, call.arch, call.nr) !== 'native') {
          const kills = (v: number): boolean => ['kill_process', 'kill_thread'].includes(decodeAction(v).action.kind);
          if (!kills(a) || !kills(b)) problems.push(`${c.id}: foreign call ${call.nr} arch 0x${call.arch.toString(16)}: ours ${formatReturnValue(a)}, libseccomp ${formatReturnValue(b)}`);
        } else if (a !== b) {
          problems.push(`${c.id}: nr ${call.nr} args [${call.args.map((v) => `0x${v.toString(16)}`).join(', ')}]: ours ${formatReturnValue(a)}, libseccomp ${formatReturnValue(b)}\n${c.text}`);
        }
        if (problems.length > 5) break;
      }
    });
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(POLICIES_PER_TARGET * 300);
  });
});
