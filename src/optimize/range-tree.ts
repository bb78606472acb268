// Optimal alphabetic search trees over consecutive ranges of a number line: each internal node
// asks `A >= split`, each leaf is a range. The expected number of comparisons, weighted by how
// often each range is hit, is minimal. Used for the syscall-number dispatch, and as the bound the
// benchmark reports.

export type RangeTree =
  | { readonly kind: 'leaf'; readonly index: number }
  /** Ranges `first..split-1` on the left (A < lo of `split`), `split..last` on the right. */
  | { readonly kind: 'split'; readonly split: number; readonly left: RangeTree; readonly right: RangeTree };

export interface OptimalTree {
  readonly tree: RangeTree;
  /** Σ weight × comparisons over the leaves. */
  readonly cost: number;
  /** Comparisons on the longest path. */
  readonly depth: number;
}

/**
 * The optimal tree for leaves with these weights (all ≥ 0), by the Garsia–Wachs algorithm. Phase 1
 * builds an optimal tree that may reorder the leaves: it repeatedly joins the leftmost adjacent
 * pair (a, b) whose next neighbour weighs at least as much as a, and moves the joined node left
 * past every lighter node. Phase 2 reads each leaf's depth off that tree; an alphabetic tree with
 * the same depths exists and is optimal too, and phase 3 builds it. O(n²) at worst with arrays;
 * what matters more is that its loops stay short: this runs once per compile, in code V8 has not
 * optimised, and a loop hot enough for TurboFan would make the process wait for that compile.
 */
export function optimalRangeTree(weights: readonly number[]): OptimalTree {
  const n = weights.length;
  if (n === 0) throw new Error('a range tree needs at least one range');
  const depths = garsiaWachsDepths(weights);
  const tree = treeOfDepths(depths);
  let cost = 0;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    cost += weights[i]! * depths[i]!;
    depth = Math.max(depth, depths[i]!);
  }
  return { tree, cost, depth };
}

/** Phases 1 and 2: the depth of each leaf in an optimal tree. */
function garsiaWachsDepths(weights: ArrayLike<number>): Int32Array {
  const n = weights.length;
  // Nodes 0..n-1 are the leaves, n.. the joined pairs.
  const weight = new Float64Array(2 * n - 1);
  const left = new Int32Array(2 * n - 1);
  const right = new Int32Array(2 * n - 1);
  weight.set(weights);
  // The working sequence, row[0..length-1]: a typed array whose moves are memmoves (copyWithin),
  // where splicing an array allocated an array of the removed pair on every join.
  const row = new Int32Array(n);
  for (let i = 0; i < n; i++) row[i] = i;
  let length = n;
  let next = n;
  // Every pair left of `from` has a lighter node after it: none there can be joined.
  let from = 1;
  while (length > 1) {
    let k = from;
    while (k + 1 < length && weight[row[k - 1]!]! > weight[row[k + 1]!]!) k++;
    const joined = next++;
    left[joined] = row[k - 1]!;
    right[joined] = row[k]!;
    weight[joined] = weight[row[k - 1]!]! + weight[row[k]!]!;
    // Where the joined node goes: left past every lighter node before the pair.
    let at = k - 1;
    while (at > 0 && weight[row[at - 1]!]! < weight[joined]!) at--;
    // Remove the pair (k-1, k) and insert the joined node at `at` ≤ k-1 in two moves.
    row.copyWithin(at + 1, at, k - 1);
    row[at] = joined;
    row.copyWithin(k, k + 1, length);
    length--;
    from = Math.max(1, at - 1);
  }
  const depths = new Int32Array(n);
  const stack = [row[0]!, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const node = stack.pop()!;
    if (node < n) depths[node] = depth;
    else stack.push(left[node]!, depth + 1, right[node]!, depth + 1);
  }
  return depths;
}

/** Phase 3: the tree whose leaves, in order, sit at these depths (a sequence phase 2 produced). */
function treeOfDepths(depths: Int32Array): RangeTree {
  // Subtrees still waiting for a sibling, with the depth of their root and their first leaf.
  const trees: RangeTree[] = [];
  const depthOf: number[] = [];
  const firstOf: number[] = [];
  for (let i = 0; i < depths.length; i++) {
    let tree: RangeTree = { kind: 'leaf', index: i };
    let depth = depths[i]!;
    let first = i;
    while (trees.length > 0 && depthOf[depthOf.length - 1] === depth) {
      tree = { kind: 'split', split: first, left: trees.pop()!, right: tree };
      depthOf.pop();
      first = firstOf.pop()!;
      depth--;
    }
    trees.push(tree);
    depthOf.push(depth);
    firstOf.push(first);
  }
  if (trees.length !== 1) throw new Error('leaf depths that no alphabetic tree has');
  return trees[0]!;
}

export function treeDepth(tree: RangeTree): number {
  return tree.kind === 'leaf' ? 0 : 1 + Math.max(treeDepth(tree.left), treeDepth(tree.right));
}

/** Most leaves for which the search within depth limits is exact (its tables grow with n² × depth). */
export const MAX_EXACT_LEAVES = 256;

/**
 * A tree that keeps every leaf within its depth limit (`limits[i]` comparisons for leaf i) and is
 * as cheap as found for these weights: the unconstrained optimum when it fits (on most policies),
 * else with `exact` (the default) the optimum within the limits (`limitedOptimalTree`), without it
 * or beyond MAX_EXACT_LEAVES leaves the tree found by raising the weights of leaves that sit too
 * deep (a few tenths of a percent over the optimum on average, and cheaper at a cold start).
 * `alternatives` (say, the tree another mix would have chosen) are taken when cheaper, so that no
 * tree on offer that fits beats the result. A balanced tree (or `fallback`) is the last resort.
 */
export function boundedRangeTree(weights: readonly number[], limits: readonly number[], options: { fallback?: () => RangeTree; alternatives?: readonly RangeTree[]; exact?: boolean } = {}): OptimalTree {
  let best: RangeTree | undefined;
  let bestCost = Infinity;
  for (const tree of [withinLimits(weights, limits, options.exact ?? true), ...(options.alternatives ?? [])]) {
    if (!tree || !fits(tree, limits)) continue;
    const cost = weightedCost(tree, weights);
    if (cost < bestCost) [best, bestCost] = [tree, cost];
  }
  const tree = best ?? options.fallback?.() ?? balancedTree(0, weights.length - 1);
  return { tree, cost: weightedCost(tree, weights), depth: treeDepth(tree) };
}

function fits(tree: RangeTree, limits: readonly number[]): boolean {
  return leafDepths(tree).every((depth, i) => depth <= limits[i]!);
}

function withinLimits(weights: readonly number[], limits: readonly number[], exact: boolean): RangeTree | undefined {
  // The Lagrangian search's first round is the unconstrained optimum, returned when it fits.
  if (!exact || weights.length > MAX_EXACT_LEAVES) return boostedTree(weights, limits);
  const depths = garsiaWachsDepths(weights);
  if (depths.every((depth, i) => depth <= limits[i]!)) return treeOfDepths(depths);
  return limitedOptimalTree(weights, limits) ?? boostedTree(weights, limits);
}

/**
 * The cheapest alphabetic tree whose leaf i sits at most `limits[i]` deep, or undefined when none
 * does. Dynamic programming over the leaves i..j as a subtree rooted at depth d, from the deepest
 * level up: its cost is the cheapest split k of two subtrees at d + 1, plus the weight of i..j.
 * Knuth's bound on the split (between the best splits of i..j−1 and of i+1..j at the same depth)
 * keeps each level O(n²) instead of O(n³); it is not proven with depth limits, and the tests
 * compare the result with an unbounded search over thousands of random mixes (equal on all).
 */
export function limitedOptimalTree(weights: readonly number[], limits: readonly number[]): RangeTree | undefined {
  const n = weights.length;
  const levels = Math.min(Math.max(...limits), n - 1) + 1;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + weights[i]!;
  // splits[d][i * n + j]: the best split of i..j rooted at depth d (-1: no tree fits).
  const splits: Int16Array[] = [];
  let below = new Float64Array(0);
  for (let d = levels - 1; d >= 0; d--) {
    const cost = new Float64Array(n * n).fill(Infinity);
    const split = new Int16Array(n * n).fill(-1);
    for (let i = 0; i < n; i++) if (d <= limits[i]!) cost[i * n + i] = 0;
    const room = 2 ** Math.min(30, levels - 1 - d); // leaves a subtree at depth d can hold
    for (let length = 2; d < levels - 1 && length <= Math.min(n, room); length++) {
      for (let i = 0, j = length - 1; j < n; i++, j++) {
        const r1 = split[i * n + j - 1]!;
        const r2 = split[(i + 1) * n + j]!;
        const bounded = length > 2 && r1 >= 0 && r2 >= 0;
        const lo = bounded && r1 > i + 1 ? r1 : i + 1;
        const hi = bounded && r2 < j ? r2 : j;
        let best = Infinity;
        let at = -1;
        // Plain loops and no allocation: this runs in code V8 has not optimised.
        for (let k = lo, left = i * n + k - 1, right = k * n + j; k <= hi; k++, left++, right += n) {
          const c = below[left]! + below[right]!;
          if (c < best) {
            best = c;
            at = k;
          }
        }
        if (at < 0) continue;
        cost[i * n + j] = best + prefix[j + 1]! - prefix[i]!;
        split[i * n + j] = at;
      }
    }
    splits[d] = split;
    below = cost;
  }
  if (below[n - 1] === Infinity) return undefined;
  const build = (i: number, j: number, d: number): RangeTree => {
    if (i === j) return { kind: 'leaf', index: i };
    const k = splits[d]![i * n + j]!;
    return { kind: 'split', split: k, left: build(i, k - 1, d + 1), right: build(k, j, d + 1) };
  };
  return build(0, n - 1, 0);
}

/**
 * The optimal tree for the weights raised until every leaf fits its limit (a Lagrangian search
 * for the best tree within the limits), or undefined after 100 rounds. Leaves start with their
 * own weight; each round, a leaf too deep gets 1.25 times its raise plus 2^-(limit+½) of the
 * total, about the weight an optimal tree places at its limit. Against the exact optimum within
 * the limits (test/optimize.test.ts, 571 random mixes where the limits bind): 0.41% over it on
 * average, 14.8% at worst. Each round is a Garsia–Wachs run in code V8 has not optimised, so
 * rounds are what this costs: Docker's three trees take 13 (16 before leaves of no weight started
 * a hair above it; 35 with ×1.5 + 2^-(limit+4), used before 2026-12-03: 0.45% and 23.1%).
 */
function boostedTree(weights: readonly number[], limits: readonly number[]): RangeTree | undefined {
  const n = weights.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  total ||= 1;
  // Every leaf starts a hair (2^-40 of the total) above its weight: a run of leaves of no weight
  // then forms a balanced subtree, where Garsia–Wachs, joining the leftmost of equal pairs, chains
  // it a level deeper per leaf and the rounds below would push it back up leaf by leaf.
  const boost = new Float64Array(n).fill(total * 2 ** -40);
  const raised = new Float64Array(n);
  // Each round needs only the leaves' depths: the tree is built once, for the depths that fit.
  for (let round = 0; round < 100; round++) {
    for (let i = 0; i < n; i++) raised[i] = weights[i]! + boost[i]!;
    const depths = garsiaWachsDepths(raised);
    let fits = true;
    for (let i = 0; i < n; i++) {
      if (depths[i]! <= limits[i]!) continue;
      fits = false;
      boost[i] = boost[i]! * 1.25 + total * 2 ** -(limits[i]! + 0.5);
    }
    if (fits) return treeOfDepths(depths);
  }
  return undefined;
}

/**
 * The least possible worst path over all trees: min over trees of max over leaves of (depth +
 * cost of the leaf). A tree whose leaves sit no deeper than W − cost exists exactly when, leaf
 * by leaf and left to right, intervals of 2^−(W − cost) each fit in [0, 1) at the first multiple
 * of their own size (the intervals of a prefix code in order; a deeper leaf only takes less
 * room). In units of 2^−W, leaf i takes 2^cost wherever W is, so one packing gives the end the
 * leaves reach, and W is the least with 2^W at or past it. (With two leaves or more the end is
 * past 2^cost of the costliest, so no leaf sits at depth 0.)
 */
export function leastWorstPath(leafCosts: readonly number[]): number {
  return worstPathOf(packIntervals(leafCosts).end);
}

/** The least W with 2^W at or past a packing's end. */
function worstPathOf(end: bigint): number {
  return end === 1n ? 0 : (end - 1n).toString(2).length;
}

/** Each leaf's interval, packed left to right at the first multiple of its size (2^cost units). */
function packIntervals(leafCosts: readonly number[]): { starts: bigint[]; end: bigint } {
  const starts: bigint[] = [];
  let end = 0n;
  for (const cost of leafCosts) {
    const size = 1n << BigInt(cost);
    const start = (end + size - 1n) & -size;
    starts.push(start);
    end = start + size;
  }
  return { starts, end };
}

/**
 * The tree with the least possible worst path (see leastWorstPath): by dynamic programming,
 * O(n² log n), up to `exactUpTo` leaves; above, the tree of the packing itself (packedTree).
 */
export function minimaxTree(leafCosts: readonly number[], exactUpTo = 128): { tree: RangeTree; worst: number } {
  const n = leafCosts.length;
  if (n > exactUpTo) {
    const { starts, end } = packIntervals(leafCosts);
    const worst = worstPathOf(end);
    return { tree: packedTree(starts, worst), worst };
  }
  const best = new Float64Array(n * n);
  const root = new Int32Array(n * n);
  for (let i = 0; i < n; i++) best[i * n + i] = leafCosts[i]!;
  for (let length = 2; length <= n; length++) {
    for (let i = 0; i + length - 1 < n; i++) {
      const j = i + length - 1;
      // The left part's worst path grows with the split k and the right part's shrinks, so the
      // best split is where they cross: a binary search instead of trying every k.
      let lo = i + 1;
      let hi = j;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (best[i * n + mid - 1]! >= best[mid * n + j]!) hi = mid;
        else lo = mid + 1;
      }
      // lo is the first split whose left part is at least as bad as its right; lo - 1 may be as good.
      let k = lo;
      let value = Math.max(best[i * n + lo - 1]!, best[lo * n + j]!);
      if (lo - 1 > i) {
        const before = Math.max(best[i * n + lo - 2]!, best[(lo - 1) * n + j]!);
        if (before <= value) {
          value = before;
          k = lo - 1;
        }
      }
      root[i * n + j] = k;
      best[i * n + j] = value + 1;
    }
  }
  const build = (i: number, j: number): RangeTree => {
    if (i === j) return { kind: 'leaf', index: i };
    const k = root[i * n + j]!;
    return { kind: 'split', split: k, left: build(i, k - 1), right: build(k, j) };
  };
  return { tree: build(0, n - 1), worst: best[n - 1]! };
}

/**
 * A tree whose worst path is at most `worst`, the least for the leaves' packing (packIntervals;
 * `starts`: where each leaf's interval starts): [0, 2^worst) halved until each part holds one leaf.
 * An interval never straddles a halving point (it is aligned to its own size), so leaf i is alone
 * after at most worst − cost halvings, and a node is made only where a halving separates leaves.
 * O(n × worst).
 */
function packedTree(starts: readonly bigint[], worst: number): RangeTree {
  // Leaves first..last lie in [lo, hi).
  const build = (first: number, last: number, lo: bigint, hi: bigint): RangeTree => {
    for (;;) {
      if (first === last) return { kind: 'leaf', index: first };
      const mid = (lo + hi) >> 1n;
      let split = first;
      while (split <= last && starts[split]! < mid) split++;
      if (split > first && split <= last) return { kind: 'split', split, left: build(first, split - 1, lo, mid), right: build(split, last, mid, hi) };
      // every leaf on one side: halve again without a node
      if (split > last) hi = mid;
      else lo = mid;
    }
  };
  return build(0, starts.length - 1, 0n, 1n << BigInt(worst));
}

/** Depth of each leaf, by leaf index. */
export function leafDepths(tree: RangeTree, depth = 0, out: number[] = []): number[] {
  if (tree.kind === 'leaf') out[tree.index] = depth;
  else {
    leafDepths(tree.left, depth + 1, out);
    leafDepths(tree.right, depth + 1, out);
  }
  return out;
}

function balancedTree(first: number, last: number): RangeTree {
  if (first === last) return { kind: 'leaf', index: first };
  const split = (first + last + 1) >> 1;
  return { kind: 'split', split, left: balancedTree(first, split - 1), right: balancedTree(split, last) };
}

/** Σ weight × depth for a tree over these weights. */
export function weightedCost(tree: RangeTree, weights: readonly number[], depth = 0): number {
  if (tree.kind === 'leaf') return weights[tree.index]! * depth;
  return weightedCost(tree.left, weights, depth + 1) + weightedCost(tree.right, weights, depth + 1);
}
