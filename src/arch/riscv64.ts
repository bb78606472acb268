import { SyscallTable } from '../syscalls/index.ts';
import { tableRows } from '../syscalls/tables/riscv64.generated.ts';
import { constantsFor } from './constants.ts';
import type { Arch } from './arch.ts';

export const RISCV64: Arch = {
  name: 'riscv64', title: 'RISC-V 64', auditArch: 0xc00000f3, bits: 64,
  syscalls: new SyscallTable(tableRows, { bits: 64, rows: 'native', nrBit: 0 }),
  constants: constantsFor('riscv64'),
  oci: { goArch: 'riscv64', scmpArch: 'SCMP_ARCH_RISCV64' },
};
