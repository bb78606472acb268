import { SyscallTable } from '../syscalls/index.ts';
import { tableRows } from '../syscalls/tables/i386.generated.ts';
import { constantsFor } from './constants.ts';
import type { Arch } from './arch.ts';

export const I386: Arch = {
  name: 'i386', title: 'i386', auditArch: 0x40000003, bits: 32,
  syscalls: new SyscallTable(tableRows, { bits: 32, rows: 'native', nrBit: 0 }),
  constants: constantsFor('i386'),
  oci: { goArch: '386', scmpArch: 'SCMP_ARCH_X86' },
};
