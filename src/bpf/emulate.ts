// Runs a classic-BPF seccomp filter on one struct seccomp_data, as the kernel would, and records
// the instructions executed. Used by `sim`, `stats` and every test of a generated program.
import { AUDIT_ARCH_X86_64, SECCOMP_DATA_SIZE } from '../seccomp/abi.ts';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX,
  BPF_SUB, BPF_TXA, BPF_X, BPF_XOR, bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfRval, bpfSrc, type Instruction,
} from './insn.ts';

export interface SeccompData {
  /** The syscall number as the filter sees it (unsigned 32-bit; x32 calls carry bit 30). */
  readonly nr: number;
  readonly arch: number;
  readonly instructionPointer?: bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  readonly args?: readonly bigint[];
}

export interface EmulationResult {
  /** The filter's return value (unsigned 32-bit). */
  readonly value: number;
  /** Indices of the instructions executed, in order. */
  readonly trace: readonly number[];
}

/** The 16 little-endian 32-bit words of struct seccomp_data. */
export function seccompDataWords(data: SeccompData): Uint32Array {
  const words = new Uint32Array(SECCOMP_DATA_SIZE / 4);
  const put64 = (index: number, value: bigint): void => {
    const v = BigInt.asUintN(64, value);
    words[index] = Number(v & 0xffffffffn);
    words[index + 1] = Number(v >> 32n);
  };
  words[0] = data.nr >>> 0;
  words[1] = data.arch >>> 0;
  put64(2, data.instructionPointer ?? 0n);
  for (let i = 0; i < 6; i++) put64(4 + 2 * i, data.args?.[i] ?? 0n);
  return words;
}

export class EmulationError extends Error {}

/**
 * Executes the program. The program must be valid (see validateProgram); the emulator still stops
 * with an error rather than run off the end or backwards.
 */
export function emulate(program: readonly Instruction[], data: SeccompData | Uint32Array): EmulationResult {
  const words = data instanceof Uint32Array ? data : seccompDataWords(data);
  const memory = new Uint32Array(16);
  const trace: number[] = [];
  let a = 0;
  let x = 0;
  let pc = 0;
  while (pc < program.length) {
    trace.push(pc);
    const { code, k, jt, jf } = program[pc]!;
    const operand = bpfSrc(code) === BPF_X ? x : k;
    switch (bpfClass(code)) {
      case BPF_LD:
        switch (bpfMode(code)) {
          case BPF_ABS: a = words[k / 4]!; break;
          case BPF_LEN: a = SECCOMP_DATA_SIZE; break;
          case BPF_IMM: a = k; break;
          case BPF_MEM: a = memory[k]!; break;
          default: throw new EmulationError(`unsupported load 0x${code.toString(16)} at ${pc}`);
        }
        break;
      case BPF_LDX:
        switch (bpfMode(code)) {
          case BPF_LEN: x = SECCOMP_DATA_SIZE; break;
          case BPF_IMM: x = k; break;
          case BPF_MEM: x = memory[k]!; break;
          default: throw new EmulationError(`unsupported load 0x${code.toString(16)} at ${pc}`);
        }
        break;
      case BPF_ST: memory[k] = a; break;
      case BPF_STX: memory[k] = x; break;
      case BPF_ALU: {
        const result = alu(bpfOp(code), a, operand);
        // Division by a zero X register ends the filter with 0, as the kernel's conversion does.
        if (result === undefined) return { value: 0, trace };
        a = result;
        break;
      }
      case BPF_JMP:
        if (bpfOp(code) === BPF_JA) {
          pc += 1 + k;
          continue;
        }
        pc += 1 + (compare(bpfOp(code), a, operand) ? jt : jf);
        continue;
      case BPF_RET:
        return { value: (bpfRval(code) === BPF_A ? a : k) >>> 0, trace };
      case BPF_MISC:
        if (bpfMiscOp(code) === BPF_TXA) a = x;
        else x = a;
        break;
    }
    pc++;
  }
  throw new EmulationError('the program ran past its last instruction');
}

function alu(op: number, a: number, operand: number): number | undefined {
  switch (op) {
    case BPF_ADD: return (a + operand) >>> 0;
    case BPF_SUB: return (a - operand) >>> 0;
    case BPF_MUL: return Math.imul(a, operand) >>> 0;
    case BPF_DIV: return operand === 0 ? undefined : Math.floor(a / operand) >>> 0;
    case BPF_OR: return (a | operand) >>> 0;
    case BPF_AND: return (a & operand) >>> 0;
    case BPF_XOR: return (a ^ operand) >>> 0;
    // The kernel's 32-bit shifts use the low five bits of the count.
    case BPF_LSH: return (a << (operand & 31)) >>> 0;
    case BPF_RSH: return a >>> (operand & 31);
    case BPF_NEG: return -a >>> 0;
    default: throw new EmulationError(`unsupported ALU operation 0x${op.toString(16)}`);
  }
}

function compare(op: number, a: number, operand: number): boolean {
  switch (op) {
    case BPF_JEQ: return a === operand >>> 0;
    case BPF_JGT: return a > operand >>> 0;
    case BPF_JGE: return a >= operand >>> 0;
    case BPF_JSET: return (a & operand) !== 0;
    default: throw new EmulationError(`unsupported jump 0x${op.toString(16)}`);
  }
}

/** Convenience for the common case: an x86-64 call. */
export function x86_64Call(nr: number, args: readonly bigint[] = []): SeccompData {
  return { nr, arch: AUDIT_ARCH_X86_64, args };
}
