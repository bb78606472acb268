// The shape every optimisation pass has: a pure function from a CFG to a CFG that says whether it
// changed anything, so the pipeline can run the passes until none does.
import type { Block, Cfg, Straight, Terminator } from '../../bpf/cfg.ts';
import { BPF_ABS, BPF_ALU, BPF_AND, BPF_K, BPF_LD, BPF_W } from '../../bpf/insn.ts';

export interface PassResult {
  readonly cfg: Cfg;
  readonly changed: boolean;
}

export interface Pass {
  readonly name: string;
  run(cfg: Cfg): PassResult;
}

/** Applies `rewrite` to every block; unchanged when it returns the same blocks. */
export function mapBlocks(cfg: Cfg, rewrite: (block: Block) => Block): PassResult {
  // A copy of the block list only once a block changes: most rounds change few or none.
  let blocks: Block[] | undefined;
  for (let i = 0; i < cfg.blocks.length; i++) {
    const block = cfg.blocks[i]!;
    const next = rewrite(block);
    if (next === block) continue;
    blocks ??= cfg.blocks.slice();
    blocks[i] = next;
  }
  return blocks ? { cfg: { entry: cfg.entry, blocks }, changed: true } : { cfg, changed: false };
}

export const LOAD = BPF_LD | BPF_W | BPF_ABS;
export const AND_K = BPF_ALU | BPF_AND | BPF_K;

/** What A holds: a data word, masked, or unknown (undefined). */
export interface WordInA {
  readonly offset: number;
  /** Undefined: the whole word. */
  readonly mask?: number;
}

export function sameWord(a: WordInA | undefined, b: WordInA | undefined): boolean {
  return a !== undefined && b !== undefined && a.offset === b.offset && a.mask === b.mask;
}

/** A after running `body` from `before`. */
export function wordAfter(body: Block['body'], before: WordInA | undefined): WordInA | undefined {
  let a = before;
  for (let i = 0; i < body.length; i++) a = wordAfterInstruction(body[i]!, a);
  return a;
}

/** A after one instruction, from `a` (the same object when the instruction leaves it as it is). */
export function wordAfterInstruction(s: Straight, a: WordInA | undefined): WordInA | undefined {
  if (s.code === LOAD) return a !== undefined && a.offset === s.k && a.mask === undefined ? a : { offset: s.k };
  if (s.code === AND_K) return a ? { offset: a.offset, mask: ((a.mask ?? 0xffffffff) & s.k) >>> 0 } : undefined;
  // other loads, ALU, TXA overwrite A; the rest leave it
  return (s.code & 0x07) === 0x00 || (s.code & 0x07) === 0x04 || s.code === 0x87 ? undefined : a;
}

export function sameExit(a: Terminator, b: Terminator): boolean {
  switch (a.kind) {
    case 'ret': return b.kind === 'ret' && a.value === b.value;
    case 'retA': return b.kind === 'retA';
    case 'goto': return b.kind === 'goto' && a.target === b.target;
    case 'branch':
      return b.kind === 'branch' && a.op === b.op && a.k === b.k && (a.useX ?? false) === (b.useX ?? false) && a.whenTrue === b.whenTrue && a.whenFalse === b.whenFalse;
  }
}
