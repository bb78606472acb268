// Which syscalls of an ABI a rule of a profile becomes in libseccomp. runc resolves each name on
// the host and hands the rule to libseccomp, which adds it to every architecture of the filter by
// the syscall's name (arch.c, arch_filter_rule_add), and where that ABI lacks the name, nowhere.
// On i386 a socket or IPC call has two ways in (syscalls/multiplexers.ts); libseccomp adds a rule
// for each (syscalls.c, abi_rule_add), the multiplexer's testing argument 0 in place of whatever
// the rule said of it.
import type { Arch } from '../arch/arch.ts';
import type { Syscall } from '../syscalls/index.ts';
import { multiplexerFor } from '../syscalls/multiplexers.ts';

export interface AbiSyscall {
  readonly syscall: Syscall;
  /** Through a multiplexer: argument 0 must equal this. */
  readonly multiplexed?: number;
}

/** The syscalls of `abi` that a rule for `name` is added to, as libseccomp adds it. */
export function libseccompSyscalls(abi: Arch, name: string): AbiSyscall[] {
  const own = abi.syscalls.byName(name);
  const via = multiplexerFor(abi, name);
  const multiplexer = via ? abi.syscalls.byName(via.name) : undefined;
  // the multiplexer's rule first, as abi_rule_add adds them
  const found: AbiSyscall[] = multiplexer ? [{ syscall: multiplexer, multiplexed: via!.arg0 }] : [];
  if (own) found.push({ syscall: own });
  return found;
}

/** The argument width libseccomp compares on (arch_def.size): x32 counts as a 32-bit ABI there. */
export function libseccompBits(abi: Arch): 32 | 64 {
  return abi.name === 'x32' ? 32 : abi.bits;
}
