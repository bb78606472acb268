// Every target seccompile compiles for, by name and by seccomp_data.arch.
import { AARCH64 } from './aarch64.ts';
import { ARM } from './arm.ts';
import type { Arch, ArchName } from './arch.ts';
import { I386 } from './i386.ts';
import { RISCV64 } from './riscv64.ts';
import { X32 } from './x32.ts';
import { X86_64 } from './x86_64.ts';

export { ARCH_NAMES, type Arch, type ArchName } from './arch.ts';
export { X86_64 } from './x86_64.ts';

export const ARCHES: readonly Arch[] = [X86_64, I386, X32, AARCH64, ARM, RISCV64];
export const DEFAULT_ARCH: Arch = X86_64;

/** Other spellings people use (Docker's SCMP_ARCH_*, Go's GOARCH, Debian's architectures). */
const ALIASES: Readonly<Record<string, ArchName>> = {
  amd64: 'x86_64', 'x86-64': 'x86_64', x86: 'i386', i686: 'i386', '386': 'i386',
  arm64: 'aarch64', armhf: 'arm', armel: 'arm', riscv: 'riscv64',
};

export function archByName(name: string): Arch | undefined {
  const canonical = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
  return ARCHES.find((a) => a.name === canonical);
}

/** The ABIs whose calls arrive with this seccomp_data.arch (x86-64 and x32 share one). */
export function archesWithAuditArch(auditArch: number): readonly Arch[] {
  return ARCHES.filter((a) => a.auditArch === auditArch >>> 0);
}

/** Where a call of `auditArch`/`nr` stands for a filter made for `target`. */
export function callAbi(target: Arch, auditArch: number, nr: number): 'native' | 'other-abi' | 'foreign' {
  if (auditArch >>> 0 !== target.auditArch) return 'foreign';
  const other = target.otherAbi;
  return other && nr >>> 0 >= other.lo && nr >>> 0 <= other.hi ? 'other-abi' : 'native';
}

/** The ABI a call came through, when seccompile knows it (x86-64 or x32 for AUDIT_ARCH_X86_64). */
export function abiOfCall(auditArch: number, nr: number): Arch | undefined {
  return archesWithAuditArch(auditArch).find((a) => callAbi(a, auditArch, nr) === 'native');
}
