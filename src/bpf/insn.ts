// Classic BPF as the kernel stores it: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }.

export interface Instruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  /** Unsigned 32-bit. */
  readonly k: number;
}

export const INSTRUCTION_SIZE = 8;

// Instruction classes.
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
// Load sizes and modes.
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
// ALU operations.
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
// Jumps.
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
// Operand sources, return sources, misc operations.
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;
/** Scratch memory slots M[0..15]. */
export const BPF_MEMWORDS = 16;

export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfRval = (code: number): number => code & 0x18;
export const bpfMiscOp = (code: number): number => code & 0xf8;

export function stmt(code: number, k: number): Instruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

export function jump(code: number, k: number, jt: number, jf: number): Instruction {
  return { code, jt, jf, k: k >>> 0 };
}

export function isConditionalJump(code: number): boolean {
  return bpfClass(code) === BPF_JMP && bpfOp(code) !== BPF_JA;
}

/** The raw form: 8 little-endian bytes per instruction. */
export function encodeProgram(program: readonly Instruction[]): Uint8Array {
  const bytes = new Uint8Array(program.length * INSTRUCTION_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, i) => {
    const at = i * INSTRUCTION_SIZE;
    view.setUint16(at, insn.code, true);
    view.setUint8(at + 2, insn.jt);
    view.setUint8(at + 3, insn.jf);
    view.setUint32(at + 4, insn.k, true);
  });
  return bytes;
}

/** Raw bytes back to instructions; undefined when the length is not a whole number of instructions. */
export function decodeProgram(bytes: Uint8Array): Instruction[] | undefined {
  if (bytes.length % INSTRUCTION_SIZE !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: Instruction[] = [];
  for (let at = 0; at < bytes.length; at += INSTRUCTION_SIZE) {
    program.push({ code: view.getUint16(at, true), jt: view.getUint8(at + 2), jf: view.getUint8(at + 3), k: view.getUint32(at + 4, true) });
  }
  return program;
}
