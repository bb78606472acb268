// The filter side of a proof: a classic-BPF program's exact return value, as one SMT term over the
// seccomp_data words. Jumps only go forward, so the program is a DAG: each instruction's state
// (A, X, the 16 scratch words) is the merge of the states its predecessors hand it, guarded by the
// conditions under which they do; no path is enumerated. Semantics as the kernel runs a filter:
// 32-bit accumulator and index, loads of the 16 data words, `ld len` is 64, shifts use the low five
// bits of the count, a division by a zero X ends the filter with 0, scratch words must be written
// before they are read (the kernel's checker refuses the program otherwise).
import type { Bool, BitVec, Context } from 'z3-solver';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_JMP, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET, BPF_LD, BPF_LDX, BPF_LEN,
  BPF_LSH, BPF_MEM, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TXA, BPF_X, BPF_XOR,
  bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfRval, bpfSrc, type Instruction,
} from '../bpf/insn.ts';
import { SECCOMP_DATA_SIZE } from '../seccomp/abi.ts';

type Word = BitVec<32, 'main'>;
type Cond = Bool<'main'>;

interface State {
  readonly a: Word;
  readonly x: Word;
  readonly mem: readonly (Word | undefined)[];
}

/** Where control arrives at an instruction: under which condition, in which state. */
interface Arrival {
  readonly when: Cond;
  readonly state: State;
}

export class FilterEncodingError extends Error {}

/** The program's return value as a term over `words` (the 16 32-bit words of seccomp_data). */
export function encodeFilter(z3: Context<'main'>, program: readonly Instruction[], words: readonly Word[]): Word {
  const word = (value: number): Word => z3.BitVec.val(value >>> 0, 32);
  const arrivals: Arrival[][] = program.map(() => []);
  const returns: { when: Cond; value: Word }[] = [];
  arrivals[0]!.push({ when: z3.Bool.val(true), state: { a: word(0), x: word(0), mem: Array.from({ length: 16 }, () => undefined) } });
  const arrive = (pc: number, when: Cond, state: State): void => {
    const target = arrivals[pc];
    if (!target) throw new FilterEncodingError(`a jump leaves the program at instruction ${pc}`);
    target.push({ when, state });
  };

  for (let pc = 0; pc < program.length; pc++) {
    const incoming = arrivals[pc]!;
    if (incoming.length === 0) continue; // unreachable
    const { when, state } = merge(z3, incoming);
    arrivals[pc] = [];
    const { code, k, jt, jf } = program[pc]!;
    const operand = (): Word => (bpfSrc(code) === BPF_X ? state.x : word(k));
    const next = (changed: Partial<State>): void => arrive(pc + 1, when, { ...state, ...changed });
    switch (bpfClass(code)) {
      case BPF_LD:
      case BPF_LDX: {
        const mode = bpfMode(code);
        let loaded: Word;
        if (mode === BPF_ABS && bpfClass(code) === BPF_LD) {
          if (k % 4 !== 0 || k >= SECCOMP_DATA_SIZE) throw new FilterEncodingError(`instruction ${pc} loads offset ${k}, which the kernel refuses`);
          loaded = words[k / 4]!;
        } else if (mode === BPF_LEN) loaded = word(SECCOMP_DATA_SIZE);
        else if (mode === BPF_IMM) loaded = word(k);
        else if (mode === BPF_MEM) {
          const stored = state.mem[k];
          if (k >= 16 || !stored) throw new FilterEncodingError(`instruction ${pc} reads scratch word ${k} before any write on some path`);
          loaded = stored;
        } else throw new FilterEncodingError(`instruction ${pc}: load 0x${code.toString(16)} is not allowed in seccomp`);
        next(bpfClass(code) === BPF_LD ? { a: loaded } : { x: loaded });
        break;
      }
      case BPF_ST:
      case BPF_STX: {
        if (k >= 16) throw new FilterEncodingError(`instruction ${pc} stores to scratch word ${k}`);
        const mem = [...state.mem];
        mem[k] = bpfClass(code) === BPF_ST ? state.a : state.x;
        next({ mem });
        break;
      }
      case BPF_ALU: {
        const op = bpfOp(code);
        if (op === BPF_DIV && bpfSrc(code) === BPF_X) {
          // Division by a zero X ends the filter, returning 0.
          const zero = state.x.eq(word(0));
          returns.push({ when: z3.And(when, zero), value: word(0) });
          arrive(pc + 1, z3.And(when, z3.Not(zero)), { ...state, a: state.a.udiv(state.x) });
          break;
        }
        next({ a: alu(z3, op, state.a, operand(), pc, code) });
        break;
      }
      case BPF_JMP: {
        if (bpfOp(code) === BPF_JA) {
          arrive(pc + 1 + k, when, state);
          break;
        }
        const taken = jumpCondition(bpfOp(code), state.a, operand(), word, pc);
        arrive(pc + 1 + jt, z3.And(when, taken), state);
        arrive(pc + 1 + jf, z3.And(when, z3.Not(taken)), state);
        break;
      }
      case BPF_RET:
        returns.push({ when, value: bpfRval(code) === BPF_A ? state.a : word(k) });
        break;
      case BPF_MISC:
        next(bpfMiscOp(code) === BPF_TXA ? { a: state.x } : { x: state.a });
        break;
      default:
        throw new FilterEncodingError(`instruction ${pc}: unknown class 0x${code.toString(16)}`);
    }
  }
  if (returns.length === 0) throw new FilterEncodingError('the program never returns');
  // The return conditions partition the input space (every run ends at exactly one return).
  let value = returns[returns.length - 1]!.value;
  for (let i = returns.length - 2; i >= 0; i--) value = z3.If(returns[i]!.when, returns[i]!.value, value) as Word;
  return value;
}

function merge(z3: Context<'main'>, incoming: readonly Arrival[]): Arrival {
  if (incoming.length === 1) return incoming[0]!;
  const pick = (get: (s: State) => Word): Word => {
    let value = get(incoming[incoming.length - 1]!.state);
    for (let i = incoming.length - 2; i >= 0; i--) {
      const other = get(incoming[i]!.state);
      value = other === value ? value : (z3.If(incoming[i]!.when, other, value) as Word);
    }
    return value;
  };
  const mem = Array.from({ length: 16 }, (_, k) => (incoming.every((i) => i.state.mem[k]) ? pick((s) => s.mem[k]!) : undefined));
  return { when: z3.Or(...incoming.map((i) => i.when)), state: { a: pick((s) => s.a), x: pick((s) => s.x), mem } };
}

function alu(z3: Context<'main'>, op: number, a: Word, operand: Word, pc: number, code: number): Word {
  const five = (count: Word): Word => count.and(z3.BitVec.val(31, 32));
  switch (op) {
    case BPF_ADD: return a.add(operand);
    case BPF_SUB: return a.sub(operand);
    case BPF_MUL: return a.mul(operand);
    case BPF_DIV: return a.udiv(operand);
    case BPF_OR: return a.or(operand);
    case BPF_AND: return a.and(operand);
    case BPF_XOR: return a.xor(operand);
    case BPF_LSH: return a.shl(five(operand));
    case BPF_RSH: return a.lshr(five(operand));
    case BPF_NEG: return a.neg();
    default: throw new FilterEncodingError(`instruction ${pc}: ALU operation 0x${code.toString(16)} is not allowed in seccomp`);
  }
}

function jumpCondition(op: number, a: Word, operand: Word, word: (v: number) => Word, pc: number): Cond {
  switch (op) {
    case BPF_JEQ: return a.eq(operand);
    case BPF_JGT: return a.ugt(operand);
    case BPF_JGE: return a.uge(operand);
    case BPF_JSET: return a.and(operand).neq(word(0));
    default: throw new FilterEncodingError(`instruction ${pc}: jump 0x${op.toString(16)} is not allowed in seccomp`);
  }
}
