// BPF with labels: a graph of basic blocks. Code generation and optimisation passes work on this
// form; jump resolution turns it into instructions with 8-bit offsets.

export type BlockId = number;

/** A non-branching instruction: a load, ALU operation, store or register move. */
export interface Straight {
  readonly code: number;
  readonly k: number;
}

export type BranchOp = 'jeq' | 'jgt' | 'jge' | 'jset';

export type Terminator =
  | { readonly kind: 'ret'; readonly value: number }
  /** `ret A`: returns the accumulator (never produced by the compiler, but valid kernel input). */
  | { readonly kind: 'retA' }
  | { readonly kind: 'goto'; readonly target: BlockId }
  /** Compares A with k (or with X when useX) and goes to whenTrue or whenFalse. */
  | { readonly kind: 'branch'; readonly op: BranchOp; readonly k: number; readonly useX?: boolean; readonly whenTrue: BlockId; readonly whenFalse: BlockId };

export interface Block {
  readonly id: BlockId;
  readonly body: readonly Straight[];
  readonly exit: Terminator;
}

/** A filter before layout. Every path is acyclic and ends in a return. */
export interface Cfg {
  readonly entry: BlockId;
  /** Indexed by id. */
  readonly blocks: readonly Block[];
}

/** Successors of a block, whenTrue first. */
export function successors(block: Block): BlockId[] {
  const exit = block.exit;
  if (exit.kind === 'goto') return [exit.target];
  if (exit.kind === 'branch') return [exit.whenTrue, exit.whenFalse];
  return [];
}

/**
 * Reverse postorder of the blocks reachable from the entry: a topological order of the (acyclic)
 * graph. Successors are visited whenTrue first, so a block's whenFalse successor tends to come
 * right after it.
 */
export function reversePostorder(cfg: Cfg): readonly BlockId[] {
  // Graphs are never changed in place, and several passes in a row often see the same one.
  let order = orders.get(cfg);
  if (order === undefined) {
    order = walkReversePostorder(cfg);
    orders.set(cfg, order);
  }
  return order;
}

const orders = new WeakMap<Cfg, readonly BlockId[]>();

function walkReversePostorder(cfg: Cfg): BlockId[] {
  // Every pass asks for the order, so the walk allocates nothing per block: for each block, 0 when
  // not yet seen, 1 + the number of successors visited while it is on the stack, or DONE.
  const progress = new Uint8Array(cfg.blocks.length);
  const postorder: BlockId[] = [];
  const stack: BlockId[] = [cfg.entry];
  progress[cfg.entry] = 1;
  while (stack.length > 0) {
    const id = stack[stack.length - 1]!;
    const child = successorAt(cfg.blocks[id]!.exit, progress[id]! - 1);
    if (child === undefined) {
      progress[id] = DONE;
      postorder.push(id);
      stack.pop();
    } else {
      progress[id]!++;
      if (progress[child] === 0) {
        progress[child] = 1;
        stack.push(child);
      } else if (progress[child] !== DONE) {
        throw new Error(`the filter graph has a cycle through block ${child}`);
      }
    }
  }
  return postorder.reverse();
}

const DONE = 255;

/** The index-th successor of a block (whenTrue first), if it has one. */
function successorAt(exit: Terminator, index: number): BlockId | undefined {
  if (exit.kind === 'goto') return index === 0 ? exit.target : undefined;
  if (exit.kind === 'branch') return index === 0 ? exit.whenTrue : index === 1 ? exit.whenFalse : undefined;
  return undefined;
}

/** The same graph with only the reachable blocks, renumbered densely in reverse postorder. */
export function compactCfg(cfg: Cfg): Cfg {
  const order = reversePostorder(cfg);
  const newId = new Int32Array(cfg.blocks.length);
  for (let i = 0; i < order.length; i++) newId[order[i]!] = i;
  const map = (id: BlockId): BlockId => newId[id]!;
  const blocks = order.map((id, i): Block => {
    const { body, exit } = cfg.blocks[id]!;
    return { id: i, body, exit: retarget(exit, map) };
  });
  const compacted: Cfg = { entry: 0, blocks };
  // Numbered in reverse postorder, with every successor in its place: the walk would find 0..n-1.
  orders.set(compacted, blocks.map((_, i) => i));
  return compacted;
}

/** Equal for blocks with the same body and exit. */
export function blockKey(body: Block['body'], exit: Terminator): string {
  // most blocks (a dispatch tree's) have no body
  const head = body.length === 0 ? '' : body.map((s) => `${s.code}:${s.k}`).join(',');
  switch (exit.kind) {
    case 'ret': return `${head}|r${exit.value}`;
    case 'retA': return `${head}|a`;
    case 'goto': return `${head}|g${exit.target}`;
    case 'branch': return `${head}|${exit.op}${exit.useX ? 'x' : ''}:${exit.k}:${exit.whenTrue}:${exit.whenFalse}`;
  }
}

/** A terminator with its targets mapped. */
export function retarget(exit: Terminator, map: (id: BlockId) => BlockId): Terminator {
  // The same object when no target moves: passes retarget every block on every round.
  if (exit.kind === 'goto') {
    const target = map(exit.target);
    return target === exit.target ? exit : { kind: 'goto', target };
  }
  if (exit.kind === 'branch') {
    const whenTrue = map(exit.whenTrue);
    const whenFalse = map(exit.whenFalse);
    return whenTrue === exit.whenTrue && whenFalse === exit.whenFalse ? exit : { ...exit, whenTrue, whenFalse };
  }
  return exit;
}

/**
 * Builds a CFG. Blocks may be reserved before they are defined, so code can be generated
 * back to front (a condition is built knowing where its true and false branches go).
 */
export class CfgBuilder {
  private readonly blocks: (Block | undefined)[] = [];
  private readonly byKey = new Map<string, BlockId>();

  reserve(): BlockId {
    this.blocks.push(undefined);
    return this.blocks.length - 1;
  }

  define(id: BlockId, body: readonly Straight[], exit: Terminator): BlockId {
    if (this.blocks[id]) throw new Error(`block ${id} defined twice`);
    this.blocks[id] = { id, body, exit };
    return id;
  }

  /**
   * A block, shared with an identical one built before (same body, same exit): equal code of
   * several sections or subtrees (the dispatch of numbers two ABIs share, one decision list of
   * two syscalls) is one block from the start, and the optimiser need not merge it.
   */
  block(body: readonly Straight[], exit: Terminator): BlockId {
    const key = blockKey(body, exit);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const id = this.define(this.reserve(), body, exit);
    this.byKey.set(key, id);
    return id;
  }

  /** A block returning the value (one per value). */
  ret(value: number): BlockId {
    return this.block([], { kind: 'ret', value: value >>> 0 });
  }

  /** Instructions on the longest path from a defined block to a return (its exits counted). */
  worstPathLength(id: BlockId, memo = new Map<BlockId, number>()): number {
    // Post-order without recursion: decision chains can be thousands of blocks long.
    const stack: BlockId[] = [id];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (memo.has(top)) {
        stack.pop();
        continue;
      }
      const block = this.blocks[top];
      if (!block) throw new Error(`block ${top} is not defined yet`);
      const pending = successors(block).filter((s) => !memo.has(s));
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      const rest = successors(block).map((s) => memo.get(s)!);
      memo.set(top, block.body.length + 1 + (rest.length > 0 ? Math.max(...rest) : 0));
      stack.pop();
    }
    return memo.get(id)!;
  }

  finish(entry: BlockId): Cfg {
    const blocks = this.blocks.map((b, id) => {
      if (!b) throw new Error(`block ${id} reserved but never defined`);
      return b;
    });
    return { entry, blocks };
  }
}
