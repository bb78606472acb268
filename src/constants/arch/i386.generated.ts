// src/constants/arch/i386.generated.ts
//
// GENERATED FILE - DO NOT EDIT. Regenerate with: node scripts/gen-constants.mjs --arch i386
//
// How the named constants of i386 differ from x86-64's (table.generated.ts): evaluated by
// compiling the same families against i386's C library and kernel headers.
//
// Generated with:
//   i686-linux-gnu-gcc: i686-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0
//   package: libc6-dev-i386-cross 2.36-8cross1
//   package: linux-libc-dev-i386-cross 6.1.4-1cross1
//
// 17 values differ, 4 names are missing, 0 are i386's own.

import type { ConstantDifferences } from '../index.ts';

export const DIFFERENCES: ConstantDifferences = {
  changed: [
    ["O_LARGEFILE", 0x8000n],
    ["F_GETLK64", 12n],
    ["F_SETLK64", 13n],
    ["F_SETLKW64", 14n],
    ["PR_SET_PTRACER_ANY", 0xffffffffn],
    ["FS_IOC_GETFLAGS", 0x80046601n],
    ["FS_IOC_GETVERSION", 0x80047601n],
    ["FS_IOC_SETFLAGS", 0x40046602n],
    ["FS_IOC_SETVERSION", 0x40047602n],
    ["BLKBSZGET", 0x80041270n],
    ["BLKBSZSET", 0x40041271n],
    ["BLKGETSIZE64", 0x80041272n],
    ["BLKTRACESETUP", 0xc0401273n],
    ["PERF_EVENT_IOC_ID", 0x80042407n],
    ["PERF_EVENT_IOC_MODIFY_ATTRIBUTES", 0x4004240bn],
    ["PERF_EVENT_IOC_QUERY_BPF", 0xc004240an],
    ["PERF_EVENT_IOC_SET_FILTER", 0x40042406n],
  ],
  missing: [
    "PTRACE_ARCH_PRCTL",
    "LANDLOCK_CREATE_RULESET_ERRATA",
    "SIOCGSTAMP",
    "SIOCGSTAMPNS",
  ],
  added: [
  ],
};
