// Syscalls that do the same job as another: filtering one while leaving the other open lets a
// program (or an attacker's code) go around the filter. Sources: the man pages of each pair;
// docs/lint-rules.md#equivalent-syscall-open has the rationale.

export interface Equivalence {
  /** The syscall the policy filters. */
  readonly filtered: string;
  /** Syscalls that do the same and must not be left open. */
  readonly alternatives: readonly string[];
  /**
   * `filtered`: the rule applies when some calls of `filtered` are refused (conditions or
   * refusals); `refused`: only when every call of it is refused (the alternative does less, so
   * it matters only when the whole job is forbidden).
   */
  readonly when: 'filtered' | 'refused';
  /** What the alternatives do, as a verb phrase (`runs programs`), for the message. */
  readonly why: string;
}

const NEW_MOUNT_API = ['fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr'];

export const EQUIVALENCES: readonly Equivalence[] = [
  // execveat(2): "execveat(dirfd, pathname, ...) is execve of pathname relative to dirfd".
  { filtered: 'execve', alternatives: ['execveat'], when: 'filtered', why: 'runs programs' },
  { filtered: 'execveat', alternatives: ['execve'], when: 'filtered', why: 'runs programs' },
  // open(2): open is openat with AT_FDCWD; creat is open with O_CREAT|O_WRONLY|O_TRUNC;
  // openat2 passes its flags in a struct the filter cannot read.
  { filtered: 'open', alternatives: ['openat', 'openat2'], when: 'filtered', why: 'opens files' },
  { filtered: 'openat', alternatives: ['open', 'openat2', 'creat'], when: 'filtered', why: 'opens files' },
  // clone3(2) passes its flags in struct clone_args: a filter cannot check them.
  { filtered: 'clone', alternatives: ['clone3'], when: 'filtered', why: 'creates processes and threads' },
  { filtered: 'clone', alternatives: ['fork', 'vfork'], when: 'refused', why: 'creates processes' },
  // The new mount API (Linux 5.2) does what mount(2) does, in steps.
  { filtered: 'mount', alternatives: NEW_MOUNT_API, when: 'refused', why: 'mounts filesystems' },
  ...NEW_MOUNT_API.filter((name) => name !== 'mount_setattr').map((name): Equivalence => ({ filtered: name, alternatives: ['mount'], when: 'refused', why: 'mounts filesystems' })),
  { filtered: 'kexec_load', alternatives: ['kexec_file_load'], when: 'refused', why: 'loads a new kernel' },
  { filtered: 'kexec_file_load', alternatives: ['kexec_load'], when: 'refused', why: 'loads a new kernel' },
  { filtered: 'init_module', alternatives: ['finit_module'], when: 'refused', why: 'loads kernel modules' },
  { filtered: 'finit_module', alternatives: ['init_module'], when: 'refused', why: 'loads kernel modules' },
  // The *at variants do what the path-based calls do, relative to a directory fd.
  { filtered: 'unlink', alternatives: ['unlinkat'], when: 'refused', why: 'removes files' },
  { filtered: 'rmdir', alternatives: ['unlinkat'], when: 'refused', why: 'removes directories (with AT_REMOVEDIR)' },
  { filtered: 'unlinkat', alternatives: ['unlink', 'rmdir'], when: 'refused', why: 'removes files and directories' },
  { filtered: 'rename', alternatives: ['renameat', 'renameat2'], when: 'refused', why: 'renames files' },
  { filtered: 'renameat', alternatives: ['rename', 'renameat2'], when: 'refused', why: 'renames files' },
  { filtered: 'chmod', alternatives: ['fchmodat', 'fchmodat2'], when: 'refused', why: 'changes file modes' },
  { filtered: 'fchmodat', alternatives: ['chmod', 'fchmodat2'], when: 'refused', why: 'changes file modes' },
  { filtered: 'chown', alternatives: ['lchown', 'fchownat'], when: 'refused', why: 'changes file owners' },
  { filtered: 'fchownat', alternatives: ['chown', 'lchown'], when: 'refused', why: 'changes file owners' },
  { filtered: 'link', alternatives: ['linkat'], when: 'refused', why: 'creates hard links' },
  { filtered: 'symlink', alternatives: ['symlinkat'], when: 'refused', why: 'creates symbolic links' },
  { filtered: 'mknod', alternatives: ['mknodat'], when: 'refused', why: 'creates device nodes' },
  { filtered: 'dup2', alternatives: ['dup3'], when: 'filtered', why: 'duplicates a descriptor onto a chosen number' },
];

/**
 * The allow-list's side: a syscall a program names in its source, and the syscalls the C library
 * makes for it. Allowing the first without any of the second lets nothing through: the program's
 * call fails. Sources: glibc's Linux wrappers (sysdeps/unix/sysv/linux/): open64.c and creat64.c
 * call openat (since 2.26), stat64.c, lstat64.c and fstat64.c call fstatat64, which is newfstatat
 * on x86-64 (since 2.33; statx where the kernel's stat layout is not the C library's),
 * readdir64.c and getdents64.c call getdents64, eventfd.c calls eventfd2 and signalfd.c signalfd4.
 */
export interface LibraryEquivalence {
  /** The syscall the program's source names. */
  readonly named: string;
  /** What the C library calls instead; any one of them lets the call through. */
  readonly calls: readonly string[];
  /** Which C library functions, since when. */
  readonly why: string;
}

export const LIBRARY_EQUIVALENCES: readonly LibraryEquivalence[] = [
  { named: 'open', calls: ['openat'], why: 'glibc 2.26 and later make open() and fopen() with openat' },
  { named: 'creat', calls: ['openat'], why: 'glibc 2.26 and later make creat() with openat' },
  { named: 'stat', calls: ['newfstatat', 'statx'], why: 'glibc 2.33 and later make stat() with newfstatat (fstatat)' },
  { named: 'lstat', calls: ['newfstatat', 'statx'], why: 'glibc 2.33 and later make lstat() with newfstatat (fstatat)' },
  { named: 'fstat', calls: ['newfstatat', 'statx'], why: 'glibc 2.33 and later make fstat() with newfstatat (fstatat with AT_EMPTY_PATH)' },
  { named: 'getdents', calls: ['getdents64'], why: 'glibc\'s readdir() reads directories with getdents64' },
  { named: 'eventfd', calls: ['eventfd2'], why: 'glibc makes eventfd() with eventfd2' },
  { named: 'signalfd', calls: ['signalfd4'], why: 'glibc makes signalfd() with signalfd4' },
];
