// A counterexample in the terms of the policy language: `pread64(pos=0x23) [arch x86_64]: policy
// → kill_thread, filter → allow`.
import { errnoName } from '../constants/index.ts';
import { AUDIT_ARCH_X86_64, archName, SKIPPED_SYSCALL_NR, X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { decodeAction, formatAction } from '../seccomp/action.ts';
import { syscallByNumber } from '../syscalls/index.ts';
import type { Counterexample } from './index.ts';

/** A return value in the language's terms (`errno(EPERM)`), or in hex when no action has it. */
export function verdictText(value: number): string {
  const { action, known } = decodeAction(value);
  return known ? formatAction(action, errnoName) : `0x${value.toString(16).padStart(8, '0')}`;
}

/** The call alone: `pread64(pos=0x23) [nr 0x11, arch x86_64]`. */
export function describeCall(c: Pick<Counterexample, 'nr' | 'arch' | 'args' | 'instructionPointer'>): string {
  const native = c.arch === AUDIT_ARCH_X86_64 && (c.nr < X32_SYSCALL_BIT || c.nr === SKIPPED_SYSCALL_NR);
  const syscall = c.arch === AUDIT_ARCH_X86_64 ? syscallByNumber(c.nr & ~X32_SYSCALL_BIT) : undefined;
  const names = native ? syscall?.args.map((a) => a.name) ?? [] : [];
  const args = c.args.map((v, i) => (v === 0n ? '' : `${names[i] ?? `arg${i}`}=0x${v.toString(16)}`)).filter(Boolean);
  if (c.instructionPointer !== 0n) args.push(`ip=0x${c.instructionPointer.toString(16)}`);
  const name = c.nr === SKIPPED_SYSCALL_NR ? 'syscall -1' : native && syscall ? syscall.name
    : c.arch === AUDIT_ARCH_X86_64 && (c.nr & X32_SYSCALL_BIT) !== 0 ? `x32:${syscall?.name ?? c.nr & ~X32_SYSCALL_BIT}` : `syscall ${c.nr}`;
  const arch = c.arch === AUDIT_ARCH_X86_64 ? 'x86_64' : archName(c.arch);
  return `${name}(${args.join(', ')}) [nr 0x${c.nr.toString(16)}, arch ${arch}]`;
}

export function describeCounterexample(c: Counterexample): string {
  return `${describeCall(c)}: policy → ${verdictText(c.policy)}, filter → ${verdictText(c.filter)}`;
}
