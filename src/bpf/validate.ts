// The kernel's acceptance rules for a seccomp filter (bpf_check_classic and seccomp_check_filter),
// checked before any program leaves the compiler and on every program a tool reads.
import { BPF_MAXINSNS, SECCOMP_DATA_SIZE } from '../seccomp/abi.ts';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH,
  BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, BPF_A, type Instruction,
} from './insn.ts';

export interface ValidationProblem {
  /** Instruction index, or -1 for the program as a whole. */
  readonly index: number;
  readonly message: string;
}

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH];
const CONDITIONAL = [BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET];

/** Every opcode seccomp accepts. */
const ALLOWED_CODES = new Set<number>([
  BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN,
  BPF_RET | BPF_K, BPF_RET | BPF_A,
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]), BPF_ALU | BPF_NEG,
  BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
  BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX,
  BPF_JMP | BPF_JA, ...CONDITIONAL.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
]);

const isConditional = (code: number): boolean => CONDITIONAL.some((op) => code === (BPF_JMP | op | BPF_K) || code === (BPF_JMP | op | BPF_X));

export function validateProgram(program: readonly Instruction[]): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const length = program.length;
  if (length === 0) return [{ index: -1, message: 'the program is empty' }];
  if (length > BPF_MAXINSNS) problems.push({ index: -1, message: `the program has ${length} instructions; the kernel accepts at most ${BPF_MAXINSNS}` });

  program.forEach((insn, pc) => {
    const fail = (message: string): void => { problems.push({ index: pc, message }); };
    const { code, k } = insn;
    // Fields wider than struct sock_filter's would be truncated on encoding.
    if (code > 0xffff || insn.jt > 0xff || insn.jf > 0xff || k > 0xffffffff || k < 0) {
      return fail(`field out of range (code 0x${code.toString(16)}, jt ${insn.jt}, jf ${insn.jf}, k ${k}): jump offsets are 8-bit`);
    }
    if (!ALLOWED_CODES.has(code)) return fail(`opcode 0x${code.toString(16)} is not allowed in a seccomp filter`);
    if (code === (BPF_LD | BPF_W | BPF_ABS) && (k >= SECCOMP_DATA_SIZE || k % 4 !== 0)) {
      return fail(`load at offset ${k}: seccomp_data loads need an offset below ${SECCOMP_DATA_SIZE} and a multiple of 4`);
    }
    if ((code === (BPF_ALU | BPF_DIV | BPF_K)) && k === 0) return fail('division by constant 0');
    if ((code === (BPF_ALU | BPF_LSH | BPF_K) || code === (BPF_ALU | BPF_RSH | BPF_K)) && k >= 32) return fail(`shift by ${k}: shifts take 0..31`);
    if ((code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM) || code === BPF_ST || code === BPF_STX) && k >= BPF_MEMWORDS) {
      return fail(`scratch memory slot ${k} does not exist (0..${BPF_MEMWORDS - 1})`);
    }
    if (code === (BPF_JMP | BPF_JA) && k >= length - pc - 1) return fail(`jump to ${pc + 1 + k} is outside the program`);
    if (isConditional(code) && (pc + insn.jt + 1 >= length || pc + insn.jf + 1 >= length)) {
      return fail(`jump target ${pc + 1 + Math.max(insn.jt, insn.jf)} is outside the program`);
    }
  });
  const last = program[length - 1]!;
  if (last.code !== (BPF_RET | BPF_K) && last.code !== (BPF_RET | BPF_A)) problems.push({ index: length - 1, message: 'the last instruction must be a return' });
  if (problems.length === 0) problems.push(...checkScratchMemory(program));
  return problems;
}

/** Every scratch slot read must be written on every path before it (mirrors the kernel's check). */
function checkScratchMemory(program: readonly Instruction[]): ValidationProblem[] {
  const masks = new Uint16Array(program.length).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < program.length; pc++) {
    valid &= masks[pc]!;
    const { code, k, jt, jf } = program[pc]!;
    if (code === BPF_ST || code === BPF_STX) valid |= 1 << k;
    else if (code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) {
      if (!(valid & (1 << k))) return [{ index: pc, message: `scratch slot M[${k}] may be read before it is written` }];
    } else if (code === (BPF_JMP | BPF_JA)) {
      masks[pc + 1 + k]! &= valid;
      valid = 0xffff;
    } else if (isConditional(code)) {
      masks[pc + 1 + jt]! &= valid;
      masks[pc + 1 + jf]! &= valid;
      valid = 0xffff;
    }
  }
  return [];
}
