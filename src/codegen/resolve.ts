// Jump resolution: orders the blocks so every jump goes forward, turns labels into offsets, and
// routes conditional jumps farther than 255 instructions through `ja` trampolines (or a copy of
// the `ret` they aim at). Fails with a clear error above the kernel's 4096-instruction limit.
import { reversePostorder, type Block, type BlockId, type Cfg, type Terminator } from '../bpf/cfg.ts';
import { BPF_A, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_RET, BPF_X, jump, stmt, type Instruction } from '../bpf/insn.ts';

const MAX_CONDITIONAL_OFFSET = 255;
const BRANCH_CODES = { jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET } as const;

/**
 * The layout: reverse postorder, a topological order in which a block's whenFalse successor tends
 * to follow it and needs no jump.
 */
export function layoutBlocks(cfg: Cfg): readonly BlockId[] {
  return reversePostorder(cfg);
}

/** A block of the final layout: an original one, or a trampoline standing for a far target. */
interface Placed {
  readonly block: Block;
  /** For a trampoline: the target it stands for. */
  readonly standsFor?: BlockId;
}

function isPlainReturn(block: Block): boolean {
  return block.body.length === 0 && (block.exit.kind === 'ret' || block.exit.kind === 'retA');
}

/** Rounds of re-layout before giving up (each round only adds trampolines, so few are needed). */
const MAX_ROUNDS = 64;

/**
 * Resolves the layout into instructions. A conditional jump that cannot reach its target goes
 * through a trampoline (a copy of the `ret` it aims at, or a `ja`). Trampolines are shared: the
 * blocks are scanned from the end, and a jump reuses the nearest trampoline ahead of it for the
 * same target when it can reach it, so a search tree with hundreds of exits to one `ret` needs a
 * copy only every 255 instructions.
 */
export function resolveJumps(cfg: Cfg): Instruction[] {
  const blocks = [...cfg.blocks];
  let order: Placed[] = layoutBlocks(cfg).map((id) => ({ block: blocks[id]! }));

  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Where each block starts (by id) and each placed block ends: typed arrays, no Map, as this
    // runs once per compile in code V8 has not optimised.
    const position = new Int32Array(blocks.length);
    const ends = new Int32Array(order.length);
    let pc = 0;
    for (let i = 0; i < order.length; i++) {
      const { block } = order[i]!;
      position[block.id] = pc;
      pc += block.body.length + exitLength(block.exit, order[i + 1]?.block.id);
      ends[i] = pc;
    }
    const after = new Map<number, Placed[]>();
    const nearestCopy = new Map<BlockId, { id: BlockId; pc: number; plannedBefore: number }>();
    let planned = 0;
    let changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const { block, standsFor } = order[i]!;
      if (standsFor !== undefined) nearestCopy.set(standsFor, { id: block.id, pc: position[block.id]!, plannedBefore: planned });
      if (block.exit.kind !== 'branch') continue;
      const jumpPc = position[block.id]! + block.body.length;
      let exit = block.exit;
      for (let s = 0; s < 2; s++) {
        const side = s === 0 ? 'whenFalse' : 'whenTrue';
        const target = exit[side];
        // Every insertion planned so far lies after this jump: count them all, to be safe.
        if (position[target]! + planned - (jumpPc + 1) <= MAX_CONDITIONAL_OFFSET) continue;
        const copy = nearestCopy.get(target);
        if (copy && copy.pc + (planned - copy.plannedBefore) - (jumpPc + 1) <= MAX_CONDITIONAL_OFFSET) {
          exit = { ...exit, [side]: copy.id };
          continue;
        }
        const original = blocks[target]!;
        const trampoline: Block = { id: blocks.length, body: [], exit: isPlainReturn(original) ? original.exit : { kind: 'goto', target } };
        blocks.push(trampoline);
        const list = after.get(i) ?? [];
        list.push({ block: trampoline, standsFor: target });
        after.set(i, list);
        nearestCopy.set(target, { id: trampoline.id, pc: ends[i]!, plannedBefore: planned });
        planned++;
        exit = { ...exit, [side]: trampoline.id };
      }
      if (exit !== block.exit) {
        changed = true;
        blocks[block.id] = { ...block, exit };
        order[i] = { block: blocks[block.id]! };
      }
    }
    if (!changed) return emit(order, position);
    const placed: Placed[] = [];
    for (let i = 0; i < order.length; i++) {
      placed.push(order[i]!);
      const trampolines = after.get(i);
      if (trampolines) placed.push(...trampolines);
    }
    order = placed;
  }
  throw new Error('jump resolution did not settle');
}

function exitLength(exit: Terminator, nextId: BlockId | undefined): number {
  return exit.kind === 'goto' && exit.target === nextId ? 0 : 1;
}

function emit(order: readonly Placed[], position: Int32Array): Instruction[] {
  const program: Instruction[] = [];
  order.forEach(({ block }, i) => {
    for (const s of block.body) program.push(stmt(s.code, s.k));
    const exit = block.exit;
    const pc = program.length;
    const offset = (target: BlockId): number => position[target]! - (pc + 1);
    switch (exit.kind) {
      case 'ret': program.push(stmt(BPF_RET | BPF_K, exit.value)); break;
      case 'retA': program.push(stmt(BPF_RET | BPF_A, 0)); break;
      case 'goto':
        if (exit.target !== order[i + 1]?.block.id) program.push(stmt(BPF_JMP | BPF_JA, offset(exit.target)));
        break;
      case 'branch':
        program.push(jump(BPF_JMP | BRANCH_CODES[exit.op] | (exit.useX ? BPF_X : BPF_K), exit.k, offset(exit.whenTrue), offset(exit.whenFalse)));
        break;
    }
  });
  return program;
}
