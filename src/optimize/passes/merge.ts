// Merges identical blocks (same body, same exit, after their successors were merged), so equal
// tails and returns are shared.
import { blockKey, reversePostorder, retarget, type Block, type BlockId } from '../../bpf/cfg.ts';
import { sameExit, type Pass } from './pass.ts';

export const mergeIdenticalBlocks: Pass = {
  name: 'merge-identical-blocks',
  run(cfg) {
    const order = reversePostorder(cfg);
    const representative = new Map<BlockId, BlockId>();
    const byKey = new Map<string, BlockId>();
    let blocks: Block[] | undefined; // a copy once a block changes
    let changed = false;
    const map = (id: BlockId): BlockId => representative.get(id) ?? id;
    // Successors first, so their merges are known when the block's key is made.
    for (let i = order.length - 1; i >= 0; i--) {
      const id = order[i]!;
      const block = cfg.blocks[id]!;
      const exit = retarget(block.exit, map);
      if (!sameExit(exit, block.exit)) {
        blocks ??= cfg.blocks.slice();
        blocks[id] = { ...block, exit };
        changed = true;
      }
      const key = blockKey(block.body, exit);
      const existing = byKey.get(key);
      if (existing !== undefined && id !== cfg.entry) {
        representative.set(id, existing);
        changed = true;
      } else {
        byKey.set(key, id);
      }
    }
    return { cfg: changed ? { entry: cfg.entry, blocks: blocks ?? cfg.blocks } : cfg, changed };
  },
};
