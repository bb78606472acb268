import { CONSTANTS_X86_64 } from '../constants/index.ts';
import { SKIPPED_SYSCALL_NR, X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { SyscallTable } from '../syscalls/index.ts';
import { tableRows } from '../syscalls/tables/x86_64.generated.ts';
import type { Arch } from './arch.ts';

export const X86_64: Arch = {
  name: 'x86_64', title: 'x86-64', auditArch: 0xc000003e, bits: 64,
  otherAbi: { name: 'x32', lo: X32_SYSCALL_BIT, hi: SKIPPED_SYSCALL_NR - 1, action: 'x32' },
  syscalls: new SyscallTable(tableRows, { bits: 64, rows: 'native', nrBit: 0 }),
  constants: CONSTANTS_X86_64,
  oci: { goArch: 'amd64', scmpArch: 'SCMP_ARCH_X86_64' },
};
