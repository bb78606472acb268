// Shortens jumps: a jump to an empty block that only jumps on goes straight to its target, a
// jump to a bare `ret` becomes that `ret`, and a branch whose two targets agree becomes a jump.
import type { Block, BlockId, Cfg, Terminator } from '../../bpf/cfg.ts';
import { mapBlocks, sameExit, type Pass } from './pass.ts';

/** Where a jump to `id` really ends up: through empty blocks that only jump. */
function finalTarget(cfg: Cfg, id: BlockId): BlockId {
  let current = id;
  for (let hops = 0; hops < cfg.blocks.length; hops++) {
    const block = cfg.blocks[current]!;
    if (block.body.length !== 0 || block.exit.kind !== 'goto') return current;
    current = block.exit.target;
  }
  return current;
}

function shortcut(cfg: Cfg, block: Block): Block {
  const exit = block.exit;
  let next: Terminator = exit;
  if (exit.kind === 'goto') {
    const target = cfg.blocks[finalTarget(cfg, exit.target)]!;
    next = target.body.length === 0 && (target.exit.kind === 'ret' || target.exit.kind === 'retA') ? target.exit : { kind: 'goto', target: target.id };
  } else if (exit.kind === 'branch') {
    const whenTrue = finalTarget(cfg, exit.whenTrue);
    const whenFalse = finalTarget(cfg, exit.whenFalse);
    // nearly every branch stays as it is: no new terminator for it
    if (whenTrue === exit.whenTrue && whenFalse === exit.whenFalse && whenTrue !== whenFalse) return block;
    next = whenTrue === whenFalse ? { kind: 'goto', target: whenTrue } : { ...exit, whenTrue, whenFalse };
  }
  return sameExit(next, exit) ? block : { ...block, exit: next };
}

export const shortcutJumps: Pass = {
  name: 'shortcut-jumps',
  run: (cfg) => mapBlocks(cfg, (block) => shortcut(cfg, block)),
};
