#!/usr/bin/env node
// gen-constants.mjs — generate src/constants/table.generated.ts, the table of
// named constants (EPERM, O_CREAT, AF_INET, TIOCGWINSZ, ...) that seccomp
// policies may use in argument expressions.
//
// Usage: node scripts/gen-constants.mjs [--arch i386|x32|aarch64|arm|riscv64] [--verbose]
//
// How it works (no dependencies besides Node and gcc):
//   1. Every family below lists one or more "units". A unit is a set of system
//      headers compiled as its own translation unit, so headers that conflict
//      with each other (e.g. <sys/mount.h> and <linux/mount.h>) never meet.
//   2. For each unit, candidate names are collected from the preprocessor:
//      object-like macros from `gcc -E -dM` plus enumerators parsed out of the
//      `gcc -E` output (glibc defines e.g. PTRACE_* and P_ALL only as enums),
//      filtered per family by name regexes, plus explicit single names.
//      Only all-uppercase identifiers are kept (so nothing starting with `_`).
//   3. Candidates that are not integer constant expressions (strings,
//      pointers such as SIG_DFL, run-time values such as SIGRTMIN or
//      SIGSTKSZ, struct initialisers, ...) are removed automatically: each
//      candidate becomes one line `_Static_assert((~(NAME)) || 1, "");`, which
//      only compiles for integer-typed integer constant expressions. The batch
//      is compiled with `-fsyntax-only -pedantic-errors
//      -ftrack-macro-expansion=0`; the line numbers of the errors identify the
//      offending candidates, which are dropped, and the batch is retried until
//      it compiles cleanly (dropped names are re-checked on their own once, so
//      a cascading error cannot remove a good constant).
//   4. The survivors go into a generated C table of `(long long)(NAME)`
//      (signed 64-bit, as two 32-bit words), compiled to assembly, whose
//      data directives are read back (nothing is run). Ioctl request
//      families are then reduced to the unsigned 32-bit request number the
//      kernel sees (e.g. FS_IOC_GETFLAGS = 0x80086601); other values keep
//      their sign (AT_FDCWD = -100).
//   5. Families are merged in the fixed order below. A name is kept by the
//      first family/unit that defines it; if a later unit gives the same name a
//      different value a warning is printed and the first value is kept.
//
// The output is deterministic (sorted by family order, then by name, with no
// timestamps), so re-running the script changes the committed table only when
// the installed headers (glibc / linux-libc-dev) or this script change.
// Values are read from the assembly the compiler makes of a table of them, so a
// cross compiler needs no emulator. Without --arch the x86-64 table is written
// (gcc, libc6-dev and linux-libc-dev); with --arch NAME, NAME's compiler and
// headers (Debian's gcc-*-linux-gnu* and libc6-dev-*-cross; x32: gcc -mx32 and
// libc6-dev-x32, which conflicts with the cross compilers) give that target's
// differences from the committed x86-64 table.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_FILE = join(ROOT, 'src', 'constants', 'table.generated.ts');
const OUT_REL = 'src/constants/table.generated.ts';
const SCRIPT_REL = 'scripts/gen-constants.mjs';
const VERBOSE = process.argv.includes('--verbose');

// --arch NAME: evaluate with that architecture's compiler and headers (Debian's cross packages)
// and write how its constants differ from x86-64's to src/constants/arch/NAME.generated.ts.
const ARCH = process.argv.includes('--arch') ? process.argv[process.argv.indexOf('--arch') + 1] : 'x86_64';
const TARGETS = {
  x86_64: { cc: ['gcc'], packages: ['libc6-dev', 'linux-libc-dev'] },
  i386: { cc: ['i686-linux-gnu-gcc'], packages: ['libc6-dev-i386-cross', 'linux-libc-dev-i386-cross'] },
  x32: { cc: ['gcc', '-mx32'], packages: ['libc6-dev-x32', 'linux-libc-dev'] },
  aarch64: { cc: ['aarch64-linux-gnu-gcc'], packages: ['libc6-dev-arm64-cross', 'linux-libc-dev-arm64-cross'] },
  arm: { cc: ['arm-linux-gnueabihf-gcc'], packages: ['libc6-dev-armhf-cross', 'linux-libc-dev-armhf-cross'] },
  riscv64: { cc: ['riscv64-linux-gnu-gcc'], packages: ['libc6-dev-riscv64-cross', 'linux-libc-dev-riscv64-cross'] },
};
const TARGET = TARGETS[ARCH];
if (!TARGET) throw new Error(`unknown --arch ${ARCH}; one of ${Object.keys(TARGETS).join(', ')}`);
const [CC, ...CC_FLAGS] = process.env.CC ? [process.env.CC] : TARGET.cc;
const CHECK_FLAGS = [
  '-std=gnu11',
  '-fsyntax-only',
  '-pedantic-errors',
  '-ftrack-macro-expansion=0',
  '-fmax-errors=0',
  '-fdiagnostics-color=never',
  '-x',
  'c',
];
const NAME_RE = /^[A-Z][A-Z0-9_]*$/;

// ---------------------------------------------------------------------------
// Family definitions. The order of this array is the order of the output and
// the precedence order when the same name is found more than once.
//
//   id          family id stored in the table
//   description one line of documentation
//   units       list of translation units; each is a list of headers
//               (`_GNU_SOURCE` is always defined first)
//   match       regexes (anchored) selecting candidate names
//   names       explicit names, tried even if no macro of that name exists
//   exclude     regexes of names to leave out
//   range       [min, max] inclusive: values outside are dropped (errno, signals)
//   ioctl       values are ioctl requests: reduce to unsigned 32 bits
// ---------------------------------------------------------------------------

/** @typedef {{ id: string, description: string, units: string[][], match?: RegExp[], names?: string[], exclude?: RegExp[], range?: [bigint, bigint], ioctl?: boolean }} Family */

/** @type {Family[]} */
const FAMILIES = [
  {
    id: 'errno',
    description: 'errno values (for errno(...) actions and return-value checks)',
    units: [['errno.h']],
    match: [/^E[A-Z0-9]+$/],
    range: [1n, 4095n],
  },
  {
    id: 'signal',
    description: 'signal numbers (kill, tgkill, rt_sigqueueinfo, pidfd_send_signal, ...)',
    units: [['signal.h']],
    match: [/^SIG[A-Z0-9]+$/],
    range: [1n, 64n],
  },
  {
    id: 'open',
    description: 'open/openat flags O_*',
    units: [['fcntl.h']],
    match: [/^O_[A-Z0-9_]+$/],
  },
  {
    id: 'at',
    description: '*at() dirfd and flags AT_*',
    units: [['fcntl.h'], ['linux/fcntl.h']],
    match: [/^AT_[A-Z0-9_]+$/],
  },
  {
    id: 'resolve',
    description: 'openat2 resolve flags RESOLVE_*',
    units: [['linux/openat2.h']],
    match: [/^RESOLVE_[A-Z0-9_]+$/],
  },
  {
    id: 'access',
    description: 'access/faccessat modes',
    units: [['unistd.h']],
    names: ['F_OK', 'R_OK', 'W_OK', 'X_OK'],
  },
  {
    id: 'fcntl',
    description: 'fcntl commands F_* and FD_CLOEXEC',
    units: [['fcntl.h'], ['linux/fcntl.h']],
    match: [/^F_[A-Z0-9_]+$/],
    names: ['FD_CLOEXEC'],
    exclude: [/^F_(OK|LOCK|ULOCK|TLOCK|TEST)$/],
  },
  {
    id: 'seek',
    description: 'lseek whence SEEK_*',
    units: [['unistd.h']],
    match: [/^SEEK_[A-Z]+$/],
  },
  {
    id: 'mode',
    description: 'file mode bits S_I*',
    units: [['sys/stat.h']],
    match: [/^S_I[A-Z0-9]+$/],
  },
  {
    id: 'splice',
    description: 'splice/tee/vmsplice flags SPLICE_F_*',
    units: [['fcntl.h']],
    match: [/^SPLICE_F_[A-Z0-9_]+$/],
  },
  {
    id: 'fallocate',
    description: 'fallocate modes FALLOC_FL_*',
    units: [['fcntl.h'], ['linux/falloc.h']],
    match: [/^FALLOC_FL_[A-Z0-9_]+$/],
  },
  {
    id: 'fadvise',
    description: 'posix_fadvise advice POSIX_FADV_*',
    units: [['fcntl.h']],
    match: [/^POSIX_FADV_[A-Z0-9_]+$/],
  },
  {
    id: 'sync_file_range',
    description: 'sync_file_range flags SYNC_FILE_RANGE_*',
    units: [['fcntl.h']],
    match: [/^SYNC_FILE_RANGE_[A-Z0-9_]+$/],
  },
  {
    id: 'rename',
    description: 'renameat2 flags RENAME_*',
    units: [['stdio.h'], ['linux/fs.h']],
    match: [/^RENAME_[A-Z0-9_]+$/],
  },
  {
    id: 'statx',
    description: 'statx masks and attributes STATX_*',
    units: [['linux/stat.h']],
    match: [/^STATX_[A-Z0-9_]+$/],
  },
  {
    id: 'xattr',
    description: 'setxattr flags XATTR_*',
    units: [['sys/xattr.h']],
    match: [/^XATTR_[A-Z0-9_]+$/],
  },
  {
    id: 'close_range',
    description: 'close_range flags CLOSE_RANGE_*',
    units: [['linux/close_range.h']],
    match: [/^CLOSE_RANGE_[A-Z0-9_]+$/],
  },
  {
    id: 'prot',
    description: 'memory protection PROT_*',
    units: [['sys/mman.h']],
    match: [/^PROT_[A-Z0-9_]+$/],
  },
  {
    id: 'map',
    description: 'mmap flags MAP_*',
    units: [['sys/mman.h'], ['linux/mman.h']],
    match: [/^MAP_[A-Z0-9_]+$/],
  },
  {
    id: 'madv',
    description: 'madvise advice MADV_*',
    units: [['sys/mman.h']],
    match: [/^MADV_[A-Z0-9_]+$/],
  },
  {
    id: 'mremap',
    description: 'mremap flags MREMAP_*',
    units: [['sys/mman.h']],
    match: [/^MREMAP_[A-Z0-9_]+$/],
  },
  {
    id: 'msync',
    description: 'msync flags MS_ASYNC/MS_SYNC/MS_INVALIDATE',
    units: [['sys/mman.h']],
    match: [/^MS_[A-Z0-9_]+$/],
  },
  {
    id: 'mlock',
    description: 'mlockall flags MCL_* and mlock2 flags',
    units: [['sys/mman.h']],
    match: [/^MCL_[A-Z0-9_]+$/],
    names: ['MLOCK_ONFAULT'],
  },
  {
    id: 'pkey',
    description: 'pkey_alloc access rights PKEY_*',
    units: [['sys/mman.h']],
    match: [/^PKEY_[A-Z0-9_]+$/],
  },
  {
    id: 'memfd',
    description: 'memfd_create flags MFD_*',
    units: [['sys/mman.h'], ['linux/memfd.h']],
    match: [/^MFD_[A-Z0-9_]+$/],
  },
  {
    id: 'mempolicy',
    description: 'NUMA memory policy modes and flags MPOL_*',
    units: [['linux/mempolicy.h']],
    match: [/^MPOL_[A-Z0-9_]+$/],
  },
  {
    id: 'mount',
    description: 'mount(2) flags MS_*',
    units: [['sys/mount.h'], ['linux/mount.h']],
    match: [/^MS_[A-Z0-9_]+$/],
  },
  {
    id: 'umount',
    description: 'umount2 flags MNT_* and UMOUNT_NOFOLLOW',
    units: [['sys/mount.h']],
    match: [/^MNT_[A-Z0-9_]+$/],
    names: ['UMOUNT_NOFOLLOW'],
  },
  {
    id: 'mount_attr',
    description: 'mount_setattr/fsmount attributes MOUNT_ATTR_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^MOUNT_ATTR_[A-Z0-9_]+$/],
  },
  {
    id: 'open_tree',
    description: 'open_tree flags OPEN_TREE_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^OPEN_TREE_[A-Z0-9_]+$/],
  },
  {
    id: 'move_mount',
    description: 'move_mount flags MOVE_MOUNT_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^MOVE_MOUNT_[A-Z0-9_]+$/],
  },
  {
    id: 'fsopen',
    description: 'fsopen flags FSOPEN_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^FSOPEN_[A-Z0-9_]+$/],
  },
  {
    id: 'fsmount',
    description: 'fsmount flags FSMOUNT_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^FSMOUNT_[A-Z0-9_]+$/],
  },
  {
    id: 'fspick',
    description: 'fspick flags FSPICK_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^FSPICK_[A-Z0-9_]+$/],
  },
  {
    id: 'fsconfig',
    description: 'fsconfig commands FSCONFIG_*',
    units: [['fcntl.h', 'linux/mount.h'], ['sys/mount.h']],
    match: [/^FSCONFIG_[A-Z0-9_]+$/],
  },
  {
    id: 'af',
    description: 'socket address families AF_*',
    units: [['sys/socket.h']],
    match: [/^AF_[A-Z0-9_]+$/],
  },
  {
    id: 'pf',
    description: 'socket protocol families PF_*',
    units: [['sys/socket.h']],
    match: [/^PF_[A-Z0-9_]+$/],
  },
  {
    id: 'sock',
    description: 'socket types and flags SOCK_*',
    units: [['sys/socket.h']],
    match: [/^SOCK_[A-Z0-9_]+$/],
  },
  {
    id: 'sol',
    description: 'socket option levels SOL_*',
    units: [['sys/socket.h', 'netinet/in.h']],
    match: [/^SOL_[A-Z0-9_]+$/],
  },
  {
    id: 'so',
    description: 'SOL_SOCKET options SO_*',
    units: [['sys/socket.h']],
    match: [/^SO_[A-Z0-9_]+$/],
  },
  {
    id: 'ipproto',
    description: 'IP protocols IPPROTO_*',
    units: [['netinet/in.h']],
    match: [/^IPPROTO_[A-Z0-9_]+$/],
  },
  {
    id: 'ip_sockopt',
    description: 'IPPROTO_IP socket options IP_*',
    units: [['netinet/in.h']],
    match: [/^IP_[A-Z0-9_]+$/],
  },
  {
    id: 'ipv6_sockopt',
    description: 'IPPROTO_IPV6 socket options IPV6_*',
    units: [['netinet/in.h']],
    match: [/^IPV6_[A-Z0-9_]+$/],
  },
  {
    id: 'tcp_sockopt',
    description: 'IPPROTO_TCP socket options TCP_*',
    units: [['netinet/tcp.h']],
    match: [/^TCP_[A-Z0-9_]+$/],
  },
  {
    id: 'msg',
    description: 'send/recv flags MSG_*',
    units: [['sys/socket.h']],
    match: [/^MSG_[A-Z0-9_]+$/],
  },
  {
    id: 'shut',
    description: 'shutdown how SHUT_*',
    units: [['sys/socket.h']],
    match: [/^SHUT_[A-Z0-9_]+$/],
  },
  {
    id: 'netlink',
    description: 'netlink protocols and socket options NETLINK_*',
    units: [['linux/netlink.h']],
    match: [/^NETLINK_[A-Z0-9_]+$/],
  },
  {
    id: 'clone',
    description: 'clone/unshare/setns flags CLONE_* and CSIGNAL',
    units: [['sched.h'], ['linux/sched.h']],
    match: [/^CLONE_[A-Z0-9_]+$/],
    names: ['CSIGNAL'],
  },
  {
    id: 'sched',
    description: 'scheduling policies and sched_setattr flags SCHED_*',
    units: [['sched.h'], ['linux/sched.h']],
    match: [/^SCHED_[A-Z0-9_]+$/],
  },
  {
    id: 'idtype',
    description: 'waitid idtype P_*',
    units: [['sys/wait.h'], ['linux/wait.h']],
    names: ['P_ALL', 'P_PID', 'P_PGID', 'P_PIDFD'],
  },
  {
    id: 'wait',
    description: 'wait4/waitid options',
    units: [['sys/wait.h']],
    names: ['WNOHANG', 'WUNTRACED', 'WSTOPPED', 'WEXITED', 'WCONTINUED', 'WNOWAIT'],
  },
  {
    id: 'pidfd',
    description: 'pidfd_open flags PIDFD_*',
    units: [['linux/pidfd.h']],
    match: [/^PIDFD_[A-Z0-9_]+$/],
  },
  {
    id: 'prctl',
    description: 'prctl options and arguments PR_*',
    units: [['sys/prctl.h']],
    match: [/^PR_[A-Z0-9_]+$/],
  },
  {
    id: 'arch_prctl',
    description: 'arch_prctl codes ARCH_*',
    units: [['asm/prctl.h']],
    match: [/^ARCH_[A-Z0-9_]+$/],
  },
  {
    id: 'personality',
    description: 'personality(2) domains PER_* and flags',
    units: [['sys/personality.h'], ['linux/personality.h']],
    match: [/^PER_[A-Z0-9_]+$/],
    names: [
      'UNAME26',
      'ADDR_NO_RANDOMIZE',
      'FDPIC_FUNCPTRS',
      'MMAP_PAGE_ZERO',
      'ADDR_COMPAT_LAYOUT',
      'READ_IMPLIES_EXEC',
      'ADDR_LIMIT_32BIT',
      'SHORT_INODE',
      'WHOLE_SECONDS',
      'STICKY_TIMEOUTS',
      'ADDR_LIMIT_3GB',
    ],
  },
  {
    id: 'ptrace',
    description: 'ptrace requests and options PTRACE_*',
    units: [['linux/ptrace.h'], ['sys/ptrace.h']],
    match: [/^PTRACE_[A-Z0-9_]+$/],
  },
  {
    id: 'capability',
    description: 'capability numbers CAP_*',
    units: [['linux/capability.h']],
    match: [/^CAP_[A-Z0-9_]+$/],
  },
  {
    id: 'rlimit',
    description: 'resource limits RLIMIT_*',
    units: [['sys/resource.h']],
    match: [/^RLIMIT_[A-Z0-9_]+$/],
  },
  {
    id: 'rusage',
    description: 'getrusage who RUSAGE_*',
    units: [['sys/resource.h']],
    match: [/^RUSAGE_[A-Z0-9_]+$/],
  },
  {
    id: 'prio',
    description: 'getpriority/setpriority which PRIO_*',
    units: [['sys/resource.h']],
    match: [/^PRIO_[A-Z0-9_]+$/],
  },
  {
    id: 'ioprio',
    description: 'ioprio_get/ioprio_set IOPRIO_*',
    units: [['linux/ioprio.h']],
    match: [/^IOPRIO_[A-Z0-9_]+$/],
  },
  {
    id: 'clock',
    description: 'clock ids CLOCK_* and TIMER_ABSTIME',
    units: [['time.h']],
    match: [/^CLOCK_[A-Z0-9_]+$/],
    names: ['TIMER_ABSTIME'],
  },
  {
    id: 'itimer',
    description: 'getitimer/setitimer which ITIMER_*',
    units: [['sys/time.h']],
    match: [/^ITIMER_[A-Z0-9_]+$/],
  },
  {
    id: 'sigprocmask',
    description: 'sigprocmask how',
    units: [['signal.h']],
    names: ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'],
  },
  {
    id: 'futex',
    description: 'futex operations and flags FUTEX_*',
    units: [['linux/futex.h']],
    match: [/^FUTEX_[A-Z0-9_]+$/],
  },
  {
    id: 'eventfd',
    description: 'eventfd flags EFD_*',
    units: [['sys/eventfd.h']],
    match: [/^EFD_[A-Z0-9_]+$/],
  },
  {
    id: 'timerfd',
    description: 'timerfd flags TFD_*',
    units: [['sys/timerfd.h']],
    match: [/^TFD_[A-Z0-9_]+$/],
  },
  {
    id: 'signalfd',
    description: 'signalfd flags SFD_*',
    units: [['sys/signalfd.h']],
    match: [/^SFD_[A-Z0-9_]+$/],
  },
  {
    id: 'epoll',
    description: 'epoll flags, ctl operations and events EPOLL*',
    units: [['sys/epoll.h']],
    match: [/^EPOLL[A-Z0-9_]+$/],
  },
  {
    id: 'inotify',
    description: 'inotify flags and event masks IN_*',
    units: [['sys/inotify.h']],
    match: [/^IN_[A-Z0-9_]+$/],
  },
  {
    id: 'getrandom',
    description: 'getrandom flags GRND_*',
    units: [['sys/random.h']],
    match: [/^GRND_[A-Z0-9_]+$/],
  },
  {
    id: 'membarrier',
    description: 'membarrier commands MEMBARRIER_CMD_*',
    units: [['linux/membarrier.h']],
    match: [/^MEMBARRIER_CMD_[A-Z0-9_]+$/],
  },
  {
    id: 'kcmp',
    description: 'kcmp types KCMP_*',
    units: [['linux/kcmp.h']],
    match: [/^KCMP_[A-Z0-9_]+$/],
  },
  {
    id: 'ipc',
    description: 'System V IPC flags and commands IPC_*',
    units: [['sys/ipc.h']],
    match: [/^IPC_[A-Z0-9_]+$/],
  },
  {
    id: 'reboot',
    description: 'reboot magic numbers and commands LINUX_REBOOT_*',
    units: [['linux/reboot.h']],
    match: [/^LINUX_REBOOT_[A-Z0-9_]+$/],
  },
  {
    id: 'keyctl',
    description: 'keyctl operations KEYCTL_*',
    units: [['linux/keyctl.h']],
    match: [/^KEYCTL_[A-Z0-9_]+$/],
  },
  {
    id: 'key_spec',
    description: 'special key serial numbers KEY_SPEC_* and KEY_REQKEY_DEFL_*',
    units: [['linux/keyctl.h']],
    match: [/^KEY_SPEC_[A-Z0-9_]+$/, /^KEY_REQKEY_DEFL_[A-Z0-9_]+$/],
  },
  {
    id: 'seccomp',
    description: 'seccomp operations, flags and return actions SECCOMP_*',
    units: [['linux/seccomp.h']],
    match: [/^SECCOMP_[A-Z0-9_]+$/],
    exclude: [/^SECCOMP_IOCTL_/],
  },
  {
    id: 'audit_arch',
    description: 'seccomp_data.arch values AUDIT_ARCH_*',
    units: [['linux/audit.h']],
    match: [/^AUDIT_ARCH_[A-Z0-9_]+$/],
  },
  {
    id: 'landlock',
    description: 'Landlock flags and access rights LANDLOCK_*',
    units: [['linux/landlock.h']],
    match: [/^LANDLOCK_[A-Z0-9_]+$/],
  },
  {
    id: 'perf',
    description: 'perf_event_open flags PERF_FLAG_*',
    units: [['linux/perf_event.h']],
    match: [/^PERF_FLAG_[A-Z0-9_]+$/],
  },
  {
    id: 'uffd',
    description: 'userfaultfd flags, features and modes UFFD_*',
    units: [['linux/userfaultfd.h']],
    match: [/^UFFD_[A-Z0-9_]+$/, /^UFFDIO_[A-Z0-9_]*_MODE_[A-Z0-9_]+$/],
    // UFFD_API_IOCTLS & co. are 64-bit masks reported in struct uffdio_api,
    // never syscall arguments.
    exclude: [/_IOCTLS/],
  },
  // ---- ioctl requests (unsigned 32-bit request numbers) ----
  {
    id: 'ioctl_tty',
    description: 'terminal and generic file ioctls TC*/TIOC*/FIO*',
    units: [['sys/ioctl.h', 'linux/serial.h'], ['asm/termbits.h', 'asm/ioctls.h', 'linux/serial.h']],
    match: [
      /^TCGET[A-Z0-9]*$/,
      /^TCSET[A-Z0-9]*$/,
      /^TCSBRKP?$/,
      /^TCXONC$/,
      /^TCFLSH$/,
      /^TIOC[A-Z0-9]+$/,
      /^FIO[A-Z0-9]+$/,
    ],
    ioctl: true,
  },
  {
    id: 'ioctl_fs',
    description: 'file system ioctls FS_IOC_*, FICLONE, FIDEDUPERANGE, ... (<linux/fs.h>)',
    units: [['stddef.h', 'linux/fs.h', 'linux/fiemap.h']],
    match: [/^FS_IOC(32)?_[A-Z0-9_]+$/, /^FI[A-Z0-9]+$/],
    ioctl: true,
  },
  {
    id: 'ioctl_blk',
    description: 'block device ioctls BLK*',
    units: [['stddef.h', 'linux/fs.h', 'linux/blktrace_api.h']],
    match: [/^BLK[A-Z0-9]+$/],
    ioctl: true,
  },
  {
    id: 'ioctl_sock',
    description: 'socket ioctls SIOC*',
    units: [['sys/ioctl.h', 'linux/sockios.h']],
    match: [/^SIOC[A-Z0-9_]+$/],
    ioctl: true,
  },
  {
    id: 'ioctl_nsfs',
    description: 'namespace fd ioctls NS_GET_*',
    units: [['sys/ioctl.h', 'linux/nsfs.h']],
    match: [/^NS_GET_[A-Z0-9_]+$/],
    ioctl: true,
  },
  {
    id: 'ioctl_seccomp',
    description: 'seccomp user-notification ioctls SECCOMP_IOCTL_NOTIF_*',
    units: [['sys/ioctl.h', 'linux/seccomp.h']],
    match: [/^SECCOMP_IOCTL_[A-Z0-9_]+$/],
    ioctl: true,
  },
  {
    id: 'ioctl_perf',
    description: 'perf event ioctls PERF_EVENT_IOC_*',
    units: [['sys/ioctl.h', 'linux/perf_event.h']],
    match: [/^PERF_EVENT_IOC_[A-Z0-9_]+$/],
    ioctl: true,
  },
  {
    id: 'ioctl_uffd',
    description: 'userfaultfd ioctls UFFDIO_*',
    units: [['sys/ioctl.h', 'linux/userfaultfd.h']],
    match: [/^UFFDIO_[A-Z0-9_]+$/],
    exclude: [/_MODE_/],
    ioctl: true,
  },
];

// ---------------------------------------------------------------------------
// Process helpers
// ---------------------------------------------------------------------------

/**
 * @param {string} file
 * @param {string[]} args
 * @param {{ cwd?: string, input?: string }} [opts]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function run(file, args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: opts.cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolvePromise({ code: err ? /** @type {number} */ (err.code) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Simple concurrency limiter. */
function limiter(max) {
  let active = 0;
  /** @type {(() => void)[]} */
  const queue = [];
  return async function limit(fn) {
    if (active >= max) await new Promise((r) => queue.push(() => r(undefined)));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

const limit = limiter(Math.max(2, Math.min(16, cpus().length)));
const TMP = mkdtempSync(join(tmpdir(), 'seccompile-gen-constants-'));
let fileCounter = 0;
function tmpName(stem) {
  fileCounter++;
  return join(TMP, `${stem}-${fileCounter}`);
}

/** Prologue of every translation unit. */
function prologue(headers) {
  return ['#define _GNU_SOURCE 1', ...headers.map((h) => `#include <${h}>`), ''].join('\n');
}

// ---------------------------------------------------------------------------
// Candidate discovery
// ---------------------------------------------------------------------------

/** Object-like macro names from `gcc -E -dM`. */
function parseMacroNames(text) {
  const names = new Set();
  for (const line of text.split('\n')) {
    const m = /^#define ([A-Za-z_][A-Za-z0-9_]*)(\(?)/.exec(line);
    if (m && m[2] === '' && m[1] !== undefined) names.add(m[1]);
  }
  return names;
}

/** Enumerator names from preprocessed C source (`gcc -E`). */
function parseEnumerators(text) {
  const src = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  const names = new Set();
  const re = /\benum\b\s*(?:__attribute__\s*\(\([^)]*\)\)\s*)?(?:[A-Za-z_][A-Za-z0-9_]*\s*)?(?::[^{;]*)?\{/g;
  let m;
  while ((m = re.exec(src)) !== null) {
    let i = re.lastIndex;
    let depth = 0;
    let start = i;
    const items = [];
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) {
        items.push(src.slice(start, i));
        start = i + 1;
      }
    }
    items.push(src.slice(start, i));
    for (const item of items) {
      const id = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(item);
      if (id && id[1] !== undefined) names.add(id[1]);
    }
    re.lastIndex = i;
  }
  return names;
}

/**
 * Preprocess a unit and return every macro/enumerator name it defines,
 * or null when the headers are not available.
 */
async function unitNames(headers) {
  const src = prologue(headers);
  const [dm, pp] = await Promise.all([
    limit(() => run(CC, [...CC_FLAGS, '-std=gnu11', '-E', '-dM', '-x', 'c', '-'], { input: src })),
    limit(() => run(CC, [...CC_FLAGS, '-std=gnu11', '-E', '-P', '-x', 'c', '-'], { input: src })),
  ]);
  if (dm.code !== 0 || pp.code !== 0) {
    warn(`headers ${headers.join(', ')} not usable, skipping: ${firstLine(dm.stderr || pp.stderr)}`);
    return null;
  }
  const names = parseMacroNames(dm.stdout);
  for (const n of parseEnumerators(pp.stdout)) names.add(n);
  return names;
}

// ---------------------------------------------------------------------------
// Integer-constant filtering
// ---------------------------------------------------------------------------

/**
 * Compile-check `names` in one batch; return the set of indices whose line
 * produced an error, or null when an error could not be attributed to a line.
 */
async function checkBatch(headers, names) {
  const head = prologue(headers);
  const firstLine0 = head.split('\n').length; // 1-based line of names[0]
  const body = names.map((n) => `_Static_assert((~(${n})) || 1, "${n}");`).join('\n');
  const file = `${tmpName('check')}.c`;
  writeFileSync(file, `${head}${body}\n`);
  const res = await limit(() => run(CC, [...CC_FLAGS, ...CHECK_FLAGS, file], { cwd: TMP }));
  if (res.code === 0) return new Set();
  // Errors on candidate lines are attributed to that candidate; any other
  // error (in a header, or no location at all) makes the caller bisect once
  // the attributable ones are gone.
  const bad = new Set();
  for (const line of res.stderr.split('\n')) {
    const m = /^(.*?):(\d+):(?:\d+:)? (?:fatal )?error: /.exec(line);
    if (!m || m[1] !== file) continue;
    const idx = Number(m[2]) - firstLine0;
    if (idx >= 0 && idx < names.length) bad.add(idx);
  }
  return bad.size === 0 ? null : bad;
}

/** Return the subset of `names` that are integer constant expressions. */
async function filterIntegerConstants(headers, names, depth = 0) {
  let good = [...names];
  const rejected = [];
  for (;;) {
    if (good.length === 0) break;
    const bad = await checkBatch(headers, good);
    if (bad === null) {
      // Unattributable error: bisect.
      if (good.length === 1) {
        rejected.push(...good);
        good = [];
        break;
      }
      const mid = good.length >> 1;
      const [a, b] = await Promise.all([
        filterIntegerConstants(headers, good.slice(0, mid), depth + 1),
        filterIntegerConstants(headers, good.slice(mid), depth + 1),
      ]);
      return [...a, ...b];
    }
    if (bad.size === 0) break;
    rejected.push(...good.filter((_, i) => bad.has(i)));
    good = good.filter((_, i) => !bad.has(i));
  }
  // Re-check rejected names on their own so that an error cascading from a
  // neighbouring line cannot remove a good constant.
  if (rejected.length > 0 && rejected.length < names.length && depth < 3) {
    const rescued = await filterIntegerConstants(headers, rejected, depth + 1);
    if (rescued.length > 0) {
      const all = new Set([...good, ...rescued]);
      return names.filter((n) => all.has(n));
    }
  }
  if (VERBOSE && depth === 0 && rejected.length > 0) {
    log(`  [${headers.join(' ')}] not integer constants: ${rejected.join(' ')}`);
  }
  return good;
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/**
 * Every name's value, read from the assembly the compiler makes of a table of them (two 32-bit
 * words each, low first), so that a cross compiler's values need no emulator to be printed.
 */
async function evaluate(headers, names) {
  if (names.length === 0) return new Map();
  const stem = tmpName('eval');
  const word = (n, shift) => `(unsigned int)(((unsigned long long)(long long)(${n})) >> ${shift})`;
  const lines = [
    prologue(headers),
    'const unsigned int seccompile_values[] = {',
    ...names.map((n) => `  ${word(n, 0)}, ${word(n, 32)},`),
    '};',
    '',
  ];
  writeFileSync(`${stem}.c`, lines.join('\n'));
  const cc = await limit(() => run(CC, [...CC_FLAGS, '-std=gnu11', '-w', '-O0', '-S', '-o', `${stem}.s`, `${stem}.c`], { cwd: TMP }));
  if (cc.code !== 0) throw new Error(`cannot compile value table for ${headers.join(', ')}:\n${cc.stderr}`);
  const asm = readFileSync(`${stem}.s`, 'utf8');
  const body = asm.slice(asm.indexOf('seccompile_values:'));
  const words = [...body.matchAll(/^\s*\.(?:long|word|4byte)\s+(-?(?:0x[0-9a-fA-F]+|\d+))\s*$/gm)].map((m) => BigInt.asUintN(32, BigInt(m[1])));
  if (words.length < 2 * names.length) throw new Error(`value table for ${headers.join(', ')}: ${words.length} words for ${names.length} names`);
  /** @type {Map<string, bigint>} */
  const values = new Map();
  names.forEach((name, i) => values.set(name, BigInt.asIntN(64, (words[2 * i + 1] << 32n) | words[2 * i])));
  return values;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

const warnings = [];
function warn(msg) {
  warnings.push(msg);
  process.stderr.write(`warning: ${msg}\n`);
}
function log(msg) {
  process.stderr.write(`${msg}\n`);
}
function firstLine(s) {
  return (s.split('\n').find((l) => /error/.test(l)) ?? s.split('\n')[0] ?? '').trim();
}

function familyCandidates(family, available) {
  const out = new Set();
  for (const name of available) {
    if (!NAME_RE.test(name)) continue;
    if (!(family.match ?? []).some((re) => re.test(name))) continue;
    out.add(name);
  }
  for (const name of family.names ?? []) out.add(name);
  for (const name of [...out]) {
    if (!NAME_RE.test(name) || (family.exclude ?? []).some((re) => re.test(name))) out.delete(name);
  }
  return [...out].sort();
}

/** Evaluate one (family, unit) pair. */
async function evalFamilyUnit(family, headers, namesCache) {
  const key = headers.join('\0');
  let available = namesCache.get(key);
  if (available === undefined) {
    available = unitNames(headers);
    namesCache.set(key, available);
  }
  const names = await available;
  if (names === null) return new Map();
  const candidates = familyCandidates(family, names);
  const constants = await filterIntegerConstants(headers, candidates);
  const values = await evaluate(headers, constants);
  /** @type {Map<string, bigint>} */
  const out = new Map();
  for (const [name, raw] of values) {
    let v = raw;
    if (family.ioctl) v = BigInt.asUintN(32, v);
    if (family.range && (v < family.range[0] || v > family.range[1])) {
      if (VERBOSE) log(`  [${family.id}] ${name}=${v} out of range, dropped`);
      continue;
    }
    out.set(name, v);
  }
  return out;
}

async function toolVersions() {
  const lines = [];
  const gcc = await run(CC, [...CC_FLAGS, '--version']).catch(() => null);
  lines.push(`${CC}: ${gcc?.stdout.split('\n')[0]?.trim() || 'unknown'}`);
  const dpkg = await run('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...TARGET.packages]).catch(
    () => null,
  );
  if (dpkg && dpkg.code === 0 && dpkg.stdout.trim() !== '') {
    for (const l of dpkg.stdout.trim().split('\n').sort()) lines.push(`package: ${l.trim()}`);
  } else {
    const libc = await run('getconf', ['GNU_LIBC_VERSION']).catch(() => null);
    if (libc && libc.code === 0) lines.push(`libc: ${libc.stdout.trim()}`);
    const ver = await run(CC, [...CC_FLAGS, '-E', '-dM', '-x', 'c', '-'], { input: '#include <linux/version.h>\n' }).catch(() => null);
    const code = /#define LINUX_VERSION_CODE (\d+)/.exec(ver?.stdout ?? '');
    if (code && code[1] !== undefined) {
      const n = Number(code[1]);
      lines.push(`linux headers: ${n >> 16}.${(n >> 8) & 255}.${n & 255}`);
    }
  }
  return lines;
}

/** A value as the tables write it (without the bigint suffix n): decimal, or hex from 0x1000 on. */
function formatValue(family, v) {
  if (family.id === 'errno' || family.id === 'signal') return `${v}`;
  if (v >= 0x1000n) return `0x${v.toString(16)}`;
  return `${v}`;
}

async function main() {
  const namesCache = new Map();
  const results = await Promise.all(
    FAMILIES.map((family) => Promise.all(family.units.map((headers) => evalFamilyUnit(family, headers, namesCache)))),
  );

  /** @type {Map<string, { value: bigint, family: string, where: string }>} */
  const merged = new Map();
  const conflicts = [];
  /** @type {{ name: string, value: bigint, family: (typeof FAMILIES)[number] }[]} */
  const entries = [];
  FAMILIES.forEach((family, fi) => {
    family.units.forEach((headers, ui) => {
      const values = results[fi]?.[ui];
      if (!values) return;
      for (const name of [...values.keys()].sort()) {
        const value = /** @type {bigint} */ (values.get(name));
        const where = `${family.id} <${headers.join('> <')}>`;
        const prev = merged.get(name);
        if (prev) {
          if (prev.value !== value) {
            const msg = `${name}: ${prev.value} from ${prev.where} vs ${value} from ${where}; keeping ${prev.value}`;
            conflicts.push(msg);
            warn(`value conflict ${msg}`);
          }
          continue;
        }
        merged.set(name, { value, family: family.id, where });
        entries.push({ name, value, family });
      }
    });
  });

  const familyOrder = new Map(FAMILIES.map((f, i) => [f.id, i]));
  entries.sort((a, b) => {
    const fa = /** @type {number} */ (familyOrder.get(a.family.id));
    const fb = /** @type {number} */ (familyOrder.get(b.family.id));
    if (fa !== fb) return fa - fb;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });

  const counts = new Map(FAMILIES.map((f) => [f.id, 0]));
  for (const e of entries) counts.set(e.family.id, (counts.get(e.family.id) ?? 0) + 1);
  const present = FAMILIES.filter((f) => (counts.get(f.id) ?? 0) > 0);
  for (const f of FAMILIES) if ((counts.get(f.id) ?? 0) === 0) warn(`family ${f.id} has no constants, omitted`);

  const allHeaders = [];
  for (const f of present) for (const u of f.units) for (const h of u) if (!allHeaders.includes(h)) allHeaders.push(h);

  const versions = await toolVersions();
  if (ARCH !== 'x86_64') {
    writeDifferences(entries, versions);
    return;
  }
  const out = [];
  out.push(`// ${OUT_REL}`);
  out.push('//');
  out.push(`// GENERATED FILE - DO NOT EDIT. Regenerate with: node ${SCRIPT_REL}`);
  out.push('//');
  out.push('// Named constants for seccomp policies, evaluated by compiling and running');
  out.push('// small C programs against the x86-64 system headers. Re-running the script');
  out.push('// is deterministic: the table changes only when the headers (or the script) change.');
  out.push('//');
  out.push('// Generated with:');
  for (const l of versions) out.push(`//   ${l}`);
  out.push('//');
  out.push('// Headers (each family is compiled in its own translation units):');
  for (let i = 0; i < allHeaders.length; i += 6) {
    out.push(`//   ${allHeaders.slice(i, i + 6).map((h) => `<${h}>`).join(' ')}`);
  }
  out.push('//');
  out.push(`// ${entries.length} constants in ${present.length} families.`);
  out.push('');
  out.push('export interface ConstantFamily {');
  out.push('  readonly id: string;');
  out.push('  readonly description: string;');
  out.push('  readonly headers: readonly string[];');
  out.push('}');
  out.push('');
  out.push('export const CONSTANT_FAMILIES: readonly ConstantFamily[] = [');
  for (const f of present) {
    const hs = [];
    for (const u of f.units) for (const h of u) if (!hs.includes(h)) hs.push(h);
    out.push(
      `  { id: ${JSON.stringify(f.id)}, description: ${JSON.stringify(f.description)}, headers: [${hs
        .map((h) => JSON.stringify(h))
        .join(', ')}] },`,
    );
  }
  out.push('];');
  out.push('');
  out.push('// A row a line: name, value, family id (tab-separated), in family order, then by name.');
  out.push('// A function returning text: a command that looks no constant up never compiles or parses the');
  out.push('// rows, and src/constants/index.ts indexes them by name without building every constant.');
  out.push('export function constantRows(): string {');
  out.push('  return `');
  for (const e of entries) out.push(`${e.name}\\t${formatValue(e.family, e.value)}\\t${e.family.id}`);
  out.push('`;');
  out.push('}');
  out.push('');
  writeFileSync(OUT_FILE, out.join('\n'));

  log(`wrote ${OUT_REL}: ${entries.length} constants in ${present.length} families`);
  for (const f of FAMILIES) log(`  ${f.id.padEnd(18)} ${counts.get(f.id) ?? 0}`);
  if (conflicts.length > 0) log(`${conflicts.length} value conflict(s) (first value kept)`);
}

/**
 * Another architecture's table is written as its differences from the committed x86-64 table;
 * errno and signal numbers must not differ (src/constants/index.ts names them for every target).
 */
function writeDifferences(entries, versions) {
  const base = new Map();
  for (const m of readFileSync(OUT_FILE, 'utf8').matchAll(/^([A-Z0-9_]+)\\t(-?(?:0x)?[0-9a-f]+)\\t([a-z0-9_]+)$/gm)) {
    base.set(m[1], { value: BigInt(m[2]), family: m[3] });
  }
  const own = new Map(entries.map((e) => [e.name, e]));
  const changed = entries.filter((e) => base.has(e.name) && base.get(e.name).value !== e.value);
  const added = entries.filter((e) => !base.has(e.name));
  const missing = [...base.keys()].filter((name) => !own.has(name));
  const shared = changed.filter((e) => e.family.id === 'errno' || e.family.id === 'signal');
  if (shared.length > 0) throw new Error(`${ARCH}: errno or signal numbers differ from x86-64 (${shared.map((e) => e.name).join(', ')})`);
  const file = join(ROOT, 'src', 'constants', 'arch', `${ARCH}.generated.ts`);
  const value = (e) => `${formatValue(e.family, e.value)}n`;
  const out = [
    `// src/constants/arch/${ARCH}.generated.ts`,
    '//',
    `// GENERATED FILE - DO NOT EDIT. Regenerate with: node ${SCRIPT_REL} --arch ${ARCH}`,
    '//',
    `// How the named constants of ${ARCH} differ from x86-64's (table.generated.ts): evaluated by`,
    `// compiling the same families against ${ARCH}'s C library and kernel headers.`,
    '//',
    '// Generated with:',
    ...versions.map((l) => `//   ${l}`),
    '//',
    `// ${changed.length} values differ, ${missing.length} names are missing, ${added.length} are ${ARCH}'s own.`,
    '',
    "import type { ConstantDifferences } from '../index.ts';",
    '',
    'export const DIFFERENCES: ConstantDifferences = {',
    '  changed: [',
    ...changed.map((e) => `    [${JSON.stringify(e.name)}, ${value(e)}],`),
    '  ],',
    '  missing: [',
    ...missing.map((name) => `    ${JSON.stringify(name)},`),
    '  ],',
    '  added: [',
    ...added.map((e) => `    [${JSON.stringify(e.name)}, ${value(e)}, ${JSON.stringify(e.family.id)}],`),
    '  ],',
    '};',
    '',
  ];
  writeFileSync(file, out.join('\n'));
  log(`wrote src/constants/arch/${ARCH}.generated.ts: ${changed.length} changed, ${missing.length} missing, ${added.length} added`);
}

try {
  await main();
} finally {
  rmSync(TMP, { recursive: true, force: true });
}
