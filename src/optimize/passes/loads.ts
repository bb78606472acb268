// Accumulator tracking. Forward: a load (with its mask) is dropped when A already holds that word on
// every path into it. Backward: loads and masks whose value no later instruction reads are dropped.
import { reversePostorder, successors, type Block, type Cfg, type Straight } from '../../bpf/cfg.ts';
import { AND_K, LOAD, mapBlocks, predecessors, sameWord, wordAfter, type Pass, type WordInA } from './pass.ts';

/** What A holds on entry to each block: the same word on every incoming path, or unknown. */
function wordOnEntry(cfg: Cfg): Map<number, WordInA | undefined> {
  const order = reversePostorder(cfg);
  const preds = predecessors(cfg, order);
  const entry = new Map<number, WordInA | undefined>();
  const exit = new Map<number, WordInA | undefined>();
  // Indexed loops: this runs in every round, in code V8 has not optimised.
  for (let i = 0; i < order.length; i++) {
    const id = order[i]!;
    const incoming = preds.get(id)!;
    let word: WordInA | undefined;
    if (id !== cfg.entry && incoming.length > 0) {
      word = exit.get(incoming[0]!);
      for (let j = 1; j < incoming.length && word !== undefined; j++) if (!sameWord(exit.get(incoming[j]!), word)) word = undefined;
    }
    entry.set(id, word);
    exit.set(id, wordAfter(cfg.blocks[id]!.body, word));
  }
  return entry;
}

/** The body without loads (and masks) that leave A as it already is. */
function dropRedundant(body: readonly Straight[], before: WordInA | undefined): readonly Straight[] {
  const out: Straight[] = [];
  let a = before;
  for (let i = 0; i < body.length; i++) {
    const s = body[i]!;
    const next = body[i + 1];
    if (s.code === LOAD) {
      // `ld k; and m` that recomputes what A holds.
      const withMask = next?.code === AND_K ? wordAfter([s, next], undefined) : undefined;
      if (withMask && sameWord(withMask, a)) {
        i++;
        continue;
      }
      if (sameWord({ offset: s.k }, a)) continue;
    } else if (s.code === AND_K && a && ((a.mask ?? 0xffffffff) & ~s.k) === 0) {
      continue; // the mask is already applied
    }
    out.push(s);
    a = wordAfter([s], a);
  }
  return out.length === body.length ? body : out;
}

export const removeRedundantLoads: Pass = {
  name: 'remove-redundant-loads',
  run(cfg) {
    const entry = wordOnEntry(cfg);
    return mapBlocks(cfg, (block) => {
      if (!entry.has(block.id)) return block;
      const body = dropRedundant(block.body, entry.get(block.id));
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
