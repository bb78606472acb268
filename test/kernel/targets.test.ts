/**
 * Random policies compiled for the other targets this machine's kernel runs: i386 (calls made with
 * `int $0x80`, also with the upper halves of the registers set, as a 64-bit process can) and x32.
 * For each call the kernel's outcome must be what the emulator's verdict means for the call's
 * unfiltered outcome (policies.test.ts checks hand-written verdicts for the same targets).
 */
import { describe, expect, it } from 'vitest';
import { archByName, type Arch } from '../../src/arch/index.ts';
import { emulate } from '../../src/bpf/emulate.ts';
import { encodeProgram } from '../../src/bpf/insn.ts';
import { compilePolicy } from '../../src/compile.ts';
import { expectedOutcome, runInKernel, seenData, type Abi, type KernelCall, type KernelOutcome } from './harness.ts';
import { randomPolicies, SAFE_CALLS } from './random-policies.ts';

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';
const RANDOM_PER_TARGET = 200;

/** Numbers written out here on purpose (independent of src/). */
const I386: Readonly<Record<string, number>> = {
  close: 6, dup: 41, umask: 60, getpid: 20, getppid: 64, fchdir: 133, fsync: 118, flock: 143, sched_yield: 158, gettid: 224,
};
/** x86-64's numbers; the harness adds x32's bit 30. */
const X64: Readonly<Record<string, number>> = {
  close: 3, dup: 32, umask: 95, getpid: 39, getppid: 110, fchdir: 81, fsync: 74, flock: 73, sched_yield: 24, gettid: 186,
};

/** Each child is a new process: a successful getpid or gettid returns a new number every time. */
function comparable(outcome: KernelOutcome): KernelOutcome {
  return outcome.outcome === 'returned' && outcome.ret > 0 ? { outcome: 'returned', ret: 1, errno: 0 } : outcome;
}

/**
 * `arch` gives the policies their widths (the narrowest of `targets`); `targets` are the filter's
 * ABIs; each call goes through one of `abis`, numbered by `tables[abi]`.
 */
function check(arch: Arch, abis: readonly Abi[], tables: Readonly<Record<string, Readonly<Record<string, number>>>>, seed: number, targets: readonly Arch[] = [arch]): { checked: number; differences: string[] } {
  // Not close: in the helper's child fds 3 and 4 are its own (the listener, the report pipe).
  const policies = randomPolicies(arch, RANDOM_PER_TARGET, seed, SAFE_CALLS.filter((name) => name !== 'close'));
  const differences: string[] = [];
  let checked = 0;
  const baseline = new Map<string, KernelOutcome>();
  const key = (c: KernelCall): string => `${c.abi} ${c.nr} ${(c.args ?? []).join(' ')}`;
  const callsOf = policies.map((p, i) => p.calls.map((c, j): KernelCall => {
    const abi = abis[(i + j) % abis.length]!;
    return { abi, nr: tables[abi]![c.name]!, args: c.args };
  }));
  const all = [...new Map(callsOf.flat().map((c) => [key(c), c])).values()];
  runInKernel(new Uint8Array(), all, { baseline: true }).forEach((o, i) => baseline.set(key(all[i]!), comparable(o)));
  policies.forEach((policy, i) => {
    const result = compilePolicy(policy.text, targets.length > 1 ? { arches: targets } : { arch });
    if (!result.ok) throw new Error(`${arch.name}: ${result.diagnostics.map((d) => d.message).join('; ')}\n${policy.text}`);
    const calls = callsOf[i]!;
    const outcomes = runInKernel(encodeProgram(result.filter.program), calls).map(comparable);
    calls.forEach((call, j) => {
      checked++;
      const verdict = emulate(result.filter.program, seenData(call)).value >>> 0;
      const wanted = comparable(expectedOutcome(verdict, baseline.get(key(call))!, call));
      if (JSON.stringify(outcomes[j]) !== JSON.stringify(wanted)) {
        differences.push(`${call.abi} ${call.nr}(${(call.args ?? []).map((a) => `0x${a.toString(16)}`).join(', ')}): verdict 0x${verdict.toString(16)}, kernel ${JSON.stringify(outcomes[j])}, expected ${JSON.stringify(wanted)}\n${policy.text}`);
      }
    });
  });
  return { checked, differences };
}

describe.runIf(onLinuxX64)('random policies for the host kernel\'s other ABIs', () => {
  it(`i386: ${RANDOM_PER_TARGET} random policies, calls through int $0x80 with and without upper halves`, () => {
    const { checked, differences } = check(archByName('i386')!, ['i386', 'i386-wide'], { i386: I386, 'i386-wide': I386 }, 11);
    expect(differences).toEqual([]);
    expect(checked).toBe(RANDOM_PER_TARGET * 8);
  }, 120_000);

  it(`x32: ${RANDOM_PER_TARGET} random policies`, () => {
    const { checked, differences } = check(archByName('x32')!, ['x32'], { x32: X64 }, 12);
    expect(differences).toEqual([]);
    expect(checked).toBe(RANDOM_PER_TARGET * 8);
  }, 120_000);

  it(`x86_64 + i386 in one filter: ${RANDOM_PER_TARGET} random policies, calls through both`, () => {
    const targets = ['x86_64', 'i386'].map((name) => archByName(name)!);
    const { checked, differences } = check(targets[1]!, ['x64', 'i386', 'i386-wide'], { x64: X64, i386: I386, 'i386-wide': I386 }, 13, targets);
    expect(differences).toEqual([]);
    expect(checked).toBe(RANDOM_PER_TARGET * 8);
  }, 120_000);
});
