// The topics a learned policy lists its syscalls under, as headings, so that a reader can review it
// by topic (not systemd's syscall groups of src/syscalls/groups.ts, which policies can name).
// Each x86-64 syscall is in at most one topic; the rest are "Other". A test checks every name.

export interface Topic {
  readonly title: string;
  readonly names: readonly string[];
}

export const TOPICS: readonly Topic[] = [
  {
    title: 'Processes and threads',
    names: [
      'execve', 'execveat', 'fork', 'vfork', 'clone', 'clone3', 'exit', 'exit_group', 'wait4', 'waitid',
      'getpid', 'getppid', 'gettid', 'getpgid', 'getpgrp', 'getsid', 'setpgid', 'setsid',
      'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'rseq_slice_yield', 'arch_prctl', 'prctl',
      'futex', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue', 'set_thread_area', 'get_thread_area',
      'sched_yield', 'sched_setparam', 'sched_getparam', 'sched_setscheduler', 'sched_getscheduler',
      'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_setaffinity',
      'sched_getaffinity', 'sched_setattr', 'sched_getattr', 'getpriority', 'setpriority', 'ioprio_set', 'ioprio_get',
      'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times', 'personality', 'unshare', 'setns',
      'pidfd_open', 'pidfd_getfd', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'seccomp',
      'modify_ldt', 'map_shadow_stack', 'restart_syscall',
    ],
  },
  {
    title: 'Users, groups and capabilities',
    names: [
      'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups', 'setuid', 'setgid',
      'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups', 'capget', 'capset',
      'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
      'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules',
    ],
  },
  {
    title: 'Memory',
    names: [
      'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'madvise', 'process_madvise', 'msync', 'mincore', 'mlock', 'mlock2',
      'munlock', 'mlockall', 'munlockall', 'membarrier', 'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'mbind',
      'set_mempolicy', 'get_mempolicy', 'set_mempolicy_home_node', 'migrate_pages', 'move_pages', 'remap_file_pages',
      'memfd_create', 'memfd_secret', 'userfaultfd', 'mseal', 'process_mrelease',
    ],
  },
  {
    title: 'Signals',
    names: [
      'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo',
      'rt_tgsigqueueinfo', 'rt_sigsuspend', 'sigaltstack', 'kill', 'tkill', 'tgkill', 'pidfd_send_signal', 'pause',
      'signalfd', 'signalfd4',
    ],
  },
  {
    title: 'Reading and writing file descriptors',
    names: [
      'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'lseek',
      'close', 'close_range', 'dup', 'dup2', 'dup3', 'pipe', 'pipe2', 'fcntl', 'ioctl', 'flock', 'fsync', 'fdatasync',
      'sync_file_range', 'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range', 'readahead', 'fadvise64',
      'fallocate', 'ftruncate', 'eventfd', 'eventfd2',
    ],
  },
  {
    title: 'Files and directories',
    names: [
      'open', 'openat', 'openat2', 'creat', 'open_by_handle_at', 'name_to_handle_at', 'stat', 'fstat', 'lstat',
      'newfstatat', 'statx', 'statfs', 'fstatfs', 'access', 'faccessat', 'faccessat2', 'getdents', 'getdents64',
      'getcwd', 'chdir', 'fchdir', 'chroot', 'mkdir', 'mkdirat', 'rmdir', 'rename', 'renameat', 'renameat2', 'link',
      'linkat', 'unlink', 'unlinkat', 'symlink', 'symlinkat', 'readlink', 'readlinkat', 'chmod', 'fchmod', 'fchmodat',
      'fchmodat2', 'chown', 'fchown', 'lchown', 'fchownat', 'umask', 'truncate', 'utime', 'utimes', 'futimesat',
      'utimensat', 'mknod', 'mknodat', 'sync', 'syncfs', 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr',
      'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
      'setxattrat', 'getxattrat', 'listxattrat', 'removexattrat', 'file_getattr', 'file_setattr',
      'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_init', 'fanotify_mark',
      'cachestat', 'ustat', 'sysfs', 'uselib',
    ],
  },
  {
    title: 'Waiting for events',
    names: [
      'poll', 'ppoll', 'select', 'pselect6', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait',
      'epoll_pwait2', 'epoll_ctl_old', 'epoll_wait_old', 'io_setup', 'io_destroy', 'io_getevents', 'io_pgetevents',
      'io_submit', 'io_cancel', 'io_uring_setup', 'io_uring_enter', 'io_uring_register',
    ],
  },
  {
    title: 'Network',
    names: [
      'socket', 'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'shutdown', 'getsockname',
      'getpeername', 'setsockopt', 'getsockopt', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
    ],
  },
  {
    title: 'Time',
    names: [
      'time', 'gettimeofday', 'settimeofday', 'clock_gettime', 'clock_settime', 'clock_getres', 'clock_nanosleep',
      'clock_adjtime', 'adjtimex', 'nanosleep', 'alarm', 'getitimer', 'setitimer', 'timer_create', 'timer_settime',
      'timer_gettime', 'timer_getoverrun', 'timer_delete', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
    ],
  },
  {
    title: 'System information',
    names: ['uname', 'sysinfo', 'getrandom', 'getcpu', 'syslog', 'sethostname', 'setdomainname'],
  },
  {
    title: 'Inter-process communication',
    names: [
      'shmget', 'shmat', 'shmctl', 'shmdt', 'semget', 'semop', 'semtimedop', 'semctl', 'msgget', 'msgsnd', 'msgrcv',
      'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
      'add_key', 'request_key', 'keyctl',
    ],
  },
  {
    title: 'Mounts and file systems',
    names: [
      'mount', 'umount2', 'pivot_root', 'open_tree', 'open_tree_attr', 'move_mount', 'fsopen', 'fsconfig', 'fsmount',
      'fspick', 'mount_setattr', 'statmount', 'listmount', 'listns', 'quotactl', 'quotactl_fd', 'swapon', 'swapoff',
    ],
  },
];

export const OTHER_TOPIC = 'Other';

let byName: Map<string, string> | undefined;

/** The title of a syscall's topic; OTHER_TOPIC for the unlisted ones and for unknown numbers. */
export function topicOf(name: string): string {
  if (!byName) {
    byName = new Map();
    for (const topic of TOPICS) for (const name of topic.names) byName.set(name, topic.title);
  }
  return byName.get(name) ?? OTHER_TOPIC;
}

/** Topic titles in the order a policy lists them. */
export function topicOrder(): readonly string[] {
  return [...TOPICS.map((t) => t.title), OTHER_TOPIC];
}
