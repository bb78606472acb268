// The Linux release that added each syscall added since 5.1, when the architectures started to
// share the numbers of new syscalls (424 on), on every architecture seccompile has a table for.
// From the kernel's release history (the merge of each syscall, as Linux's release notes and the
// syscall tables' changes give it); syscalls not listed are older than 5.1 on every table.
import type { KernelVersion } from '../seccomp/kernel-version.ts';

/** Releases are written `major.minor`. */
const ADDED: Readonly<Record<string, string>> = {
  // 5.1: the y2038 calls of 32-bit ABIs (403–423), pidfd_send_signal, io_uring.
  clock_gettime64: '5.1', clock_settime64: '5.1', clock_adjtime64: '5.1', clock_getres_time64: '5.1', clock_nanosleep_time64: '5.1',
  timer_gettime64: '5.1', timer_settime64: '5.1', timerfd_gettime64: '5.1', timerfd_settime64: '5.1', utimensat_time64: '5.1',
  pselect6_time64: '5.1', ppoll_time64: '5.1', io_pgetevents_time64: '5.1', recvmmsg_time64: '5.1', mq_timedsend_time64: '5.1',
  mq_timedreceive_time64: '5.1', semtimedop_time64: '5.1', rt_sigtimedwait_time64: '5.1', futex_time64: '5.1', sched_rr_get_interval_time64: '5.1',
  pidfd_send_signal: '5.1', io_uring_setup: '5.1', io_uring_enter: '5.1', io_uring_register: '5.1',
  open_tree: '5.2', move_mount: '5.2', fsopen: '5.2', fsconfig: '5.2', fsmount: '5.2', fspick: '5.2',
  pidfd_open: '5.3', clone3: '5.3',
  openat2: '5.6', pidfd_getfd: '5.6',
  faccessat2: '5.8',
  close_range: '5.9',
  process_madvise: '5.10',
  epoll_pwait2: '5.11',
  mount_setattr: '5.12',
  landlock_create_ruleset: '5.13', landlock_add_rule: '5.13', landlock_restrict_self: '5.13',
  quotactl_fd: '5.14', memfd_secret: '5.14',
  process_mrelease: '5.15',
  futex_waitv: '5.16',
  set_mempolicy_home_node: '5.17',
  riscv_hwprobe: '6.4',
  cachestat: '6.5',
  fchmodat2: '6.6', map_shadow_stack: '6.6',
  futex_wake: '6.7', futex_wait: '6.7', futex_requeue: '6.7',
  statmount: '6.8', listmount: '6.8', lsm_get_self_attr: '6.8', lsm_set_self_attr: '6.8', lsm_list_modules: '6.8',
  mseal: '6.10',
  uretprobe: '6.11',
  setxattrat: '6.13', getxattrat: '6.13', listxattrat: '6.13', removexattrat: '6.13',
  open_tree_attr: '6.15',
  file_getattr: '6.17', file_setattr: '6.17',
  listns: '6.19',
  rseq_slice_yield: '7.0',
};

/** The oldest release `since` can name: the history above starts after it. */
export const OLDEST_KNOWN_RELEASE: KernelVersion = { major: 5, minor: 0 };

/** The release that added a syscall, or undefined for one older than 5.1. */
export function releaseOf(name: string): KernelVersion | undefined {
  const text = ADDED[name];
  if (text === undefined) return undefined;
  const [major, minor] = text.split('.').map(Number) as [number, number];
  return { major, minor };
}
