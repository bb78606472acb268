// src/constants/arch/aarch64.generated.ts
//
// GENERATED FILE - DO NOT EDIT. Regenerate with: node scripts/gen-constants.mjs --arch aarch64
//
// How the named constants of aarch64 differ from x86-64's (table.generated.ts): evaluated by
// compiling the same families against aarch64's C library and kernel headers.
//
// Generated with:
//   aarch64-linux-gnu-gcc: aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0
//   package: libc6-dev-arm64-cross 2.36-8cross1
//   package: linux-libc-dev-arm64-cross 6.1.4-1cross1
//
// 4 values differ, 27 names are missing, 4 are aarch64's own.

import type { ConstantDifferences } from '../index.ts';

export const DIFFERENCES: ConstantDifferences = {
  changed: [
    ["O_DIRECT", 0x10000n],
    ["O_DIRECTORY", 0x4000n],
    ["O_NOFOLLOW", 0x8000n],
    ["O_TMPFILE", 0x404000n],
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
    "PTRACE_GETFPREGS",
    "PTRACE_GETFPXREGS",
    "PTRACE_GETREGS",
    "PTRACE_GET_THREAD_AREA",
    "PTRACE_OLDSETOPTIONS",
    "PTRACE_SETFPREGS",
    "PTRACE_SETFPXREGS",
    "PTRACE_SETREGS",
    "PTRACE_SET_THREAD_AREA",
    "PTRACE_SINGLEBLOCK",
    "LANDLOCK_CREATE_RULESET_ERRATA",
  ],
  added: [
    ["PROT_BTI", 16n, "prot"],
    ["PROT_MTE", 32n, "prot"],
    ["PTRACE_PEEKMTETAGS", 33n, "ptrace"],
    ["PTRACE_POKEMTETAGS", 34n, "ptrace"],
  ],
};
