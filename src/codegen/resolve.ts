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
export function layoutBlocks(cfg: Cfg): BlockId[] {
  return reversePostorder(cfg);
}

/** A block of the final layout: an original one, or a trampoline standing for a far target. */
interface Placed {
  readonly block: Block;
}

function isPlainReturn(block: Block): boolean {
  return block.body.length === 0 && (block.exit.kind === 'ret' || block.exit.kind === 'retA');
}

export function resolveJumps(cfg: Cfg): Instruction[] {
  const blocks = [...cfg.blocks];
  let order: Placed[] = layoutBlocks(cfg).map((id) => ({ block: blocks[id]! }));

  for (;;) {
    const position = new Map<BlockId, number>();
    let pc = 0;
    order.forEach(({ block }, i) => {
      position.set(block.id, pc);
      pc += block.body.length + exitLength(block.exit, order[i + 1]?.block.id);
    });
    // Find conditional jumps out of reach and give each a trampoline right after its block.
    const next: Placed[] = [];
    let changed = false;
    for (const placed of order) {
      next.push(placed);
      const { block } = placed;
      if (block.exit.kind !== 'branch') continue;
      const at = position.get(block.id)! + block.body.length;
      let exit = block.exit;
      const extra: Placed[] = [];
      for (const side of ['whenTrue', 'whenFalse'] as const) {
        const target = exit[side];
        // Trampolines added on this side sit between the jump and the far target.
        if (position.get(target)! + extra.length - (at + 1) <= MAX_CONDITIONAL_OFFSET) continue;
        const original = blocks[target]!;
        const trampoline: Block = { id: blocks.length, body: [], exit: isPlainReturn(original) ? original.exit : { kind: 'goto', target } };
        blocks.push(trampoline);
        extra.push({ block: trampoline });
        exit = { ...exit, [side]: trampoline.id };
      }
      if (extra.length > 0) {
        changed = true;
        next[next.length - 1] = { block: { ...block, exit } };
        blocks[block.id] = next[next.length - 1]!.block;
        next.push(...extra);
      }
    }
    order = next;
    if (!changed) return emit(order, position);
  }
}

function exitLength(exit: Terminator, nextId: BlockId | undefined): number {
  return exit.kind === 'goto' && exit.target === nextId ? 0 : 1;
}

function emit(order: readonly Placed[], position: ReadonlyMap<BlockId, number>): Instruction[] {
  const program: Instruction[] = [];
  order.forEach(({ block }, i) => {
    for (const s of block.body) program.push(stmt(s.code, s.k));
    const exit = block.exit;
    const pc = program.length;
    const offset = (target: BlockId): number => position.get(target)! - (pc + 1);
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
