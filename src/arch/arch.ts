// The target of a compilation: one ABI through which a process enters the kernel. Every stage that
// needs a fact of the target (numbers, argument widths, constants, the prologue's checks) takes it
// from here, so that no stage holds a table of its own.
import type { ConstantTable } from '../constants/index.ts';
import type { SyscallTable } from '../syscalls/index.ts';

export const ARCH_NAMES = ['x86_64', 'i386', 'x32', 'aarch64', 'arm', 'riscv64'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

export interface Arch {
  readonly name: ArchName;
  /** How messages name it. */
  readonly title: string;
  /** seccomp_data.arch of its calls (AUDIT_ARCH_*, include/uapi/linux/audit.h). */
  readonly auditArch: number;
  /** Width of its registers: a 32-bit ABI's arguments never have more than 32 bits. */
  readonly bits: 32 | 64;
  /**
   * Numbers of another ABI that arrives with the same `arch` value (x32 beside x86-64): the
   * prologue sends them to the `x32` action on x86-64 and to `foreign_arch`'s on x32.
   */
  readonly otherAbi?: { readonly name: string; readonly lo: number; readonly hi: number; readonly action: 'x32' | 'foreign_arch' };
  readonly syscalls: SyscallTable;
  readonly constants: ConstantTable;
  /**
   * How OCI profiles name it: the Go GOARCH of a host it is native to (moby's `includes.arches`;
   * absent for x32, which no host is), and its SCMP_ARCH_* name (`architectures`, `archMap`).
   */
  readonly oci: { readonly goArch?: string; readonly scmpArch: string };
}
