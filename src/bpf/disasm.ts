// A listing of a seccomp filter in the style seccomp-tools users know: index, raw fields, and a
// readable form that names seccomp_data fields, syscalls and actions.
import { archName, dataWordName, OFFSET_ARCH, OFFSET_NR, SECCOMP_DATA_SIZE, X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { formatReturnValue } from '../seccomp/action.ts';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TXA, BPF_X, BPF_XOR, bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfRval, bpfSrc, type Instruction,
} from './insn.ts';

export interface DisassembleOptions {
  /** Names a syscall number (x86-64); numbers without a name are printed in hex. */
  readonly syscallName?: (nr: number) => string | undefined;
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
export function describeInstruction(insn: Instruction, pc: number, holds: number, options: DisassembleOptions = {}): string {
  const { code, k, jt, jf } = insn;
  const operandName = (value: number): string => {
    if (holds === OFFSET_ARCH) return archName(value);
    if (holds === OFFSET_NR && bpfOp(code) !== BPF_JSET) {
      const base = value & ~X32_SYSCALL_BIT;
      const name = value === 0xffffffff ? undefined : options.syscallName?.(base);
      if (name) return (value & X32_SYSCALL_BIT) !== 0 ? `x32:${name}` : name;
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
  const lines = [' line  CODE  JT   JF      K', '================================='];
  program.forEach((insn, pc) => {
    const raw = `${hex(insn.code, 2)} ${hex(insn.jt, 2)} ${hex(insn.jf, 2)} ${hex(insn.k, 8)}`;
    lines.push(` ${index(pc)}: ${raw}  ${describeInstruction(insn, pc, holds[pc]!, options)}`);
  });
  return lines.join('\n') + '\n';
}

