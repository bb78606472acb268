import { SyscallTable } from '../syscalls/index.ts';
import { tableRows } from '../syscalls/tables/arm.generated.ts';
import { constantsFor } from './constants.ts';
import type { Arch } from './arch.ts';

export const ARM: Arch = {
  name: 'arm', title: 'arm (EABI)', auditArch: 0x40000028, bits: 32,
  syscalls: new SyscallTable(tableRows, { bits: 32, rows: 'native', nrBit: 0 }),
  constants: constantsFor('arm'),
  oci: { goArch: 'arm', scmpArch: 'SCMP_ARCH_ARM' },
};
