// How libseccomp combines the rules of one syscall, so seccompile gives every call the verdict a
// runtime (runc, crun, Docker, Podman) gets from libseccomp for the same OCI profile.
//
// libseccomp does not try rules in the order they are added. It merges each syscall's rules into
// one decision tree of 32-bit word tests (src/db.c: _db_rule_gen_arg_64, _db_tree_prune,
// _db_tree_add, db_rule_add), and its BPF generator (src/gen_bpf.c: _gen_bpf_chain, _gen_bpf_node)
// walks that tree. This module is a line-by-line port of those functions, reference counts
// included, since freeing a node re-links its level: for 64-bit ABIs every argument comparison is
// on all 64 bits (_db_rule_gen_64); for 32-bit ABIs (i386, arm, and x32, which libseccomp counts as
// one) on the low word alone, the value's upper half dropped (_db_rule_gen_32). Checked verdict for
// verdict against libseccomp 2.5.4 by test/oci/differential.test.ts.
//
// What follows from it (docs/oci.md has the details):
// - An unconditional rule wins over every conditional rule of the syscall, added before or after;
//   a second unconditional rule is ignored.
// - Conditional rules are sorted into the tree by argument (higher index first), word (high word
//   first), operator (==, != and masked == first, then < and <=, then > and >=) and value; the walk
//   tries them in that order and the first path that ends in an action decides.
// - A rule that extends an earlier rule (its comparisons start with the earlier one's) is dropped;
//   a rule equal to an earlier one but for the action is refused (EEXIST), and runc then fails to
//   start the container. Some rule sets send libseccomp round a cycle forever (ELOOP here).
// - libseccomp's BPF generator does not always follow this tree (see staleAccumulatorRisk).

export type ScmpCompare = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

/** One argument comparison of a rule, as seccomp_rule_add takes it (struct scmp_arg_cmp). */
export interface ScmpArgCmp {
  readonly arg: number;
  readonly op: ScmpCompare;
  /** The value, or the mask for SCMP_CMP_MASKED_EQ. */
  readonly datumA: bigint;
  /** The value for SCMP_CMP_MASKED_EQ. */
  readonly datumB: bigint;
}

export interface ScmpRule {
  /** Action as the filter returns it (u32). */
  readonly action: number;
  readonly args: readonly ScmpArgCmp[];
  /** Caller's tag, carried to the actions it sets (the OCI entry a rule came from). */
  readonly origin: number;
  /**
   * A socket or IPC call made through a multiplexer (i386's socketcall and ipc): argument 0's
   * comparison becomes `arg0 == multiplexed`, whatever the rule said of it (abi_rule_add).
   */
  readonly multiplexed?: number;
}

/** A node of the tree: a test of one 32-bit word of an argument. */
interface DbNode {
  refcnt: number;
  readonly arg: number;
  /** The high word of the argument (arg_h_flg). */
  readonly high: boolean;
  readonly op: 'EQ' | 'MASKED_EQ' | 'GT' | 'GE';
  readonly opOrig: ScmpCompare;
  readonly mask: number;
  readonly datum: number;
  readonly datumFull: bigint;
  actT: number | undefined;
  actTOrigin: number;
  actF: number | undefined;
  actFOrigin: number;
  nxtT: DbNode | null;
  nxtF: DbNode | null;
  lvlPrv: DbNode | null;
  lvlNxt: DbNode | null;
}

/** A syscall's entry (struct db_sys_list). */
interface DbSys {
  chains: DbNode | null;
  action: number;
  actionOrigin: number;
  nodeCnt: number;
}

/** A place a node pointer is stored (C's `struct db_arg_chain_tree **`). */
interface Ref {
  get(): DbNode | null;
  set(node: DbNode | null): void;
}

function local(node: DbNode | null): Ref & { v: DbNode | null } {
  return { v: node, get() { return this.v; }, set(n) { this.v = n; } };
}
const field = (node: DbNode, key: 'nxtT' | 'nxtF'): Ref => ({ get: () => node[key], set: (n) => { node[key] = n; } });
const chainsOf = (sys: DbSys): Ref => ({ get: () => sys.chains, set: (n) => { sys.chains = n; } });

const EEXIST = -17;
const EINVAL = -22;
/** libseccomp never returns: some rule sets send its tree code round a cycle (runc then hangs). */
export const ELOOP = -40;

/** Steps any one operation may take; libseccomp's own loops would run forever past it. */
const STEP_BUDGET = 2_000_000;
let steps = 0;
class Looping extends Error {}
function step(): void {
  if (++steps > STEP_BUDGET) throw new Looping('libseccomp loops forever on these rules');
}
/** Runs one operation of the database under the step budget. */
function bounded<T>(operation: () => T, onLoop: () => T): T {
  steps = 0;
  try {
    return operation();
  } catch (error) {
    if (error instanceof Looping) return onLoop();
    throw error;
  }
}

// db_iter_state flags
const IST_MATCH = 0x1;
const IST_MATCH_ONCE = 0x2;
const IST_X_FINISHED = 0x10;
const IST_N_FINISHED = 0x20;
const IST_X_PREFIX = 0x100;
const IST_N_PREFIX = 0x200;
const IST_M_MATCHSET = IST_MATCH | IST_MATCH_ONCE;
const IST_M_REDUNDANT = IST_MATCH | IST_X_FINISHED | IST_N_PREFIX;

interface IterState {
  flags: number;
  action: number;
  sx: DbSys;
}

const argPriority = (a: DbNode): number => (a.arg << 1) + (a.high ? 1 : 0);

function opPriority(op: ScmpCompare): number {
  switch (op) {
    case 'SCMP_CMP_MASKED_EQ':
    case 'SCMP_CMP_EQ':
    case 'SCMP_CMP_NE': return 3;
    case 'SCMP_CMP_LE':
    case 'SCMP_CMP_LT': return 2;
    case 'SCMP_CMP_GE':
    case 'SCMP_CMP_GT': return 1;
  }
}

/** _db_chain_lt */
function chainLt(a: DbNode, b: DbNode): boolean {
  const aArg = argPriority(a);
  const bArg = argPriority(b);
  if (aArg < bArg) return true;
  if (aArg > bArg) return false;
  const aOp = opPriority(a.opOrig);
  const bOp = opPriority(b.opOrig);
  if (aOp < bOp) return true;
  if (aOp > bOp) return false;
  if (a.opOrig === 'SCMP_CMP_LE' || a.opOrig === 'SCMP_CMP_LT') return a.datum > b.datum;
  return a.datum < b.datum;
}

/** _db_chain_eq */
function chainEq(a: DbNode, b: DbNode): boolean {
  return argPriority(a) === argPriority(b) && a.op === b.op && a.datum === b.datum && a.mask === b.mask;
}

const isLeaf = (n: DbNode): boolean => n.nxtT === null && n.nxtF === null;
const isZombie = (n: DbNode): boolean => isLeaf(n) && n.actT === undefined && n.actF === undefined;

function nodeGet(node: DbNode | null): DbNode | null {
  if (node !== null) node.refcnt++;
  return node;
}

/** _db_level_clean */
function levelClean(node: DbNode): number {
  let cnt = 0;
  let n: DbNode | null = node;
  while (n.lvlPrv) {
    step();
    n = n.lvlPrv;
  }
  const start = n;
  while (n !== null) {
    step();
    let links = 0;
    if (n.lvlPrv) links++;
    if (n.lvlNxt) links++;
    if (n.refcnt > links) return cnt;
    n = n.lvlNxt;
  }
  const it = local(start);
  while (it.v !== null) {
    step();
    cnt += nodePut(it);
  }
  return cnt;
}

/** _db_tree_put */
function treePut(tree: Ref): number {
  let cnt = nodePut(tree);
  const rest = tree.get();
  if (rest) cnt += levelClean(rest);
  return cnt;
}

/** _db_node_put */
function nodePut(ref: Ref): number {
  let cnt = 0;
  const n = ref.get();
  if (n === null) return 0;
  if (--n.refcnt === 0) {
    const lvlP = local(n.lvlPrv);
    const lvlN = local(n.lvlNxt);
    const nxtT = local(n.nxtT);
    const nxtF = local(n.nxtF);
    if (lvlP.v) lvlP.v.lvlNxt = null;
    if (lvlN.v) lvlN.v.lvlPrv = null;
    if (lvlP.v) cnt += nodePut(lvlP);
    if (lvlN.v) cnt += nodePut(lvlN);
    if (lvlP.v) lvlP.v.lvlNxt = nodeGet(lvlN.v);
    if (lvlN.v) lvlN.v.lvlPrv = nodeGet(lvlP.v);
    ref.set(lvlP.v ?? lvlN.v ?? null);
    cnt += treePut(nxtT);
    cnt += treePut(nxtF);
    cnt++;
  }
  return cnt;
}

/** _db_tree_remove */
function treeRemove(tree: Ref, node: DbNode): number {
  let cnt = 0;
  if (tree.get() === null) return 0;
  let c: DbNode | null = tree.get()!;
  while (c.lvlPrv !== null) {
    step();
    c = c.lvlPrv;
  }
  let found: DbNode | undefined;
  do {
    step();
    if (c === node) {
      found = c;
      break;
    }
    cnt += treeRemove(field(c, 'nxtT'), node);
    cnt += treeRemove(field(c, 'nxtF'), node);
    if (isZombie(c)) {
      found = c;
      break;
    }
    c = c.lvlNxt;
  } while (c !== null && cnt === 0);
  if (found === undefined) return cnt;

  const it = found;
  if (it === tree.get()) tree.set(it.lvlPrv !== null ? it.lvlPrv : it.lvlNxt);
  if (it.lvlPrv) it.lvlPrv.lvlNxt = it.lvlNxt;
  if (it.lvlNxt) it.lvlNxt.lvlPrv = it.lvlPrv;
  it.lvlPrv = null;
  it.lvlNxt = null;
  cnt += nodePut(local(it));
  return cnt;
}

/** _db_tree_act_check: 0 when every action of the tree is `action`, else EEXIST. */
function treeActCheck(tree: DbNode | null, action: number): number {
  if (tree === null) return 0;
  let c: DbNode | null = tree;
  while (c.lvlPrv !== null) {
    step();
    c = c.lvlPrv;
  }
  do {
    step();
    if (c.actT !== undefined && c.actT !== action) return EEXIST;
    if (c.actF !== undefined && c.actF !== action) return EEXIST;
    let rc = treeActCheck(c.nxtT, action);
    if (rc < 0) return rc;
    rc = treeActCheck(c.nxtF, action);
    if (rc < 0) return rc;
    c = c.lvlNxt;
  } while (c !== null);
  return 0;
}

/** _db_tree_prune: removes existing sub-trees the new tree makes redundant; returns nodes removed. */
function treePrune(existing: Ref, newTree: DbNode | null, state: IterState): number {
  let cnt = 0;
  const stateNew: IterState = { ...state };
  const xIter = local(existing.get());
  const nIter = newTree;

  const finish = (): number => {
    if (stateNew.flags & IST_MATCH) state.flags |= stateNew.flags;
    else state.flags &= ~IST_MATCH;
    return cnt;
  };

  if (nIter === null || xIter.v === null) return finish();
  if ((state.flags & IST_M_MATCHSET) === IST_MATCH_ONCE) return finish();
  while (xIter.v.lvlPrv) {
    step();
    xIter.v = xIter.v.lvlPrv;
  }

  do {
    step();
    const x: DbNode = xIter.v!;
    const xNext = x.lvlNxt;
    let next = false;

    if (chainEq(x, nIter)) {
      stateNew.flags |= IST_M_MATCHSET;
      if (isLeaf(nIter)) stateNew.flags |= IST_N_FINISHED;
      if (isLeaf(x)) stateNew.flags |= IST_X_FINISHED;
      if ((x.actT !== undefined || x.nxtT) && !(nIter.actT !== undefined || nIter.nxtT)) return finish();
      if ((x.actF !== undefined || x.nxtF) && !(nIter.actF !== undefined || nIter.nxtF)) return finish();
      if ((stateNew.flags & IST_N_FINISHED) && (stateNew.flags & IST_X_FINISHED)) {
        if ((nIter.actT !== undefined) !== (x.actT !== undefined)) return finish();
        if ((nIter.actT ?? 0) !== (x.actT ?? 0)) return finish();
        if ((nIter.actF !== undefined) !== (x.actF !== undefined)) return finish();
        if ((nIter.actF ?? 0) !== (x.actF ?? 0)) return finish();
      }
      if (nIter.nxtT) {
        nodeGet(xIter.v);
        const stateNxt: IterState = { ...state, flags: state.flags | IST_M_MATCHSET };
        cnt += treePrune(field(xIter.v!, 'nxtT'), nIter.nxtT, stateNxt);
        cnt += nodePut(xIter);
        if (stateNxt.flags & IST_MATCH) stateNew.flags |= stateNxt.flags;
        if (xIter.v === null) next = true;
      }
      if (!next && nIter.nxtF) {
        nodeGet(xIter.v);
        const stateNxt: IterState = { ...state, flags: state.flags | IST_M_MATCHSET };
        cnt += treePrune(field(xIter.v!, 'nxtF'), nIter.nxtF, stateNxt);
        cnt += nodePut(xIter);
        if (stateNxt.flags & IST_MATCH) stateNew.flags |= stateNxt.flags;
        if (xIter.v === null) next = true;
      }
      if (!next) {
        const cur = xIter.v!;
        if (!treeActCheck(cur, stateNew.action) && (stateNew.flags & IST_MATCH) && (stateNew.flags & IST_N_FINISHED) && (stateNew.flags & IST_X_PREFIX)) {
          // the new tree is "shorter"
          cnt += treeRemove(chainsOf(state.sx), cur);
          if (state.sx.chains === null) return finish();
        } else if (!treeActCheck(cur, stateNew.action) && (stateNew.flags & IST_MATCH) && (stateNew.flags & IST_X_FINISHED) && (stateNew.flags & IST_N_PREFIX)) {
          // the new tree is "longer"
          return finish();
        }
      }
    } else if (chainLt(x, nIter)) {
      if (state.flags & IST_N_PREFIX) return finish();
      if (x.nxtT) {
        nodeGet(xIter.v);
        const stateNxt: IterState = { ...state, flags: (state.flags & ~IST_MATCH) | IST_X_PREFIX };
        cnt += treePrune(field(xIter.v!, 'nxtT'), nIter, stateNxt);
        cnt += nodePut(xIter);
        if (stateNxt.flags & IST_MATCH) {
          stateNew.flags |= stateNxt.flags;
          return finish();
        }
        if (xIter.v === null) next = true;
      }
      if (!next && xIter.v!.nxtF) {
        nodeGet(xIter.v);
        const stateNxt: IterState = { ...state, flags: (state.flags & ~IST_MATCH) | IST_X_PREFIX };
        cnt += treePrune(field(xIter.v!, 'nxtF'), nIter, stateNxt);
        cnt += nodePut(xIter);
        if (stateNxt.flags & IST_MATCH) {
          stateNew.flags |= stateNxt.flags;
          return finish();
        }
        if (xIter.v === null) next = true;
      }
    } else {
      if (state.flags & IST_X_PREFIX) return finish();
      if (nIter.nxtT) {
        nodeGet(xIter.v);
        const stateNxt: IterState = { ...state, flags: (state.flags & ~IST_MATCH) | IST_N_PREFIX };
        cnt += treePrune(xIter, nIter.nxtT, stateNxt);
        cnt += nodePut(xIter);
        if (stateNxt.flags & IST_MATCH) {
          stateNew.flags |= stateNxt.flags;
          return finish();
        }
        if (xIter.v === null) next = true;
      }
      if (!next && nIter.nxtF) {
        nodeGet(xIter.v);
        const stateNxt: IterState = { ...state, flags: (state.flags & ~IST_MATCH) | IST_N_PREFIX };
        cnt += treePrune(xIter, nIter.nxtF, stateNxt);
        cnt += nodePut(xIter);
        if (stateNxt.flags & IST_MATCH) {
          stateNew.flags |= stateNxt.flags;
          return finish();
        }
        if (xIter.v === null) next = true;
      }
    }
    // prune_next_node
    xIter.v = xNext;
  } while (xIter.v);

  stateNew.flags &= ~IST_MATCH;
  return finish();
}

/** _db_tree_add: 0, or EEXIST when the new tree conflicts with the existing one. */
function treeAdd(existing: Ref, newTree: DbNode, state: IterState): number {
  let x: DbNode | null = existing.get();
  const n = newTree;
  do {
    step();
    if (x === null) return 0;
    if (chainEq(x, n)) {
      if (n.actT !== undefined) {
        if (x.actT === undefined) {
          const rc = treeActCheck(x.nxtT, n.actT);
          if (rc !== 0) return rc;
          const removed = nodePut(field(x, 'nxtT'));
          x.nxtT = null;
          x.actT = n.actT;
          x.actTOrigin = n.actTOrigin;
          state.sx.nodeCnt -= removed;
        } else if (n.actT !== x.actT) {
          if (n.high && n.datumFull > x.datumFull) {
            x.actT = n.actT;
            x.actTOrigin = n.actTOrigin;
          }
          if (isLeaf(x) || isLeaf(n)) return EEXIST;
        }
      }
      if (n.actF !== undefined) {
        if (x.actF === undefined) {
          const rc = treeActCheck(x.nxtF, n.actF);
          if (rc !== 0) return rc;
          const removed = nodePut(field(x, 'nxtF'));
          x.nxtF = null;
          x.actF = n.actF;
          x.actFOrigin = n.actFOrigin;
          state.sx.nodeCnt -= removed;
        } else if (n.actF !== x.actF) {
          // libseccomp copies the true action here (db.c, _db_tree_add); ported as is.
          if (n.high && n.datumFull < x.datumFull) {
            x.actT = n.actT;
            x.actTOrigin = n.actTOrigin;
          }
          if (isLeaf(x) || isLeaf(n)) return EEXIST;
        }
      }
      if (n.nxtT) {
        if (x.nxtT) {
          const rc = treeAdd(field(x, 'nxtT'), n.nxtT, state);
          if (rc !== 0) return rc;
        } else if (x.actT === undefined) {
          x.nxtT = nodeGet(n.nxtT);
        } else {
          return 0;
        }
      }
      if (n.nxtF) {
        if (x.nxtF) {
          const rc = treeAdd(field(x, 'nxtF'), n.nxtF, state);
          if (rc !== 0) return rc;
        } else if (x.actF === undefined) {
          x.nxtF = nodeGet(n.nxtF);
        } else {
          return 0;
        }
      }
      return 0;
    } else if (!chainLt(x, n)) {
      if (x.lvlNxt === null) {
        n.lvlPrv = nodeGet(x);
        x.lvlNxt = nodeGet(n);
        return 0;
      }
      x = x.lvlNxt;
    } else {
      if (x.lvlPrv !== null) {
        x.lvlPrv.lvlNxt = nodeGet(n);
        n.lvlPrv = x.lvlPrv;
        x.lvlPrv = nodeGet(n);
        n.lvlNxt = x;
      } else {
        x.lvlPrv = nodeGet(n);
        n.lvlNxt = nodeGet(x);
      }
      if (existing.get() === x) {
        existing.set(nodeGet(n));
        nodePut(local(x));
      }
      return 0;
    }
  } while (x);
  return 0;
}

/** A node testing `(word & mask) op datum` of a comparison of `arg` (opOrig, datumFull). */
function newNode(arg: number, opOrig: ScmpCompare, datumFull: bigint, high: boolean, op: DbNode['op'], mask: number, datum: number): DbNode {
  return { refcnt: 0, arg, high, op, opOrig, mask, datum, datumFull, actT: undefined, actTOrigin: -1, actF: undefined, actFOrigin: -1, nxtT: null, nxtF: null, lvlPrv: null, lvlNxt: null };
}

const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);
const lo32 = (v: bigint): number => Number(v & 0xffffffffn);

interface GenState {
  prev: DbNode[];
  /** Link the next comparison (or the action) on the true branch of `prev`, else the false one. */
  tf: boolean;
}

/** _db_rule_gen_arg_64: the nodes of one 64-bit comparison (mask and datum as db_col_rule_add sets them). */
function genArg64(sys: DbSys, arg: number, op: ScmpCompare, mask: bigint, datum: bigint, gen: GenState): void {
  // a masked comparison with an empty mask is always true: no nodes
  // BigInt arithmetic is slow: each word once.
  const maskHigh = hi32(mask);
  const maskLow = lo32(mask);
  if (op === 'SCMP_CMP_MASKED_EQ' && maskHigh === 0 && maskLow === 0) return;
  const datumHigh = (hi32(datum) & maskHigh) >>> 0;
  const datumLow = (lo32(datum) & maskLow) >>> 0;
  let c: DbNode[];
  switch (op) {
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE':
    case 'SCMP_CMP_LE':
    case 'SCMP_CMP_LT':
      c = [
        newNode(arg, op, datum, true, 'GT', maskHigh, datumHigh),
        newNode(arg, op, datum, true, 'EQ', maskHigh, datumHigh),
        newNode(arg, op, datum, false, op === 'SCMP_CMP_GT' || op === 'SCMP_CMP_LE' ? 'GT' : 'GE', maskLow, datumLow),
      ];
      break;
    default: {
      const wordOp = op === 'SCMP_CMP_MASKED_EQ' ? 'MASKED_EQ' : 'EQ';
      c = [newNode(arg, op, datum, true, wordOp, maskHigh, datumHigh), newNode(arg, op, datum, false, wordOp, maskLow, datumLow)];
    }
  }
  for (const p of gen.prev) {
    if (gen.tf) p.nxtT = nodeGet(c[0]!);
    else p.nxtF = nodeGet(c[0]!);
  }
  if (c.length === 3) {
    c[0]!.nxtF = nodeGet(c[1]!);
    c[1]!.nxtT = nodeGet(c[2]!);
  } else {
    c[0]!.nxtT = nodeGet(c[1]!);
  }
  if (sys.chains === null) sys.chains = nodeGet(c[0]!);
  switch (op) {
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': gen.prev = [c[0]!, c[2]!]; gen.tf = true; break;
    case 'SCMP_CMP_EQ':
    case 'SCMP_CMP_MASKED_EQ': gen.prev = [c[1]!]; gen.tf = true; break;
    case 'SCMP_CMP_LE':
    case 'SCMP_CMP_LT': gen.prev = [c[1]!, c[2]!]; gen.tf = false; break;
    case 'SCMP_CMP_NE': gen.prev = [c[0]!, c[1]!]; gen.tf = false; break;
  }
  sys.nodeCnt += c.length;
}

/** One comparison of _db_rule_gen_32: a single node on the low word (the datum's upper half is dropped). */
function genArg32(sys: DbSys, arg: number, op: ScmpCompare, mask: bigint, datum: bigint, gen: GenState): void {
  // a masked comparison whose mask has an empty low word is always true: no node
  if (op === 'SCMP_CMP_MASKED_EQ' && lo32(mask) === 0) return;
  const maskLow = lo32(mask);
  const rewritten = { SCMP_CMP_NE: 'EQ', SCMP_CMP_LT: 'GE', SCMP_CMP_LE: 'GT', SCMP_CMP_EQ: 'EQ', SCMP_CMP_GE: 'GE', SCMP_CMP_GT: 'GT', SCMP_CMP_MASKED_EQ: 'MASKED_EQ' } as const;
  const node = newNode(arg, op, datum, false, rewritten[op], maskLow, (lo32(datum) & maskLow) >>> 0);
  for (const p of gen.prev) {
    if (gen.tf) p.nxtT = nodeGet(node);
    else p.nxtF = nodeGet(node);
  }
  if (sys.chains === null) sys.chains = nodeGet(node);
  gen.prev = [node];
  gen.tf = !(op === 'SCMP_CMP_NE' || op === 'SCMP_CMP_LT' || op === 'SCMP_CMP_LE');
  sys.nodeCnt++;
}

/** _db_rule_gen */
function ruleGen(rule: ScmpRule, chain: readonly (ScmpArgCmp & { mask: bigint; datum: bigint } | undefined)[], bits: 32 | 64): DbSys {
  const sys: DbSys = { chains: null, action: 0, actionOrigin: -1, nodeCnt: 0 };
  const gen: GenState = { prev: [], tf: false };
  const genArg = bits === 64 ? genArg64 : genArg32;
  for (const cmp of chain) if (cmp) genArg(sys, cmp.arg, cmp.op, cmp.mask, cmp.datum, gen);
  if (sys.chains !== null) {
    for (const p of gen.prev) {
      if (gen.tf) {
        p.actT = rule.action;
        p.actTOrigin = rule.origin;
      } else {
        p.actF = rule.action;
        p.actFOrigin = rule.origin;
      }
    }
  } else {
    sys.action = rule.action;
    sys.actionOrigin = rule.origin;
  }
  return sys;
}

const ARG_COUNT_MAX = 6;
const DATUM_MAX = 0xffffffffffffffffn;

/** The rules of one syscall, merged the way libseccomp merges them. */
export class SyscallDb {
  private entry: DbSys | undefined;

  /** `bits`: the ABI's argument width as libseccomp sees it (arch_def.size). */
  constructor(private readonly bits: 32 | 64 = 64) {}

  /**
   * db_col_rule_add + db_rule_add: 0 on success, EINVAL for a repeated or out-of-range argument
   * index, EEXIST when libseccomp refuses the rule, ELOOP when libseccomp would never return. On an error the database is unusable (libseccomp
   * would restore a snapshot; callers stop at the first error).
   */
  add(rule: ScmpRule): number {
    return bounded(() => this.addRule(rule), () => ELOOP);
  }

  private addRule(rule: ScmpRule): number {
    const chain: (ScmpArgCmp & { mask: bigint; datum: bigint } | undefined)[] = Array.from({ length: ARG_COUNT_MAX }, () => undefined);
    for (const cmp of rule.args) {
      if (cmp.arg < 0 || cmp.arg >= ARG_COUNT_MAX || chain[cmp.arg] !== undefined) return EINVAL;
      const masked = cmp.op === 'SCMP_CMP_MASKED_EQ';
      chain[cmp.arg] = { ...cmp, mask: masked ? cmp.datumA : DATUM_MAX, datum: masked ? cmp.datumB : cmp.datumA };
    }
    if (rule.multiplexed !== undefined) chain[0] = { arg: 0, op: 'SCMP_CMP_EQ', datumA: BigInt(rule.multiplexed), datumB: 0n, mask: DATUM_MAX, datum: BigInt(rule.multiplexed) };
    const sNew = ruleGen(rule, chain, this.bits);
    let rmFlag = false;
    for (;;) {
      const existing = this.entry;
      if (existing === undefined) {
        this.entry = sNew;
        return 0;
      }
      if (existing.chains === null) {
        if (rmFlag) {
          existing.chains = sNew.chains;
          existing.action = sNew.action;
          existing.actionOrigin = sNew.actionOrigin;
          existing.nodeCnt = sNew.nodeCnt;
          return 0;
        }
        // the existing unconditional rule is at least as large as the new one
        treePut(chainsOf(sNew));
        return 0;
      }
      if (sNew.chains === null) {
        // an unconditional rule replaces every chain
        treePut(chainsOf(existing));
        existing.chains = null;
        existing.nodeCnt = 0;
        existing.action = rule.action;
        existing.actionOrigin = rule.origin;
        return 0;
      }
      const state: IterState = { flags: 0, action: rule.action, sx: existing };
      const removed = treePrune(chainsOf(existing), sNew.chains, state);
      if (removed > 0) {
        rmFlag = true;
        existing.nodeCnt -= removed;
        if (existing.chains === null) continue; // add_reset
      } else if ((state.flags & IST_M_REDUNDANT) === IST_M_REDUNDANT) {
        // the existing tree is "shorter": drop the new rule
        treePut(chainsOf(sNew));
        return 0;
      }
      const addState: IterState = { flags: 0, action: 0, sx: existing };
      const rc = treeAdd(chainsOf(existing), sNew.chains, addState);
      if (rc < 0) return rc;
      existing.nodeCnt += sNew.nodeCnt;
      existing.nodeCnt -= treePut(chainsOf(sNew));
      return 0;
    }
  }

  /**
   * Whether libseccomp 2.5's BPF may contradict this tree. libseccomp tracks the accumulator per
   * level, not per path (gen_bpf.c, _gen_bpf_node): a node M testing the same word as the node P
   * before it on its level does not load it again, which is only right for calls that come from P
   * itself, not for calls that fall through from P's sub-levels after loading another word. Whether
   * a reload is added depends on the block layout (_gen_bpf_build_bpf): for a syscall on its own,
   * M is placed right after P without a reload when P's true branch falls straight to M and its
   * false branch has a sub-level; but identical blocks are shared between syscalls, so a sub-level
   * or tail shared with another syscall's rules may be laid out for that syscall. `shared` says
   * whether a level (by key) also occurs in another syscall's tree. Over-approximates; checked
   * against libseccomp by test/oci/differential.test.ts.
   */
  staleAccumulatorRisk(shared: (levelKey: string) => boolean): boolean {
    const chains = this.entry?.chains;
    return chains ? bounded(() => levelRisk(chains, shared), () => true) : false;
  }

  /** Keys of the tree (`tree`) and of every level below the top one, for staleAccumulatorRisk. */
  levelKeys(): { tree: string; levels: string[] } {
    const chains = this.entry?.chains;
    if (!chains) return { tree: `u${this.entry?.action ?? '-'}`, levels: [] };
    const levels: string[] = [];
    const tree = bounded(() => levelKey(chains, levels), () => 'loops');
    return { tree, levels };
  }

  /** The decision list the BPF generator's walk of the tree amounts to. */
  decisions(): SyscallDecisions {
    const entry = this.entry;
    if (entry === undefined) return { kind: 'none' };
    if (entry.chains === null) return { kind: 'unconditional', action: entry.action, origin: entry.actionOrigin };
    const paths: DbPath[] = [];
    const chains = entry.chains;
    return bounded<SyscallDecisions>(() => {
      walkLevel(chains, [], paths);
      return { kind: 'paths', paths };
    }, () => ({ kind: 'loops' }));
  }
}

/** A test of one 32-bit word of an argument: `(word & mask) op datum`, possibly negated. */
export interface WordCheck {
  readonly arg: number;
  readonly high: boolean;
  readonly op: 'eq' | 'gt' | 'ge';
  readonly mask: number;
  readonly datum: number;
  /** The path takes the false branch of this test. */
  readonly negated: boolean;
}

/** One way through the tree to an action: all its checks hold. Paths are tried in order. */
export interface DbPath {
  readonly checks: readonly WordCheck[];
  readonly action: number;
  readonly origin: number;
}

export type SyscallDecisions =
  | { readonly kind: 'none' }
  | { readonly kind: 'unconditional'; readonly action: number; readonly origin: number }
  | { readonly kind: 'paths'; readonly paths: readonly DbPath[] }
  /** The tree has a cycle: libseccomp's BPF generator would not finish. */
  | { readonly kind: 'loops' };

/**
 * _gen_bpf_chain / _gen_bpf_node as a decision list: the nodes of a level are tried in order; a
 * node's branch continues into its sub-level or ends in its action; a branch with neither, or a
 * sub-level where nothing matches, falls through to the next node of the level (at the top
 * level: the default action).
 */
function walkLevel(chain: DbNode, prefix: readonly WordCheck[], paths: DbPath[]): void {
  let c: DbNode | null = chain;
  while (c.lvlPrv !== null) {
    step();
    c = c.lvlPrv;
  }
  for (; c !== null; c = c.lvlNxt) {
    step();
    const op = c.op === 'GT' ? 'gt' : c.op === 'GE' ? 'ge' : 'eq';
    for (const negated of [false, true]) {
      const check: WordCheck = { arg: c.arg, high: c.high, op, mask: c.mask, datum: c.datum, negated };
      const next = negated ? c.nxtF : c.nxtT;
      const action = negated ? c.actF : c.actT;
      if (next !== null) walkLevel(next, [...prefix, check], paths);
      else if (action !== undefined) paths.push({ checks: [...prefix, check], action, origin: negated ? c.actFOrigin : c.actTOrigin });
    }
  }
}

const first = (node: DbNode): DbNode => {
  let c = node;
  while (c.lvlPrv !== null) {
    step();
    c = c.lvlPrv;
  }
  return c;
};

/** A node with what follows it on its level and below it, as libseccomp's block hashes tell blocks apart. */
function suffixKey(node: DbNode, levels?: string[]): string {
  const parts: string[] = [];
  for (let c: DbNode | null = node; c !== null; c = c.lvlNxt) {
    step();
    const t = c.nxtT ? `[${levelKey(c.nxtT, levels)}]` : `${c.actT ?? '-'}`;
    const f = c.nxtF ? `[${levelKey(c.nxtF, levels)}]` : `${c.actF ?? '-'}`;
    parts.push(`${c.arg}${c.high ? 'h' : 'l'}${c.op}:${c.mask}:${c.datum}?${t}:${f}`);
  }
  return parts.join('|');
}

function levelKey(node: DbNode, levels?: string[]): string {
  const key = suffixKey(first(node), levels);
  levels?.push(key);
  return key;
}

function levelRisk(chain: DbNode, shared: (levelKey: string) => boolean): boolean {
  for (let c: DbNode | null = first(chain); c !== null; c = c.lvlNxt) {
    step();
    const next = c.lvlNxt;
    const reusesWord = next !== null && next.arg === c.arg && next.high === c.high && ((next.mask & c.mask) >>> 0) === next.mask;
    if (reusesWord && (c.nxtT !== null || c.nxtF !== null)) {
      const alone = c.nxtT === null && c.actT === undefined && c.nxtF !== null;
      const sharedBelow = [c.nxtT, c.nxtF].some((sub) => sub !== null && shared(levelKey(sub)));
      if (alone || sharedBelow || shared(suffixKey(next))) return true;
    }
    if (c.nxtT && levelRisk(c.nxtT, shared)) return true;
    if (c.nxtF && levelRisk(c.nxtF, shared)) return true;
  }
  return false;
}
