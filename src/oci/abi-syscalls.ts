// Which syscalls of an ABI a rule of a profile becomes in libseccomp. runc resolves each name on
// the host and hands the rule to libseccomp, which adds it to every architecture of the filter by
// the syscall's name (arch.c, arch_filter_rule_add), and where that ABI lacks the name, nowhere.
// On i386 a socket or IPC call has two ways in: its own number (since Linux 4.3 for sockets) and
// the multiplexer, socketcall or ipc, whose argument 0 says which call it is; libseccomp adds a
// rule for each (syscalls.c, abi_rule_add), the multiplexer's testing argument 0 in place of
// whatever the rule said of it.
import type { Arch } from '../arch/arch.ts';
import type { Syscall } from '../syscalls/index.ts';

/** SYS_SOCKET… (linux/net.h), the number socketcall's argument 0 gives each call. */
const SOCKET_CALLS: Readonly<Record<string, number>> = {
  socket: 1, bind: 2, connect: 3, listen: 4, accept: 5, getsockname: 6, getpeername: 7, socketpair: 8, send: 9, recv: 10,
  sendto: 11, recvfrom: 12, shutdown: 13, setsockopt: 14, getsockopt: 15, sendmsg: 16, recvmsg: 17, accept4: 18, recvmmsg: 19, sendmmsg: 20,
};

/** SEMOP… (linux/ipc.h), the number ipc's argument 0 gives each call. */
const IPC_CALLS: Readonly<Record<string, number>> = {
  semop: 1, semget: 2, semctl: 3, semtimedop: 4, msgsnd: 11, msgrcv: 12, msgget: 13, msgctl: 14, shmat: 21, shmdt: 22, shmget: 23, shmctl: 24,
};

/** ABIs whose socket and IPC calls libseccomp also filters through a multiplexer (arch_def.sys_socketcall, sys_ipc). */
const MULTIPLEXERS: Readonly<Record<string, { readonly socket: string; readonly ipc: string }>> = {
  i386: { socket: 'socketcall', ipc: 'ipc' },
};

export interface AbiSyscall {
  readonly syscall: Syscall;
  /** Through a multiplexer: argument 0 must equal this. */
  readonly multiplexed?: number;
}

/** The syscalls of `abi` that a rule for `name` is added to, as libseccomp adds it. */
export function libseccompSyscalls(abi: Arch, name: string): AbiSyscall[] {
  const own = abi.syscalls.byName(name);
  const multiplexers = MULTIPLEXERS[abi.name];
  const socket = SOCKET_CALLS[name];
  const ipc = IPC_CALLS[name];
  const via = multiplexers && (socket !== undefined ? { name: multiplexers.socket, arg0: socket } : ipc !== undefined ? { name: multiplexers.ipc, arg0: ipc } : undefined);
  const multiplexer = via ? abi.syscalls.byName(via.name) : undefined;
  // the multiplexer's rule first, as abi_rule_add adds them
  return [...(multiplexer ? [{ syscall: multiplexer, multiplexed: via!.arg0 }] : []), ...(own ? [{ syscall: own }] : [])];
}

/** The argument width libseccomp compares on (arch_def.size): x32 counts as a 32-bit ABI there. */
export function libseccompBits(abi: Arch): 32 | 64 {
  return abi.name === 'x32' ? 32 : abi.bits;
}
