// x32: x86-64's registers with 32-bit pointers. Its calls arrive with arch AUDIT_ARCH_X86_64 and
// bit 30 set in nr; its table is x86-64's `common` rows and its own 512..547.
import { X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { SyscallTable } from '../syscalls/index.ts';
import { tableRows } from '../syscalls/tables/x86_64.generated.ts';
import { constantsFor } from './constants.ts';
import type { Arch } from './arch.ts';

export const X32: Arch = {
  name: 'x32', title: 'x32', auditArch: 0xc000003e, bits: 64,
  otherAbi: { name: 'x86_64', lo: 0, hi: X32_SYSCALL_BIT - 1, action: 'foreign_arch' },
  syscalls: new SyscallTable(tableRows, { bits: 64, rows: 'x32', nrBit: X32_SYSCALL_BIT }),
  constants: constantsFor('x32'),
  oci: { scmpArch: 'SCMP_ARCH_X32' },
};
