// Which ABI a raw filter is for, when nothing else says: the arch value it compares first.
import { archesWithAuditArch, type Arch } from '../arch/index.ts';
import { accumulatorContents } from '../bpf/disasm.ts';
import { BPF_JEQ, BPF_JMP, BPF_K, type Instruction } from '../bpf/insn.ts';
import { OFFSET_ARCH } from '../seccomp/abi.ts';

/** The ABI of the first `if (A == arch)` test, when seccompile knows it (x86-64 for its value). */
export function firstCheckedArch(program: readonly Instruction[]): Arch | undefined {
  const holds = accumulatorContents(program);
  const pc = program.findIndex((insn, i) => holds[i] === OFFSET_ARCH && insn.code === (BPF_JMP | BPF_JEQ | BPF_K));
  return pc < 0 ? undefined : archesWithAuditArch(program[pc]!.k)[0];
}
