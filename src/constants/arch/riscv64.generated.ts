// src/constants/arch/riscv64.generated.ts
//
// GENERATED FILE - DO NOT EDIT. Regenerate with: node scripts/gen-constants.mjs --arch riscv64
//
// How the named constants of riscv64 differ from x86-64's (table.generated.ts): evaluated by
// compiling the same families against riscv64's C library and kernel headers.
//
// Generated with:
//   riscv64-linux-gnu-gcc: riscv64-linux-gnu-gcc (Debian 12.2.0-13) 12.2.0
//   package: libc6-dev-riscv64-cross 2.36-8cross1
//   package: linux-libc-dev-riscv64-cross 6.1.4-1cross1
//
// 0 values differ, 23 names are missing, 0 are riscv64's own.

import type { ConstantDifferences } from '../index.ts';

export const DIFFERENCES: ConstantDifferences = {
  changed: [
  ],
  missing: [
    "MAP_32BIT",
    "ARCH_GET_CPUID",
    "ARCH_GET_FS",
    "ARCH_GET_GS",
    "ARCH_GET_XCOMP_GUEST_PERM",
    "ARCH_GET_XCOMP_PERM",
    "ARCH_GET_XCOMP_SUPP",
    "ARCH_MAP_VDSO_32",
    "ARCH_MAP_VDSO_64",
    "ARCH_MAP_VDSO_X32",
    "ARCH_REQ_XCOMP_GUEST_PERM",
    "ARCH_REQ_XCOMP_PERM",
    "ARCH_SET_CPUID",
    "ARCH_SET_FS",
    "ARCH_SET_GS",
    "PTRACE_ARCH_PRCTL",
    "PTRACE_GET_THREAD_AREA",
    "PTRACE_OLDSETOPTIONS",
    "PTRACE_SET_THREAD_AREA",
    "PTRACE_SINGLEBLOCK",
    "PTRACE_SYSEMU",
    "PTRACE_SYSEMU_SINGLESTEP",
    "LANDLOCK_CREATE_RULESET_ERRATA",
  ],
  added: [
  ],
};
