import type { SyscallTable } from './index.ts';

// Syscall names of Linux ABIs other than x86-64 (i386, the generic table of arm64 and riscv, and
// arch-specific calls of arm, powerpc, s390, mips and others, some of which seccompile has no
// table for). Multi-arch profiles such as Docker's list them; where the target lacks one it is
// skipped quietly, while a name in no table is a likely typo.
// From /usr/include/x86_64-linux-gnu/asm/unistd_32.h and /usr/include/asm-generic/unistd.h
// (linux-libc-dev 6.1), plus the arch-specific names runtimes' default profiles use.
export const FOREIGN_SYSCALL_NAMES: ReadonlySet<string> = new Set([
  '_llseek', '_newselect', 'arm_fadvise64_64', 'arm_sync_file_range', 'atomic_barrier', 'atomic_cmpxchg_32',
  'bdflush', 'break', 'breakpoint', 'cachectl', 'cacheflush', 'chown32', 'clock_adjtime64',
  'clock_getres_time64', 'clock_gettime64', 'clock_nanosleep_time64', 'clock_settime64', 'fadvise64_64',
  'fchown32', 'fcntl64', 'fstat64', 'fstatat', 'fstatat64', 'fstatfs64', 'ftime', 'ftruncate64',
  'futex_time64', 'getegid32', 'geteuid32', 'getgid32', 'getgroups32', 'getpagesize', 'getresgid32',
  'getresuid32', 'getuid32', 'gtty', 'idle', 'io_pgetevents_time64', 'ipc', 'lchown32', 'llseek', 'lock',
  'lstat64', 'mmap2', 'mpx', 'mq_timedreceive_time64', 'mq_timedsend_time64', 'multiplexer', 'nice',
  'oldfstat', 'oldlstat', 'oldolduname', 'oldstat', 'oldumount', 'olduname', 'pciconfig_iobase',
  'pciconfig_read', 'pciconfig_write', 'ppoll_time64', 'prof', 'profil', 'pselect6_time64', 'readdir', 'recv',
  'recvmmsg_time64', 'riscv_flush_icache', 'riscv_hwprobe', 'rt_sigtimedwait_time64', 'rtas',
  's390_guarded_storage', 's390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr', 's390_sthyi',
  'sched_rr_get_interval_time64', 'semtimedop_time64', 'send', 'sendfile64', 'set_tls', 'setfsgid32',
  'setfsuid32', 'setgid32', 'setgroups32', 'setregid32', 'setresgid32', 'setresuid32', 'setreuid32',
  'setuid32', 'sgetmask', 'sigaction', 'signal', 'sigpending', 'sigprocmask', 'sigreturn', 'sigsuspend',
  'socketcall', 'spu_create', 'spu_run', 'ssetmask', 'stat64', 'statfs64', 'stime', 'stty', 'subpage_prot',
  'swapcontext', 'switch_endian', 'sync_file_range2', 'sys_debug_setcontext', 'syscall', 'sysmips',
  'timer_gettime64', 'timer_settime64', 'timerfd_gettime64', 'timerfd_settime64', 'truncate64', 'ugetrlimit',
  'ulimit', 'umount', 'usr26', 'usr32', 'utimensat_time64', 'vm86', 'vm86old', 'waitpid',
]);

/**
 * What to write on the target for a syscall of another architecture: its counterpart there
 * (`chown32` → `chown`, `fcntl64` → `fcntl`, `clock_gettime64` → `clock_gettime`), or a sentence
 * for the multiplexers that the target splits into syscalls of their own.
 */
export function counterpartOn(name: string, table: SyscallTable, title: string): string | undefined {
  if (name === 'socketcall' && table.byName('socket')) return `on ${title} each socket operation is a syscall of its own: \`socket\`, \`connect\`, \`bind\`, \`accept4\`, \`sendto\`, \`recvfrom\`, …`;
  if (name === 'ipc' && table.byName('semop')) return `on ${title} each System V IPC operation is a syscall of its own: \`semop\`, \`semget\`, \`msgsnd\`, \`msgrcv\`, \`shmat\`, \`shmget\`, …`;
  for (const candidate of [name.replace(/_time64$/, ''), name.replace(/32$/, ''), name.replace(/64$/, ''), name.replace(/64_64$/, '64'), name.replace(/^_/, '')]) {
    if (candidate !== name && table.byName(candidate)) return `${title} has \`${candidate}\``;
  }
  return undefined;
}
