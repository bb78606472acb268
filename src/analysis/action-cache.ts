// The kernel's action cache (Linux >= 5.11, kernel/seccomp.c seccomp_is_const_allow): when a filter
// is attached, the kernel emulates it for each syscall number knowing only nr and arch; a syscall
// whose result is a constant ALLOW skips the filter from then on. The emulation understands only
// the instructions below; anything else on the path makes the syscall uncacheable.
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W, type Instruction,
} from '../bpf/insn.ts';
import { OFFSET_ARCH, OFFSET_NR } from '../seccomp/abi.ts';
import { RET_ALLOW } from '../seccomp/action.ts';

/** Whether the kernel would cache `nr` as always allowed for this arch. */
export function isCachedAllow(program: readonly Instruction[], nr: number, arch: number): boolean {
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, k, jt, jf } = program[pc]!;
    switch (code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (k === OFFSET_NR) a = nr >>> 0;
        else if (k === OFFSET_ARCH) a = arch >>> 0;
        else return false;
        break;
      case BPF_RET | BPF_K:
        return k === RET_ALLOW;
      case BPF_JMP | BPF_JA:
        pc += k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += a === k ? jt : jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_K:
        pc += a >= k ? jt : jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_K:
        pc += a > k ? jt : jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        a = (a & k) >>> 0;
        break;
      default:
        return false;
    }
  }
  return false;
}
