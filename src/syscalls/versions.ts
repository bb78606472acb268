// The Linux release that added each x86-64 syscall numbered 310 and up, and each syscall of the
// other tables added since 5.1. Every x86-64 syscall numbered below 310 exists since Linux 3.0 or
// earlier (setns and sendmmsg, 307 and 308, came in 3.0), before seccomp filters (3.5), so no
// target kernel a filter can run on lacks them. Used by lint and by `unknown … since`.
//
// Sources: the commit that added each number to arch/x86/entry/syscalls/syscall_64.tbl, as named
// in the man pages' VERSIONS sections and in each release's merge notes. Numbers 335 and up
// are recent; the versions marked `approximate` were read from the merge windows the patches
// landed in, not from a tagged release's table. x86-64 numbers were given in order until 334;
// from 424 on every architecture shares the numbers (424 = 5.1).

import type { Arch } from '../arch/arch.ts';
import { X86_64 } from '../arch/x86_64.ts';

interface Introduced {
  readonly version: readonly [number, number];
  readonly approximate?: boolean;
}

const v = (major: number, minor: number, approximate = false): Introduced => ({ version: [major, minor], ...(approximate ? { approximate } : {}) });

export const SYSCALL_INTRODUCED: Readonly<Record<string, Introduced>> = {
  process_vm_readv: v(3, 2), process_vm_writev: v(3, 2),
  kcmp: v(3, 5),
  finit_module: v(3, 8),
  sched_setattr: v(3, 14), sched_getattr: v(3, 14),
  renameat2: v(3, 15),
  seccomp: v(3, 17), getrandom: v(3, 17), memfd_create: v(3, 17), kexec_file_load: v(3, 17),
  bpf: v(3, 18),
  execveat: v(3, 19),
  userfaultfd: v(4, 3), membarrier: v(4, 3),
  mlock2: v(4, 4),
  copy_file_range: v(4, 5),
  preadv2: v(4, 6), pwritev2: v(4, 6),
  pkey_mprotect: v(4, 9), pkey_alloc: v(4, 9), pkey_free: v(4, 9),
  statx: v(4, 11),
  io_pgetevents: v(4, 18), rseq: v(4, 18),
  pidfd_send_signal: v(5, 1),
  io_uring_setup: v(5, 1), io_uring_enter: v(5, 1), io_uring_register: v(5, 1),
  open_tree: v(5, 2), move_mount: v(5, 2), fsopen: v(5, 2), fsconfig: v(5, 2), fsmount: v(5, 2), fspick: v(5, 2),
  pidfd_open: v(5, 3), clone3: v(5, 3),
  openat2: v(5, 6), pidfd_getfd: v(5, 6),
  faccessat2: v(5, 8),
  // close_range has number 436, before openat2, but was merged later.
  close_range: v(5, 9),
  process_madvise: v(5, 10),
  epoll_pwait2: v(5, 11),
  mount_setattr: v(5, 12),
  landlock_create_ruleset: v(5, 13), landlock_add_rule: v(5, 13), landlock_restrict_self: v(5, 13),
  // 443 was quotactl_path in 5.13-rc, withdrawn before the release; quotactl_fd took it in 5.14.
  quotactl_fd: v(5, 14), memfd_secret: v(5, 14),
  process_mrelease: v(5, 15),
  futex_waitv: v(5, 16),
  set_mempolicy_home_node: v(5, 17),
  cachestat: v(6, 5),
  fchmodat2: v(6, 6), map_shadow_stack: v(6, 6),
  futex_wake: v(6, 7), futex_wait: v(6, 7), futex_requeue: v(6, 7),
  statmount: v(6, 8), listmount: v(6, 8),
  lsm_get_self_attr: v(6, 8), lsm_set_self_attr: v(6, 8), lsm_list_modules: v(6, 8),
  mseal: v(6, 10),
  uretprobe: v(6, 11),
  setxattrat: v(6, 13), getxattrat: v(6, 13), listxattrat: v(6, 13), removexattrat: v(6, 13),
  open_tree_attr: v(6, 15),
  file_getattr: v(6, 17), file_setattr: v(6, 17),
  uprobe: v(6, 18, true),
  listns: v(6, 19, true),
  rseq_slice_yield: v(7, 0, true),
};

/**
 * Syscalls of 32-bit and other tables added since 5.1 below the shared numbers: the y2038 calls
 * of 32-bit ABIs (403–423, 5.1) and riscv64's riscv_hwprobe (6.4).
 */
const OTHER_ABIS: Readonly<Record<string, Introduced>> = {
  ...Object.fromEntries(['clock_gettime64', 'clock_settime64', 'clock_adjtime64', 'clock_getres_time64', 'clock_nanosleep_time64',
    'timer_gettime64', 'timer_settime64', 'timerfd_gettime64', 'timerfd_settime64', 'utimensat_time64', 'pselect6_time64',
    'ppoll_time64', 'io_pgetevents_time64', 'recvmmsg_time64', 'mq_timedsend_time64', 'mq_timedreceive_time64',
    'semtimedop_time64', 'rt_sigtimedwait_time64', 'futex_time64', 'sched_rr_get_interval_time64'].map((name) => [name, v(5, 1)])),
  riscv_hwprobe: v(6, 4),
};

/** The oldest release whose additions this history knows on `arch`: x86-64's (and x32's) from 3.0, the others' from 5.1. */
export function historyStart(arch: Arch): readonly [number, number] {
  return arch.auditArch === X86_64.auditArch ? [3, 0] : [5, 0];
}

/**
 * When `name` came to `arch`: the dates above are x86-64's (x32's too), and from number 424 on
 * every architecture's; an older call of another architecture has no date here.
 */
export function syscallIntroduced(name: string, arch: Arch): Introduced | undefined {
  if (arch.auditArch !== X86_64.auditArch && (arch.syscalls.byName(name)?.nr ?? 0) < 424) return OTHER_ABIS[name];
  return SYSCALL_INTRODUCED[name];
}
