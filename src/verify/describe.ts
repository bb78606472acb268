// A counterexample in the terms of the policy language: `pread64(pos=0x23) [arch x86_64]: policy
// → kill_thread, filter → allow`.
import { errnoName } from '../constants/index.ts';
import { abiOfCall, DEFAULT_ARCH, type Arch } from '../arch/index.ts';
import { archName, SKIPPED_SYSCALL_NR } from '../seccomp/abi.ts';
import { decodeAction, formatAction } from '../seccomp/action.ts';
import type { Counterexample } from './index.ts';

/** A return value in the language's terms (`errno(EPERM)`), or in hex when no action has it. */
export function verdictText(value: number): string {
  const { action, known } = decodeAction(value);
  return known ? formatAction(action, errnoName) : `0x${value.toString(16).padStart(8, '0')}`;
}

/** The call alone: `pread64(pos=0x23) [nr 0x11, arch x86_64]`. */
export function describeCall(c: Pick<Counterexample, 'nr' | 'arch' | 'args' | 'instructionPointer'>, target: Arch = DEFAULT_ARCH): string {
  const abi = abiOfCall(c.arch, c.nr);
  const native = abi === target;
  const syscall = abi?.syscalls.byNumber(c.nr);
  const names = native ? syscall?.args.map((a) => a.name) ?? [] : [];
  const args = c.args.map((v, i) => (v === 0n ? '' : `${names[i] ?? `arg${i}`}=0x${v.toString(16)}`)).filter(Boolean);
  if (c.instructionPointer !== 0n) args.push(`ip=0x${c.instructionPointer.toString(16)}`);
  const name = c.nr === SKIPPED_SYSCALL_NR ? 'syscall -1' : native && syscall ? syscall.name
    : abi?.auditArch === target.auditArch ? `${abi.name}:${syscall?.name ?? c.nr}` : `syscall ${c.nr}`;
  const arch = abi?.auditArch === target.auditArch ? target.name : abi?.name ?? archName(c.arch);
  return `${name}(${args.join(', ')}) [nr 0x${c.nr.toString(16)}, arch ${arch}]`;
}

export function describeCounterexample(c: Counterexample, target: Arch = DEFAULT_ARCH): string {
  return `${describeCall(c, target)}: policy → ${verdictText(c.policy)}, filter → ${verdictText(c.filter)}`;
}
