// src/constants/arch/x32.generated.ts
//
// GENERATED FILE - DO NOT EDIT. Regenerate with: node scripts/gen-constants.mjs --arch x32
//
// How the named constants of x32 differ from x86-64's (table.generated.ts): evaluated by
// compiling the same families against x32's C library and kernel headers.
//
// Generated with:
//   gcc: gcc (Debian 12.2.0-14+deb12u1) 12.2.0
//   package: libc6-dev-x32 2.36-9+deb12u14
//   package: linux-libc-dev 6.1.187-1
//
// 12 values differ, 0 names are missing, 0 are x32's own.

import type { ConstantDifferences } from '../index.ts';

export const DIFFERENCES: ConstantDifferences = {
  changed: [
    ["PR_SET_PTRACER_ANY", 0xffffffffn],
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
  ],
  added: [
  ],
};
