import { SyscallTable } from '../syscalls/index.ts';
import { tableRows } from '../syscalls/tables/aarch64.generated.ts';
import { constantsFor } from './constants.ts';
import type { Arch } from './arch.ts';

export const AARCH64: Arch = {
  name: 'aarch64', title: 'AArch64', auditArch: 0xc00000b7, bits: 64,
  syscalls: new SyscallTable(tableRows, { bits: 64, rows: 'native', nrBit: 0 }),
  constants: constantsFor('aarch64'),
  oci: { goArch: 'arm64', scmpArch: 'SCMP_ARCH_AARCH64' },
};
