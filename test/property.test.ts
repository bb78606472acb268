// Random policies: the compiled program, run in the emulator, must give the verdict the reference
// interpreter gives from the checked policy, for every syscall number class and for boundary,
// random and policy-constant argument values.
import { X86_64 } from '../src/arch/index.ts';
import { describe, expect, it } from 'vitest';
import { emulate } from '../src/bpf/emulate.ts';
import { compilePolicy } from '../src/compile.ts';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from '../src/seccomp/abi.ts';
import { actionValue } from '../src/seccomp/action.ts';
import { proveFilter } from '../src/verify/index.ts';
import { referenceVerdict, type Call } from './support/reference.ts';
import { BOUNDARY_VALUES, Random } from './support/random.ts';

// Syscalls with 16-, 32- and 64-bit and pointer arguments, few enough that rules collide.
const SYSCALLS = ['read', 'openat', 'lseek', 'mmap', 'mkdirat', 'socket', 'clone', 'ioctl', 'prctl', 'fcntl', 'getpid'];
const ACTIONS = ['allow', 'log', 'kill_process', 'kill_thread', 'trap', 'trap(7)', 'errno(EPERM)', 'errno(4095)', 'trace(3)', 'notify'];
const OPERATORS = ['==', '!=', '<', '<=', '>', '>='];

function literal(rng: Random, values: bigint[]): string {
  const v = rng.chance(0.7) ? rng.pick(BOUNDARY_VALUES) : rng.next64() >> BigInt(rng.int(64));
  values.push(v);
  const forms = [`0x${v.toString(16)}`, v.toString()];
  return rng.pick(forms);
}

/** A value that fits an argument of the given width (so the policy compiles). */
function fittingLiteral(rng: Random, width: number, values: bigint[]): string {
  if (rng.chance(0.1)) {
    // Negative values stand for their two's complement in the argument's width.
    const magnitude = 1n + (rng.next64() % (1n << BigInt(width - 1)));
    values.push(BigInt.asUintN(width, -magnitude));
    return `-${magnitude}`;
  }
  for (;;) {
    const text = literal(rng, values);
    const v = BigInt(text);
    if (v < 1n << BigInt(width)) return text;
    values.pop();
    if (rng.chance(0.3)) {
      const small = v & ((1n << BigInt(width)) - 1n);
      values.push(small);
      return `0x${small.toString(16)}`;
    }
  }
}

function condition(rng: Random, syscall: string, depth: number, values: bigint[]): string {
  const args = X86_64.syscalls.byName(syscall)!.args;
  if (depth > 0 && rng.chance(0.4)) {
    const op = rng.pick(['and', 'or', '&&', '||']);
    return `(${condition(rng, syscall, depth - 1, values)} ${op} ${condition(rng, syscall, depth - 1, values)})`;
  }
  if (depth > 0 && rng.chance(0.1)) return `not ${condition(rng, syscall, depth - 1, values)}`;
  const argIndex = rng.int(Math.max(1, args.length));
  const arg = args[argIndex];
  const name = arg ? (rng.chance(0.5) ? arg.name : `arg${argIndex}`) : 'arg0';
  const width = arg?.width ?? 64;
  const masked = rng.chance(0.3) ? `(${name} & ${fittingLiteral(rng, width, values)})` : name;
  switch (rng.int(4)) {
    case 0: return `${name} & ${fittingLiteral(rng, width, values)}`;
    case 1: {
      const count = 1 + rng.int(6);
      const set = Array.from({ length: count }, () => fittingLiteral(rng, width, values));
      return `${masked} ${rng.chance(0.3) ? 'not in' : 'in'} {${set.join(', ')}}`;
    }
    default:
      return rng.chance(0.2)
        ? `${fittingLiteral(rng, width, values)} ${rng.pick(OPERATORS)} ${masked}`
        : `${masked} ${rng.pick(OPERATORS)} ${fittingLiteral(rng, width, values)}`;
  }
}

function randomPolicy(rng: Random): { text: string; values: bigint[] } {
  const values: bigint[] = [];
  const lines = [`default ${rng.pick(ACTIONS)}`];
  if (rng.chance(0.3)) lines.push(`x32 ${rng.pick(ACTIONS)}`);
  if (rng.chance(0.3)) lines.push(`foreign_arch ${rng.pick(ACTIONS)}`);
  const ruleCount = 1 + rng.int(12);
  for (let i = 0; i < ruleCount; i++) {
    const syscall = rng.pick(SYSCALLS);
    const cond = rng.chance(0.75) ? ` if ${condition(rng, syscall, 2, values)}` : '';
    lines.push(`${rng.pick(ACTIONS)} ${syscall}${cond}`);
  }
  return { text: lines.join('\n') + '\n', values };
}

function callsFor(rng: Random, values: readonly bigint[]): Call[] {
  const calls: Call[] = [];
  const argPool = [...BOUNDARY_VALUES, ...values, ...values.map((v) => v + 1n), ...values.map((v) => v - 1n), ...values.map((v) => v | 0xffffffff00000000n)];
  for (const name of SYSCALLS) {
    const nr = X86_64.syscalls.byName(name)!.nr;
    for (let i = 0; i < 40; i++) {
      const args = Array.from({ length: 6 }, () => (rng.chance(0.85) ? rng.pick(argPool) : rng.next64()));
      calls.push({ nr, arch: AUDIT_ARCH_X86_64, args });
    }
    calls.push({ nr: (nr | X32_SYSCALL_BIT) >>> 0, arch: AUDIT_ARCH_X86_64, args: [] });
    calls.push({ nr, arch: AUDIT_ARCH_I386, args: [] });
  }
  for (const nr of [0xffffffff, 0x3fffffff, 0x40000000, 0xfffffffe, 500, 1000, rng.int(2 ** 32)]) {
    calls.push({ nr, arch: AUDIT_ARCH_X86_64, args: [] });
  }
  calls.push({ nr: 0, arch: 0xdeadbeef, args: [] });
  return calls;
}

describe('compiled filters agree with the reference interpreter', () => {
  it.each([
    ['without the optimiser', false],
    ['with the optimiser', true],
  ])('on 400 random policies, %s', (_label, optimize) => {
    const rng = new Random(20261122);
    let checkedCalls = 0;
    for (let round = 0; round < 400; round++) {
      const { text, values } = randomPolicy(rng);
      const result = compilePolicy(text, { path: `random-${round}.policy`, optimize });
      if (!result.ok) throw new Error(`random policy ${round} failed to compile:\n${text}\n${result.diagnostics.map((d) => d.message).join('\n')}`);
      for (const call of callsFor(rng, values)) {
        const expected = actionValue(referenceVerdict(result.filter.policy, call));
        const actual: number = emulate(result.filter.program, call).value;
        if (actual !== expected) {
          expect.fail(`policy ${round}:\n${text}\ncall nr=0x${call.nr.toString(16)} arch=0x${call.arch.toString(16)} args=${call.args.map((a) => `0x${BigInt.asUintN(64, a).toString(16)}`).join(',')}: program returns 0x${actual.toString(16)}, policy means 0x${expected.toString(16)}`);
        }
        checkedCalls++;
      }
    }
    expect(checkedCalls).toBeGreaterThan(100_000);
  });
});

describe('compiled filters are proven (verify), beyond the sampled calls', () => {
  it('400 random policies, optimised, each proven for every call by Z3', async () => {
    const rng = new Random(20261203);
    for (let round = 0; round < 400; round++) {
      const { text } = randomPolicy(rng);
      const result = compilePolicy(text, { path: `random-${round}.policy` });
      if (!result.ok) throw new Error(`random policy ${round} failed to compile:\n${text}`);
      const proof = await proveFilter(result.filter.policy, result.filter.program);
      if (proof.status !== 'proven') expect.fail(`policy ${round} not proven:\n${text}\n${JSON.stringify(proof, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`);
    }
  }, 300_000);
});
