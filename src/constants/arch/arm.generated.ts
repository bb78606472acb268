// src/constants/arch/arm.generated.ts
//
// GENERATED FILE - DO NOT EDIT. Regenerate with: node scripts/gen-constants.mjs --arch arm
//
// How the named constants of arm differ from x86-64's (table.generated.ts): evaluated by
// compiling the same families against arm's C library and kernel headers.
//
// Generated with:
//   arm-linux-gnueabihf-gcc: arm-linux-gnueabihf-gcc (Debian 12.2.0-14) 12.2.0
//   package: libc6-dev-armhf-cross 2.36-8cross1
//   package: linux-libc-dev-armhf-cross 6.1.4-1cross1
//
// 22 values differ, 25 names are missing, 12 are arm's own.

import type { ConstantDifferences } from '../index.ts';

export const DIFFERENCES: ConstantDifferences = {
  changed: [
    ["O_DIRECT", 0x10000n],
    ["O_DIRECTORY", 0x4000n],
    ["O_LARGEFILE", 0x20000n],
    ["O_NOFOLLOW", 0x8000n],
    ["O_TMPFILE", 0x404000n],
    ["F_GETLK64", 12n],
    ["F_SETLK64", 13n],
    ["F_SETLKW64", 14n],
    ["PR_SET_PTRACER_ANY", 0xffffffffn],
    ["PTRACE_GET_THREAD_AREA", 22n],
    ["FIOQSIZE", 0x545en],
    ["FS_IOC_GETFLAGS", 0x80046601n],
    ["FS_IOC_GETVERSION", 0x80047601n],
    ["FS_IOC_SETFLAGS", 0x40046602n],
    ["FS_IOC_SETVERSION", 0x40047602n],
    ["BLKBSZGET", 0x80041270n],
    ["BLKBSZSET", 0x40041271n],
    ["BLKGETSIZE64", 0x80041272n],
    ["PERF_EVENT_IOC_ID", 0x80042407n],
    ["PERF_EVENT_IOC_MODIFY_ATTRIBUTES", 0x4004240bn],
    ["PERF_EVENT_IOC_QUERY_BPF", 0xc004240an],
    ["PERF_EVENT_IOC_SET_FILTER", 0x40042406n],
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
    "PTRACE_GETFPXREGS",
    "PTRACE_SETFPXREGS",
    "PTRACE_SET_THREAD_AREA",
    "PTRACE_SINGLEBLOCK",
    "PTRACE_SYSEMU",
    "PTRACE_SYSEMU_SINGLESTEP",
    "LANDLOCK_CREATE_RULESET_ERRATA",
    "SIOCGSTAMP",
    "SIOCGSTAMPNS",
  ],
  added: [
    ["PTRACE_GETCRUNCHREGS", 25n, "ptrace"],
    ["PTRACE_GETFDPIC", 31n, "ptrace"],
    ["PTRACE_GETFDPIC_EXEC", 0n, "ptrace"],
    ["PTRACE_GETFDPIC_INTERP", 1n, "ptrace"],
    ["PTRACE_GETHBPREGS", 29n, "ptrace"],
    ["PTRACE_GETVFPREGS", 27n, "ptrace"],
    ["PTRACE_GETWMMXREGS", 18n, "ptrace"],
    ["PTRACE_SETCRUNCHREGS", 26n, "ptrace"],
    ["PTRACE_SETHBPREGS", 30n, "ptrace"],
    ["PTRACE_SETVFPREGS", 28n, "ptrace"],
    ["PTRACE_SETWMMXREGS", 19n, "ptrace"],
    ["PTRACE_SET_SYSCALL", 23n, "ptrace"],
  ],
};
