// C text shared by the headers seccompile writes: the filter header of `--format c` (its installer)
// and the notify kit (`seccompile notify-kit`, seccompile_notify.h). Both contain this block under
// one include guard, so a program may include any number of them, in any order, in any number of
// translation units. Keep the block compatible across versions: an older copy may be the one that
// wins the guard.
//
// Design: the headers make their system calls themselves (x86-64 `syscall` instruction, GNU C inline
// assembly), so they need no feature-test macro (`syscall(2)` is hidden by glibc and musl under
// plain `-std=c99`), return -errno directly and never touch errno. Defining
// SECCOMPILE_USE_LIBC_SYSCALL before the include makes them call libc's syscall() instead; the
// includer must then define _GNU_SOURCE (or _DEFAULT_SOURCE) so that <unistd.h> declares it.

/** x86-64 system call numbers the headers use (arch/x86/entry/syscalls/syscall_64.tbl). */
const SYSCALL_NUMBERS: readonly (readonly [string, number])[] = [
  ['close', 3],
  ['ioctl', 16],
  ['pread64', 17],
  ['prctl', 157],
  ['openat', 257],
  ['process_vm_readv', 310],
  ['seccomp', 317],
];

/** Filter flags with the values of <linux/seccomp.h>, for headers too old to have them. */
const FILTER_FLAG_DEFINES: readonly (readonly [string, string])[] = [
  ['SECCOMP_FILTER_FLAG_TSYNC', '(1UL << 0)'],
  ['SECCOMP_FILTER_FLAG_LOG', '(1UL << 1)'],
  ['SECCOMP_FILTER_FLAG_SPEC_ALLOW', '(1UL << 2)'],
  ['SECCOMP_FILTER_FLAG_NEW_LISTENER', '(1UL << 3)'],
  ['SECCOMP_FILTER_FLAG_TSYNC_ESRCH', '(1UL << 4)'],
  ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', '(1UL << 5)'],
];

export function ifndefDefine(name: string, value: string): string {
  return `#ifndef ${name}\n#define ${name} ${value}\n#endif`;
}

/** The block itself; it ends with a newline. */
export const C_SUPPORT = `/* ---- seccompile support: shared by the headers seccompile writes, defined once ---- */
#ifndef SECCOMPILE_SUPPORT_H
#define SECCOMPILE_SUPPORT_H

#include <errno.h>
#include <linux/seccomp.h>

#if defined(__GNUC__)
#define SECCOMPILE_UNUSED __attribute__((unused))
#else
#define SECCOMPILE_UNUSED
#endif

/* Constants that older <linux/seccomp.h> lack, with the kernel's values. */
${ifndefDefine('SECCOMP_SET_MODE_FILTER', '1')}
${FILTER_FLAG_DEFINES.map(([name, value]) => ifndefDefine(name, value)).join('\n')}

#if defined(__x86_64__) && !defined(__ILP32__)
/* The helpers below are for processes built for x86-64 (not x32): they make x86-64 system calls. */
#define SECCOMPILE_X86_64 1
${SYSCALL_NUMBERS.map(([name, nr]) => `#define SECCOMPILE_NR_${name} ${nr}`).join('\n')}
#define SECCOMPILE_PR_SET_NO_NEW_PRIVS 38
#define SECCOMPILE_AT_FDCWD (-100)
#define SECCOMPILE_O_RDONLY 0
#define SECCOMPILE_O_CLOEXEC 02000000

#if defined(__GNUC__) && !defined(SECCOMPILE_USE_LIBC_SYSCALL)
/* A system call: the result, or -errno. errno is left alone. */
static inline long seccompile_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
\tlong ret;
\tregister long r10 __asm__("r10") = a4;
\tregister long r8 __asm__("r8") = a5;
\tregister long r9 __asm__("r9") = a6;

\t__asm__ __volatile__("syscall"
\t\t\t     : "=a"(ret)
\t\t\t     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
\t\t\t     : "rcx", "r11", "memory");
\treturn ret;
}
#else
/* libc's syscall(): define _GNU_SOURCE (or _DEFAULT_SOURCE) before any #include. Sets errno. */
#include <unistd.h>
static inline long seccompile_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
\tlong ret = syscall(nr, a1, a2, a3, a4, a5, a6);

\treturn ret == -1 ? -(long)errno : ret;
}
#endif
#endif /* x86-64 */

#endif /* SECCOMPILE_SUPPORT_H */
/* ---- end of seccompile support ---- */
`;
