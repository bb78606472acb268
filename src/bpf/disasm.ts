// A listing of a seccomp filter in the style seccomp-tools users know: index, raw fields, and a
// readable form that names seccomp_data fields, syscalls and actions.
import { archName, dataWordName, OFFSET_ARCH, OFFSET_NR, SECCOMP_DATA_SIZE } from '../seccomp/abi.ts';
import { formatReturnValue } from '../seccomp/action.ts';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TXA, BPF_X, BPF_XOR, bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfRval, bpfSrc, type Instruction,
} from './insn.ts';

export interface DisassembleOptions {
  /**
   * Names a syscall number compared where the filter has established seccomp_data.arch (undefined
   * where it has not); numbers without a name are printed in hex.
   */
  readonly syscallName?: (nr: number, auditArch: number | undefined) => string | undefined;
}

/** What the accumulator holds before each instruction: a seccomp_data word, or unknown (-1). */
export function accumulatorContents(program: readonly Instruction[]): Int32Array {
  const UNKNOWN = -1;
  const UNREACHED = -2;
  const before = new Int32Array(program.length).fill(UNREACHED);
  before[0] = UNKNOWN;
  const merge = (pc: number, value: number): void => {
    if (pc >= program.length) return;
    const current = before[pc]!;
    before[pc] = current === UNREACHED || current === value ? value : UNKNOWN;
  };
  program.forEach((insn, pc) => {
    if (before[pc] === UNREACHED) return;
    const { code, k } = insn;
    const cls = bpfClass(code);
    let after = before[pc]!;
    if (cls === BPF_LD) after = bpfMode(code) === BPF_ABS ? k : UNKNOWN;
    else if (cls === BPF_ALU || (cls === BPF_MISC && bpfMiscOp(code) === BPF_TXA)) after = UNKNOWN;
    if (cls === BPF_RET) return;
    if (cls === BPF_JMP) {
      if (bpfOp(code) === BPF_JA) merge(pc + 1 + k, after);
      else {
        merge(pc + 1 + insn.jt, after);
        merge(pc + 1 + insn.jf, after);
      }
      return;
    }
    merge(pc + 1, after);
  });
  return before;
}

/**
 * seccomp_data.arch as the filter has established it before each instruction: on the true side of
 * `if (A == arch)`, as a multi-architecture filter branches into its sections; NaN where unknown.
 */
export function establishedArch(program: readonly Instruction[], holds: Int32Array = accumulatorContents(program)): Float64Array {
  const known = new Float64Array(program.length).fill(Number.NaN);
  const reached = new Uint8Array(program.length);
  reached[0] = 1;
  const merge = (pc: number, arch: number): void => {
    if (pc >= program.length) return;
    if (!reached[pc]) [reached[pc], known[pc]] = [1, arch];
    else if (!Object.is(known[pc], arch)) known[pc] = Number.NaN;
  };
  program.forEach((insn, pc) => {
    if (!reached[pc]) return;
    const here = known[pc]!;
    const cls = bpfClass(insn.code);
    if (cls === BPF_RET) return;
    if (cls !== BPF_JMP) return merge(pc + 1, here);
    if (bpfOp(insn.code) === BPF_JA) return merge(pc + 1 + insn.k, here);
    const testsArch = holds[pc] === OFFSET_ARCH && bpfOp(insn.code) === BPF_JEQ && bpfSrc(insn.code) !== BPF_X;
    merge(pc + 1 + insn.jt, testsArch ? insn.k >>> 0 : here);
    merge(pc + 1 + insn.jf, here);
  });
  return known;
}

const hex = (n: number, width = 0): string => `0x${(n >>> 0).toString(16).padStart(width, '0')}`;
const index = (n: number): string => String(n).padStart(4, '0');

const ALU_SYMBOLS: Readonly<Record<number, string>> = {
  [BPF_ADD]: '+=', [BPF_SUB]: '-=', [BPF_MUL]: '*=', [BPF_DIV]: '/=', [BPF_OR]: '|=', [BPF_AND]: '&=',
  [BPF_LSH]: '<<=', [BPF_RSH]: '>>=', [BPF_MOD]: '%=', [BPF_XOR]: '^=',
};
const CONDITIONS: Readonly<Record<number, readonly [string, string]>> = {
  [BPF_JEQ]: ['A == %', 'A != %'],
  [BPF_JGT]: ['A > %', 'A <= %'],
  [BPF_JGE]: ['A >= %', 'A < %'],
  [BPF_JSET]: ['A & %', '!(A & %)'],
};

/** The readable form of one instruction. */
export function describeInstruction(insn: Instruction, pc: number, holds: number, options: DisassembleOptions = {}, auditArch = Number.NaN): string {
  const { code, k, jt, jf } = insn;
  const operandName = (value: number): string => {
    if (holds === OFFSET_ARCH) return archName(value);
    if (holds === OFFSET_NR && bpfOp(code) !== BPF_JSET) {
      const name = options.syscallName?.(value >>> 0, Number.isNaN(auditArch) ? undefined : auditArch);
      if (name) return name;
    }
    return value < 10 ? String(value) : hex(value);
  };
  switch (bpfClass(code)) {
    case BPF_LD:
    case BPF_LDX: {
      const reg = bpfClass(code) === BPF_LD ? 'A' : 'X';
      switch (bpfMode(code)) {
        case BPF_ABS: return k < SECCOMP_DATA_SIZE && k % 4 === 0 ? `${reg} = ${dataWordName(k)}` : `${reg} = data[${k}] (invalid)`;
        case BPF_LEN: return `${reg} = sizeof(struct seccomp_data)`;
        case BPF_IMM: return `${reg} = ${hex(k)}`;
        case BPF_MEM: return `${reg} = mem[${k}]`;
        default: return `${reg} = ??? (opcode ${hex(code)})`;
      }
    }
    case BPF_ST: return `mem[${k}] = A`;
    case BPF_STX: return `mem[${k}] = X`;
    case BPF_ALU: {
      if (bpfOp(code) === BPF_NEG) return 'A = -A';
      const symbol = ALU_SYMBOLS[bpfOp(code)];
      return symbol ? `A ${symbol} ${bpfSrc(code) === BPF_X ? 'X' : hex(k)}` : `??? (opcode ${hex(code)})`;
    }
    case BPF_JMP: {
      if (bpfOp(code) === BPF_JA) return `goto ${index(pc + 1 + k)}`;
      const forms = CONDITIONS[bpfOp(code)];
      if (!forms) return `??? (opcode ${hex(code)})`;
      const operand = bpfSrc(code) === BPF_X ? 'X' : operandName(k);
      const [positive, negative] = forms;
      const target = (offset: number): string => index(pc + 1 + offset);
      if (jt === 0) return `if (${negative.replace('%', operand)}) goto ${target(jf)}`;
      if (jf === 0) return `if (${positive.replace('%', operand)}) goto ${target(jt)}`;
      return `if (${positive.replace('%', operand)}) goto ${target(jt)} else goto ${target(jf)}`;
    }
    case BPF_RET: return bpfRval(code) === BPF_A ? 'return A' : `return ${formatReturnValue(k)}`;
    case BPF_MISC: return bpfMiscOp(code) === BPF_TXA ? 'A = X' : 'X = A';
  }
  return `??? (opcode ${hex(code)})`;
}

export function disassemble(program: readonly Instruction[], options: DisassembleOptions = {}): string {
  const holds = accumulatorContents(program);
  const arches = establishedArch(program, holds);
  const lines = [' line  CODE  JT   JF      K', '================================='];
  program.forEach((insn, pc) => {
    const raw = `${hex(insn.code, 2)} ${hex(insn.jt, 2)} ${hex(insn.jf, 2)} ${hex(insn.k, 8)}`;
    lines.push(` ${index(pc)}: ${raw}  ${describeInstruction(insn, pc, holds[pc]!, options, arches[pc]!)}`);
  });
  return lines.join('\n') + '\n';
}

