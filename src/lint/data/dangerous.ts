// Syscalls that a sandboxed program should not get without argument conditions, and why. The
// rationale with links is in docs/lint-rules.md#dangerous-syscall; the sources are listed per entry.

export interface DangerousSyscall {
  /** Why it is dangerous, as the finding says it. */
  readonly reason: string;
  /**
   * Arguments (by index) a condition must test for the syscall to count as filtered. Absent: any
   * argument condition counts (the rule flags only syscalls allowed whatever their arguments).
   */
  readonly filterArgs?: readonly number[];
}

/**
 * clone(2) flags that create namespaces (a new user namespace gives an unprivileged process
 * capabilities over much more kernel code). CLONE_NEWTIME is left out: its bit is the exit
 * signal's in clone(2)'s flags, and only clone3 can ask for it.
 */
export const CLONE_NAMESPACE_FLAGS = ['CLONE_NEWNS', 'CLONE_NEWCGROUP', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWUSER', 'CLONE_NEWPID', 'CLONE_NEWNET'] as const;

const MOUNT = 'changes the mount table: with a user namespace, it reaches filesystem code that unprivileged users normally cannot (CVE-2022-0185 in fsconfig)';
const MODULES = 'loads code into the kernel';
const KEYS = 'uses the kernel keyring, which is not namespaced: containers share it, and it has had reference-count bugs (CVE-2016-0728)';
const IO_URING = 'io_uring bypasses seccomp for the operations it submits and was behind most kernel exploits in Google\'s kCTF (2023); Docker, ChromeOS and Android refuse it';

export const DANGEROUS_SYSCALLS: Readonly<Record<string, DangerousSyscall>> = {
  // ptrace(2); seccomp_filter.rst: before Linux 4.8 a tracer could change the syscall after the
  // filter ran (moby's profile allows ptrace only from 4.8); CVE-2019-13272 (PTRACE_TRACEME).
  ptrace: { reason: 'lets the process read and change other processes (and, before Linux 4.8, change a call after the filter checked it)' },
  // process_vm_readv(2): the same access checks as ptrace.
  process_vm_readv: { reason: 'reads the memory of other processes, like ptrace' },
  process_vm_writev: { reason: 'writes the memory of other processes, like ptrace' },
  // pidfd_getfd(2), Linux 5.6: PTRACE_MODE_ATTACH_REALCREDS.
  pidfd_getfd: { reason: 'takes file descriptors from other processes, with ptrace\'s permission' },
  // bpf(2): verifier bugs such as CVE-2021-3490, CVE-2021-31440, CVE-2022-23222; the
  // kernel.unprivileged_bpf_disabled sysctl exists for this reason.
  bpf: { reason: 'loads eBPF programs: verifier bugs have given root many times (CVE-2021-3490, CVE-2022-23222)' },
  // perf_event_open(2): CVE-2013-2094, CVE-2020-14351; kernel.perf_event_paranoid.
  perf_event_open: { reason: 'exposes the perf subsystem, a frequent source of kernel exploits (CVE-2013-2094) and of side channels' },
  // userfaultfd(2): vm.unprivileged_userfaultfd (Linux 5.2) was added because exploits use it to
  // stop the kernel in the middle of a copy from user memory and widen race windows.
  userfaultfd: { reason: 'lets exploits pause the kernel in the middle of a copy from user memory and win races (hence vm.unprivileged_userfaultfd)' },
  kexec_load: { reason: 'replaces the running kernel' },
  kexec_file_load: { reason: 'replaces the running kernel' },
  init_module: { reason: MODULES },
  finit_module: { reason: MODULES },
  delete_module: { reason: 'unloads kernel modules' },
  add_key: { reason: KEYS },
  keyctl: { reason: KEYS },
  request_key: { reason: KEYS },
  mount: { reason: MOUNT },
  umount2: { reason: 'removes mounts, which can uncover what a sandbox hides under them' },
  pivot_root: { reason: 'changes the root filesystem' },
  // unshare(2)/setns(2): new user namespaces give unprivileged processes capabilities over
  // kernel code (CVE-2022-0185, CVE-2023-32233); moby refuses them without CAP_SYS_ADMIN.
  unshare: { reason: 'creates namespaces: a new user namespace gives an unprivileged process capabilities over much more kernel code (CVE-2022-0185, CVE-2023-32233)' },
  setns: { reason: 'joins other namespaces, possibly the host\'s' },
  fsopen: { reason: MOUNT },
  fsconfig: { reason: MOUNT },
  fsmount: { reason: MOUNT },
  fspick: { reason: MOUNT },
  move_mount: { reason: MOUNT },
  open_tree: { reason: MOUNT },
  mount_setattr: { reason: MOUNT },
  // The "shocker" container escape (2014) opened host files by handle.
  open_by_handle_at: { reason: 'opens files by handle, bypassing path checks (the "shocker" container escape, 2014)' },
  io_uring_setup: { reason: IO_URING },
  io_uring_enter: { reason: IO_URING },
  io_uring_register: { reason: IO_URING },
  // personality(2): READ_IMPLIES_EXEC and ADDR_NO_RANDOMIZE weaken NX and ASLR; moby allows only
  // the personas 0x0, 0x8, 0x20000, 0x20008 and 0xffffffff (query).
  personality: { reason: 'can turn on READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE, weakening NX and ASLR', filterArgs: [0] },
  // ioctl(2): TIOCSTI pushes characters into the controlling terminal's input (CVE-2017-5226 in
  // bubblewrap, CVE-2016-7545 in the SELinux sandbox); Linux 6.2 made it optional
  // (CONFIG_LEGACY_TIOCSTI); TIOCLINUX can do the same on a virtual console.
  ioctl: { reason: 'is a gateway to every driver; without a filter on the request (`cmd`), TIOCSTI lets the sandbox type commands into the terminal that started it (CVE-2017-5226)', filterArgs: [1] },
  iopl: { reason: 'gives direct access to I/O ports' },
  ioperm: { reason: 'gives direct access to I/O ports' },
};
