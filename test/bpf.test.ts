import { X86_64 } from '../src/arch/index.ts';
import { describe, expect, it } from 'vitest';
import { disassemble } from '../src/bpf/disasm.ts';
import { listing } from '../src/emit/index.ts';
import { emulate, seccompDataWords, x86_64Call } from '../src/bpf/emulate.ts';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, decodeProgram, encodeProgram, jump, stmt, type Instruction,
} from '../src/bpf/insn.ts';
import { validateProgram } from '../src/bpf/validate.ts';
import { AUDIT_ARCH_X86_64 } from '../src/seccomp/abi.ts';
import { decodeAction, formatReturnValue } from '../src/seccomp/action.ts';

const ld = (k: number): Instruction => stmt(BPF_LD | BPF_W | BPF_ABS, k);
const ret = (k: number): Instruction => stmt(BPF_RET | BPF_K, k);
const run = (program: Instruction[], args: bigint[] = [], nr = 0): number => emulate(program, x86_64Call(nr, args)).value;

describe('raw encoding', () => {
  it('is 8 little-endian bytes per instruction and round-trips', () => {
    const program = [jump(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 2), ret(0x7fff0000)];
    const bytes = encodeProgram(program);
    expect([...bytes.slice(0, 8)]).toEqual([0x15, 0x00, 0x01, 0x02, 0x3e, 0x00, 0x00, 0xc0]);
    expect(decodeProgram(bytes)).toEqual(program);
    expect(decodeProgram(bytes.slice(0, 9))).toBeUndefined();
  });
});

describe('seccomp_data layout', () => {
  it('puts nr, arch, ip and the arguments little-endian at their offsets', () => {
    const words = seccompDataWords({ nr: 0xffffffff, arch: AUDIT_ARCH_X86_64, instructionPointer: 0x1122334455667788n, args: [0x0000000100000002n, -1n] });
    expect([...words.slice(0, 8)]).toEqual([0xffffffff, 0xc000003e, 0x55667788, 0x11223344, 2, 1, 0xffffffff, 0xffffffff]);
  });
});

describe('emulator', () => {
  it('loads data words, len and immediates', () => {
    expect(run([ld(24), stmt(BPF_RET | BPF_A, 0)], [0n, 0x1234n])).toBe(0x1234);
    expect(run([ld(28), stmt(BPF_RET | BPF_A, 0)], [0n, 0x5_0000_0000n])).toBe(5);
    expect(run([stmt(BPF_LD | BPF_W | BPF_LEN, 0), stmt(BPF_RET | BPF_A, 0)])).toBe(64);
    expect(run([stmt(BPF_LD | BPF_IMM, 77), stmt(BPF_RET | BPF_A, 0)])).toBe(77);
  });

  it.each([
    [BPF_ADD, 0xffffffff, 2, 1], [BPF_SUB, 1, 2, 0xffffffff], [BPF_MUL, 0x10000, 0x10000, 0], [BPF_MUL, 3, 5, 15], [BPF_DIV, 7, 2, 3],
    [BPF_OR, 0xf0, 0x0f, 0xff], [BPF_AND, 0xf0, 0x3c, 0x30], [BPF_XOR, 0xff, 0x0f, 0xf0], [BPF_LSH, 1, 31, 0x80000000], [BPF_RSH, 0x80000000, 31, 1],
  ])('ALU op 0x%s: %s with %s is %s (K and X forms)', (op, a, operand, result) => {
    expect(run([stmt(BPF_LD | BPF_IMM, a), stmt(BPF_ALU | op | BPF_K, operand), stmt(BPF_RET | BPF_A, 0)])).toBe(result);
    expect(run([stmt(BPF_LDX | BPF_IMM, operand), stmt(BPF_LD | BPF_IMM, a), stmt(BPF_ALU | op | BPF_X, 0), stmt(BPF_RET | BPF_A, 0)])).toBe(result);
  });

  it('negates, moves registers and uses scratch memory', () => {
    expect(run([stmt(BPF_LD | BPF_IMM, 1), stmt(BPF_ALU | BPF_NEG, 0), stmt(BPF_RET | BPF_A, 0)])).toBe(0xffffffff);
    expect(run([stmt(BPF_LD | BPF_IMM, 9), stmt(BPF_MISC | BPF_TAX, 0), stmt(BPF_LD | BPF_IMM, 0), stmt(BPF_MISC | BPF_TXA, 0), stmt(BPF_RET | BPF_A, 0)])).toBe(9);
    expect(run([stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_ST, 3), stmt(BPF_LDX | BPF_IMM, 6), stmt(BPF_STX, 4), stmt(BPF_LD | BPF_MEM, 3), stmt(BPF_LDX | BPF_MEM, 4), stmt(BPF_ALU | BPF_ADD | BPF_X, 0), stmt(BPF_RET | BPF_A, 0)])).toBe(11);
  });

  it('ends with 0 on division by a zero X', () => {
    expect(run([stmt(BPF_LDX | BPF_IMM, 0), stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_ALU | BPF_DIV | BPF_X, 0), ret(0x7fff0000)])).toBe(0);
  });

  it.each([
    [BPF_JEQ, 5, 5, true], [BPF_JEQ, 5, 6, false], [BPF_JGT, 6, 5, true], [BPF_JGT, 5, 5, false], [BPF_JGE, 5, 5, true], [BPF_JGE, 4, 5, false],
    [BPF_JSET, 6, 2, true], [BPF_JSET, 5, 2, false], [BPF_JGT, 0x80000000, 1, true],
  ])('jump 0x%s: A=%s k=%s taken=%s, unsigned', (op, a, k, taken) => {
    const program = [stmt(BPF_LD | BPF_IMM, a), jump(BPF_JMP | op | BPF_K, k, 1, 0), ret(2), ret(1)];
    expect(run(program)).toBe(taken ? 1 : 2);
  });

  it('jumps with ja and records the trace', () => {
    const program = [stmt(BPF_JMP | BPF_JA, 2), ret(1), ret(2), ret(3)];
    expect(emulate(program, x86_64Call(0))).toEqual({ value: 3, trace: [0, 3] });
  });
});

describe('validator (the kernel rules)', () => {
  const problems = (program: Instruction[]): string[] => validateProgram(program).map((p) => p.message);

  it('accepts a plain filter', () => {
    expect(problems([ld(4), jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 1), ret(0x7fff0000), ret(0)])).toEqual([]);
  });

  it.each([
    [[ld(3), ret(0)], 'load at offset 3'],
    [[ld(64), ret(0)], 'load at offset 64'],
    [[stmt(BPF_LD | BPF_B | BPF_ABS, 0), ret(0)], 'opcode 0x30 is not allowed'],
    [[stmt(BPF_ALU | BPF_MOD | BPF_K, 3), ret(0)], 'is not allowed'],
    [[stmt(BPF_RET | BPF_X, 0)], 'is not allowed'],
    [[stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret(0)], 'division by constant 0'],
    [[stmt(BPF_ALU | BPF_LSH | BPF_K, 32), ret(0)], 'shift by 32'],
    [[stmt(BPF_ST, 16), ret(0)], 'slot 16 does not exist'],
    [[stmt(BPF_LD | BPF_MEM, 0), ret(0)], 'M[0] may be read before it is written'],
    [[jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), stmt(BPF_ST, 0), stmt(BPF_LD | BPF_MEM, 0), ret(0)], 'M[0] may be read'],
    [[stmt(BPF_JMP | BPF_JA, 1), ret(0)], 'outside the program'],
    [[jump(BPF_JMP | BPF_JGT | BPF_K, 1, 1, 0), ret(0)], 'outside the program'],
    [[ld(0)], 'the last instruction must be a return'],
    [[jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 256, 0), ...Array.from({ length: 300 }, () => ret(0))], 'jump offsets are 8-bit'],
    [[], 'the program is empty'],
    [Array.from({ length: 4097 }, () => ret(0)), 'at most 4096'],
  ])('rejects %#', (program, message) => {
    expect(problems(program as Instruction[]).join('\n')).toContain(message);
  });

  it('accepts scratch memory written on every path, and 4096 instructions', () => {
    expect(problems([stmt(BPF_ST, 0), jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), stmt(BPF_ST, 1), stmt(BPF_LD | BPF_MEM, 0), ret(0)])).toEqual([]);
    expect(problems(Array.from({ length: 4096 }, () => ret(0)))).toEqual([]);
  });
});

describe('return values', () => {
  it('decodes every action and treats unknown ones as kill_process', () => {
    expect(formatReturnValue(0x7fff0000)).toBe('ALLOW');
    expect(formatReturnValue(0x00050001)).toBe('ERRNO(1)');
    expect(formatReturnValue(0x0005ffff)).toBe('ERRNO(4095)');
    expect(formatReturnValue(0x00030007)).toBe('TRAP(7)');
    expect(formatReturnValue(0x7ff00003)).toBe('TRACE(3)');
    expect(formatReturnValue(0x7fc00000)).toBe('USER_NOTIF');
    expect(formatReturnValue(0x7ffc0000)).toBe('LOG');
    expect(formatReturnValue(0)).toBe('KILL_THREAD');
    expect(formatReturnValue(0x80000000)).toBe('KILL_PROCESS');
    expect(decodeAction(0x00010000)).toEqual({ action: { kind: 'kill_process' }, known: false });
    expect(formatReturnValue(0x00010000)).toContain('acts as KILL_PROCESS');
  });
});

describe('disassembler', () => {
  it('names data words, syscalls, arches and actions', () => {
    const program = [
      ld(4), jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0), ret(0x80000000),
      ld(0), jump(BPF_JMP | BPF_JEQ | BPF_K, 257, 0, 3), ld(36), jump(BPF_JMP | BPF_JSET | BPF_K, 0x40, 1, 0),
      ret(0x7fff0000), ret(0x0005000d),
    ];
    const text = disassemble(program, { syscallName: (nr) => X86_64.syscalls.byNumber(nr)?.name });
    expect(text.split('\n').slice(2, 11)).toEqual([
      ' 0000: 0x20 0x00 0x00 0x00000004  A = arch',
      ' 0001: 0x15 0x01 0x00 0xc000003e  if (A == ARCH_X86_64) goto 0003',
      ' 0002: 0x06 0x00 0x00 0x80000000  return KILL_PROCESS',
      ' 0003: 0x20 0x00 0x00 0x00000000  A = sys_number',
      ' 0004: 0x15 0x00 0x03 0x00000101  if (A != openat) goto 0008',
      ' 0005: 0x20 0x00 0x00 0x00000024  A = args[2] >> 32',
      ' 0006: 0x45 0x01 0x00 0x00000040  if (A & 0x40) goto 0008',
      ' 0007: 0x06 0x00 0x00 0x7fff0000  return ALLOW',
      ' 0008: 0x06 0x00 0x00 0x0005000d  return ERRNO(13)',
    ]);
  });

  it('does not name a number when the accumulator may hold something else', () => {
    const program = [jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), ld(0), jump(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 0), ret(0)];
    expect(disassemble(program, { syscallName: () => 'open' })).toContain('if (A != 2) goto 0003');
  });

  it('shows x32 numbers and both targets', () => {
    const program = [ld(0), jump(BPF_JMP | BPF_JEQ | BPF_K, 0x40000000, 1, 2), ret(0), ret(1), ret(2)];
    expect(listing(program, X86_64)).toContain('if (A == x32:read) goto 0003 else goto 0004');
  });
});

