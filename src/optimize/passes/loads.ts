// Accumulator tracking. Forward: a load (with its mask) is dropped when A already holds that word on
// every path into it. Backward: loads and masks whose value no later instruction reads are dropped.
import { reversePostorder, successors, type Block, type BlockId, type Cfg, type Straight } from '../../bpf/cfg.ts';
import { AND_K, LOAD, mapBlocks, sameWord, wordAfter, wordAfterInstruction, type Pass, type WordInA } from './pass.ts';

/** Not yet reached by any path (a block's entry before its first predecessor is seen). */
const UNREACHED = null;

/**
 * What A holds on entry to each reachable block (by id): the same word on every incoming path,
 * or unknown (undefined). In reverse postorder every predecessor of a block comes before it, so
 * each block's exit is met into its successors' entries as it is reached. Arrays by id, not Maps
 * of predecessor lists: this runs on every graph, in code V8 has not optimised.
 */
function wordOnEntry(cfg: Cfg): (WordInA | undefined | typeof UNREACHED)[] {
  const order = reversePostorder(cfg);
  const entry: (WordInA | undefined | typeof UNREACHED)[] = new Array(cfg.blocks.length).fill(UNREACHED);
  // Nothing is known where the filter starts.
  entry[cfg.entry] = undefined;
  const meet = (id: BlockId, word: WordInA | undefined): void => {
    const known = entry[id];
    entry[id] = known === UNREACHED || (known !== undefined && sameWord(known, word)) ? word : undefined;
  };
  for (let i = 0; i < order.length; i++) {
    const id = order[i]!;
    const block = cfg.blocks[id]!;
    const exit = block.exit;
    if (exit.kind !== 'goto' && exit.kind !== 'branch') continue;
    const word = wordAfter(block.body, entry[id] ?? undefined);
    if (exit.kind === 'goto') meet(exit.target, word);
    else {
      meet(exit.whenTrue, word);
      if (exit.whenFalse !== exit.whenTrue) meet(exit.whenFalse, word);
    }
  }
  return entry;
}

/** Whether instruction i of the body leaves A as it is (`a`): a load, or a load and its mask, of what A holds, or a mask already applied. */
function redundantAt(body: readonly Straight[], i: number, a: WordInA | undefined): 0 | 1 | 2 {
  if (a === undefined) return 0;
  const s = body[i]!;
  if (s.code === LOAD && s.k === a.offset) {
    const next = body[i + 1];
    // `ld k; and m` that recomputes what A holds; else a load of the whole word A holds
    if (next?.code === AND_K && a.mask === next.k >>> 0) return 2;
    return a.mask === undefined ? 1 : 0;
  }
  return s.code === AND_K && ((a.mask ?? 0xffffffff) & ~s.k) === 0 ? 1 : 0;
}

/** The body without loads (and masks) that leave A as it already is; the same array when none do. */
function dropRedundant(body: readonly Straight[], before: WordInA | undefined): readonly Straight[] {
  let out: Straight[] | undefined;
  let a = before;
  for (let i = 0; i < body.length; i++) {
    const skip = redundantAt(body, i, a);
    if (skip > 0) {
      out ??= body.slice(0, i);
      i += skip - 1;
      continue;
    }
    const s = body[i]!;
    out?.push(s);
    a = wordAfterInstruction(s, a);
  }
  return out ?? body;
}

export const removeRedundantLoads: Pass = {
  name: 'remove-redundant-loads',
  run(cfg) {
    const entry = wordOnEntry(cfg);
    return mapBlocks(cfg, (block) => {
      const before = entry[block.id];
      if (before === UNREACHED || block.body.length === 0) return block;
      const body = dropRedundant(block.body, before);
      return body === block.body ? block : { ...block, body };
    });
  },
};

/** Whether a block reads A before overwriting it (its body first, then its exit). */
function readsA(block: Block): boolean | undefined {
  for (const s of block.body) {
    const cls = s.code & 0x07;
    if (cls === 0x00) return false; // a load into A overwrites it
    if (cls === 0x01 || cls === 0x03) continue; // LDX and STX leave A alone
    if (cls === 0x07) return (s.code & 0x80) === 0; // TAX reads A, TXA overwrites it
    return true; // ALU and ST read A
  }
  if (block.exit.kind === 'retA' || block.exit.kind === 'branch') return true;
  if (block.exit.kind === 'ret') return false;
  return undefined; // goto: depends on the target
}

export const removeDeadLoads: Pass = {
  name: 'remove-dead-loads',
  run(cfg) {
    // Liveness of A at each block's entry, computed from the exits back.
    const order = reversePostorder(cfg);
    const liveIn = new Map<number, boolean>();
    for (let i = order.length - 1; i >= 0; i--) {
      const block = cfg.blocks[order[i]!]!;
      const direct = readsA(block);
      const live = direct ?? successors(block).some((s) => liveIn.get(s) ?? true);
      liveIn.set(block.id, live);
    }
    return mapBlocks(cfg, (block) => {
      if (!liveIn.has(block.id) || block.body.length === 0) return block;
      const exitReads = block.exit.kind === 'branch' || block.exit.kind === 'retA' || successors(block).some((s) => liveIn.get(s) ?? true);
      if (exitReads) return block;
      // Drop the trailing loads and masks: nothing reads the A they make.
      let end = block.body.length;
      while (end > 0 && (block.body[end - 1]!.code === LOAD || block.body[end - 1]!.code === AND_K)) end--;
      return end === block.body.length ? block : { ...block, body: block.body.slice(0, end) };
    });
  },
};
