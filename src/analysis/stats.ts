// What a filter costs to evaluate: instructions executed per syscall (arguments zero), with and
// without the kernel's action cache, averaged over a syscall profile, and the worst case over
// every syscall number.
import { emulate } from '../bpf/emulate.ts';
import { BPF_JMP, bpfClass, bpfOp, BPF_JA, type Instruction } from '../bpf/insn.ts';
import type { Arch } from '../arch/arch.ts';
import { callAbi } from '../arch/index.ts';
import { SKIPPED_SYSCALL_NR, X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { RET_ALLOW } from '../seccomp/action.ts';
import type { SyscallProfile } from '../optimize/profile.ts';
import { isCachedAllow } from './action-cache.ts';

export interface SyscallCost {
  readonly nr: number;
  readonly name: string;
  /** Return value with arguments zero. */
  readonly verdict: number;
  /** Instructions executed. */
  readonly instructions: number;
  /** Cached as always allowed by kernels >= 5.11 (then it costs nothing). */
  readonly cached: boolean;
}

export interface FilterStats {
  readonly length: number;
  /** Every x86-64 syscall of the table. */
  readonly syscalls: readonly SyscallCost[];
  readonly cachedCount: number;
  /** Syscalls allowed with arguments zero whose verdict does not depend on the arguments. */
  readonly allowedCount: number;
  /** Weighted by the profile. */
  readonly meanRaw: number;
  readonly meanCached: number;
  /** Over every syscall number (x32 and out-of-table numbers too), arguments zero. */
  readonly worstRaw: number;
  readonly worstNr: number;
  readonly profileSource: string;
}

/** Numbers whose paths cover every path of the dispatch: each constant compared, and its neighbours. */
function interestingNumbers(program: readonly Instruction[], arch: Arch): number[] {
  const numbers = new Set<number>([0, X32_SYSCALL_BIT - 1, X32_SYSCALL_BIT, SKIPPED_SYSCALL_NR - 1, SKIPPED_SYSCALL_NR, 0x7fffffff, 0x80000000]);
  for (let nr = 0; nr < 1024; nr++) numbers.add(nr);
  for (let nr = 0; nr < 600; nr++) numbers.add((nr | X32_SYSCALL_BIT) >>> 0);
  for (const s of arch.syscalls.all()) numbers.add(s.nr);
  for (const insn of program) {
    if (bpfClass(insn.code) !== BPF_JMP || bpfOp(insn.code) === BPF_JA) continue;
    for (const d of [-1, 0, 1]) numbers.add((insn.k + d) >>> 0);
  }
  return [...numbers].sort((a, b) => a - b);
}

/**
 * `sections`: the ABIs of the filter (default `arch` alone). A number another of them claims (x32's
 * beside x86-64's, and the other way round) is that section's call and left out of `arch`'s worst case.
 */
export function filterStats(program: readonly Instruction[], profile: SyscallProfile, arch: Arch = profile.arch, sections: readonly Arch[] = [arch]): FilterStats {
  const auditArch = arch.auditArch;
  const syscalls: SyscallCost[] = arch.syscalls.all().map((s) => {
    const result = emulate(program, { nr: s.nr, arch: auditArch });
    return { nr: s.nr, name: s.name, verdict: result.value, instructions: result.trace.length, cached: isCachedAllow(program, s.nr, auditArch) };
  });
  const byNr = new Map(syscalls.map((s) => [s.nr, s]));
  let weight = 0;
  let raw = 0;
  let cached = 0;
  for (const [nr, w] of profile.weights) {
    const cost = byNr.get(nr) ?? (() => {
      const result = emulate(program, { nr, arch: auditArch });
      return { instructions: result.trace.length, cached: false };
    })();
    weight += w;
    raw += w * cost.instructions;
    cached += w * (cost.cached ? 0 : cost.instructions);
  }
  let worstRaw = 0;
  let worstNr = 0;
  const others = sections.filter((other) => other !== arch && other.auditArch === auditArch);
  for (const nr of interestingNumbers(program, arch)) {
    if (others.some((other) => callAbi(other, auditArch, nr) === 'native')) continue;
    const n = emulate(program, { nr, arch: auditArch }).trace.length;
    if (n > worstRaw) [worstRaw, worstNr] = [n, nr];
  }
  return {
    length: program.length,
    syscalls,
    cachedCount: syscalls.filter((s) => s.cached).length,
    allowedCount: syscalls.filter((s) => s.verdict === RET_ALLOW).length,
    meanRaw: weight > 0 ? raw / weight : 0,
    meanCached: weight > 0 ? cached / weight : 0,
    worstRaw,
    worstNr,
    profileSource: profile.source,
  };
}
