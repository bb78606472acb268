// i386 reaches its socket and System V IPC calls two ways: by their own numbers (sockets since
// Linux 4.3) and through a multiplexer, `socketcall` or `ipc`, whose argument 0 says which call it
// is (SYS_SOCKET… in linux/net.h, SEMOP… in linux/ipc.h). A rule for one way leaves the other open.
import type { Arch } from '../arch/arch.ts';

const SOCKET_CALLS: ReadonlyMap<string, number> = new Map(Object.entries({
  socket: 1, bind: 2, connect: 3, listen: 4, accept: 5, getsockname: 6, getpeername: 7, socketpair: 8, send: 9, recv: 10,
  sendto: 11, recvfrom: 12, shutdown: 13, setsockopt: 14, getsockopt: 15, sendmsg: 16, recvmsg: 17, accept4: 18, recvmmsg: 19, sendmmsg: 20,
}));

const IPC_CALLS: ReadonlyMap<string, number> = new Map(Object.entries({
  semop: 1, semget: 2, semctl: 3, semtimedop: 4, msgsnd: 11, msgrcv: 12, msgget: 13, msgctl: 14, shmat: 21, shmdt: 22, shmget: 23, shmctl: 24,
}));

/** The ABIs with multiplexers (libseccomp's arch_def.sys_socketcall and sys_ipc, for the ABIs seccompile has). */
const MULTIPLEXED_ABIS: ReadonlySet<string> = new Set(['i386']);

/** The multiplexer that also makes the call `name` on `abi`, and its argument 0 for it. */
export function multiplexerFor(abi: Arch, name: string): { readonly name: 'socketcall' | 'ipc'; readonly arg0: number } | undefined {
  if (!MULTIPLEXED_ABIS.has(abi.name)) return undefined;
  const socket = SOCKET_CALLS.get(name);
  if (socket !== undefined) return { name: 'socketcall', arg0: socket };
  const ipc = IPC_CALLS.get(name);
  return ipc !== undefined ? { name: 'ipc', arg0: ipc } : undefined;
}
