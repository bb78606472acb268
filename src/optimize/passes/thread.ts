// Jump threading: a branch into an empty block whose own test is already decided by the branch
// just taken (`A >= 200` is true after `A >= 300` was) jumps straight to where that test goes.
import type { Block, BlockId, BranchOp, Cfg, Terminator } from '../../bpf/cfg.ts';
import { mapBlocks, type Pass } from './pass.ts';

const WORD_MAX = 0xffffffff;

/** What is known about A on one edge of a branch. */
type Fact =
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'not'; readonly value: number }
  | { readonly kind: 'bits'; readonly mask: number; readonly any: boolean };

function factOf(op: BranchOp, k: number, taken: boolean): Fact {
  switch (op) {
    case 'jeq': return taken ? { kind: 'range', lo: k, hi: k } : { kind: 'not', value: k };
    case 'jgt': return taken ? { kind: 'range', lo: k + 1, hi: WORD_MAX } : { kind: 'range', lo: 0, hi: k };
    case 'jge': return taken ? { kind: 'range', lo: k, hi: WORD_MAX } : { kind: 'range', lo: 0, hi: k - 1 };
    case 'jset': return { kind: 'bits', mask: k, any: taken };
  }
}

/** The outcome of `A op k` under the fact, when the fact decides it. */
function decide(fact: Fact, op: BranchOp, k: number): boolean | undefined {
  if (fact.kind === 'range') {
    const { lo, hi } = fact;
    switch (op) {
      case 'jeq': return lo === hi ? lo === k : k < lo || k > hi ? false : undefined;
      case 'jgt': return lo > k ? true : hi <= k ? false : undefined;
      case 'jge': return lo >= k ? true : hi < k ? false : undefined;
      case 'jset': return lo === hi ? (lo & k) !== 0 : undefined;
    }
  }
  if (fact.kind === 'not') return op === 'jeq' && k === fact.value ? false : undefined;
  // A & mask is known to be zero (any = false) or not (any = true).
  if (op === 'jset' && !fact.any && (k & ~fact.mask) === 0) return false;
  if (op === 'jset' && fact.any && (fact.mask & ~k) === 0) return true;
  if (op === 'jeq' && !fact.any && (k & fact.mask) !== 0) return false;
  return undefined;
}

/** Follows an edge carrying `fact` through empty blocks whose branch it decides. */
function thread(cfg: Cfg, target: BlockId, fact: Fact): BlockId {
  let current = target;
  for (let hops = 0; hops < cfg.blocks.length; hops++) {
    const block = cfg.blocks[current]!;
    if (block.body.length !== 0 || block.exit.kind !== 'branch' || block.exit.useX) return current;
    const outcome = decide(fact, block.exit.op, block.exit.k >>> 0);
    if (outcome === undefined) return current;
    current = outcome ? block.exit.whenTrue : block.exit.whenFalse;
  }
  return current;
}

function threadBlock(cfg: Cfg, block: Block): Block {
  const exit = block.exit;
  if (exit.kind !== 'branch' || exit.useX) return block;
  const k = exit.k >>> 0;
  const whenTrue = thread(cfg, exit.whenTrue, factOf(exit.op, k, true));
  const whenFalse = thread(cfg, exit.whenFalse, factOf(exit.op, k, false));
  if (whenTrue === exit.whenTrue && whenFalse === exit.whenFalse) return block;
  const next: Terminator = { ...exit, whenTrue, whenFalse };
  return { ...block, exit: next };
}

export const threadJumps: Pass = {
  name: 'thread-jumps',
  run: (cfg) => mapBlocks(cfg, (block) => threadBlock(cfg, block)),
};
