// User notification (SECCOMP_RET_USER_NOTIF): calls that must not wait for a supervisor.
// Sources: seccomp_unotify(2) ("the supervisor ... must not be subject to the filter"), runc's
// refusal of notify for write (libcontainer/seccomp: it writes the listener fd to its parent),
// docs/user-notification.md.

/**
 * Calls the filtered process makes to hand the listener to its supervisor, to answer or exit, or
 * that a supervisor thread of the same process makes: if they wait for the supervisor, nothing
 * moves (a deadlock), or, with the supervisor gone, they fail with ENOSYS.
 */
export const SUPERVISOR_SYSCALLS: Readonly<Record<string, string>> = {
  write: 'the process writes the listener fd number to its supervisor (runc refuses notify for write for this reason)',
  sendmsg: 'the process passes the listener fd to its supervisor over a UNIX socket with sendmsg (SCM_RIGHTS)',
  sendto: 'the process tells its supervisor about the listener through a socket',
  recvmsg: 'the supervisor receives the listener fd with recvmsg',
  ioctl: 'the supervisor receives and answers notifications with ioctl (SECCOMP_IOCTL_NOTIF_RECV/SEND)',
  close: 'the process closes its copy of the listener fd after handing it over',
  exit: 'a thread cannot end while its exit waits for the supervisor',
  exit_group: 'the process cannot exit while its exit waits for the supervisor',
  rt_sigreturn: 'returning from a signal handler would wait for the supervisor',
  futex: 'threads waiting on a lock the supervisor thread holds (or the reverse) deadlock',
  poll: 'the supervisor waits for notifications with poll',
  ppoll: 'the supervisor waits for notifications with ppoll',
  epoll_wait: 'the supervisor waits for notifications with epoll',
  epoll_pwait: 'the supervisor waits for notifications with epoll',
  epoll_pwait2: 'the supervisor waits for notifications with epoll',
  wait4: 'the supervisor waits for the supervised child',
  waitid: 'the supervisor waits for the supervised child',
  seccomp: 'the process installs the filter and gets the listener with seccomp(2)',
};

/**
 * Words in a rule's comment (or a profile entry's `comment`) that show the author knows the
 * supervisor must re-read and copy memory before deciding: seccomp_unotify(2), "Caveats".
 */
export const TOCTOU_NOTE = /toc-?tou|time[- ]of[- ]check|re-?check|re-?read|re-?validat|NOTIF_ID_VALID|\/proc\/[^ ]*\/mem|copies the memory|copy (of )?the memory/i;
