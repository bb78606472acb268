// Syscall-number dispatch as an optimal search tree over ranges: neighbouring numbers with the
// same outcome form one range (the x32 numbers and the numbers beyond the table are ranges too),
// and `jge` splits find a range in about log2(ranges) comparisons, fewer for frequent syscalls.
import type { BlockId, CfgBuilder } from '../bpf/cfg.ts';
import type { DispatchStrategy, NrRange } from '../codegen/dispatch.ts';
import { genericProfile, type SyscallProfile } from './profile.ts';
import { boundedRangeTree, leastWorstPath, minimaxTree, type RangeTree } from './range-tree.ts';

/** Instructions a path may take beyond the least possible worst path, to favour frequent syscalls. */
const SLACK = 3;

/** How often each range is hit under the profile. */
export function rangeWeights(ranges: readonly NrRange[], profile: SyscallProfile): number[] {
  const weights = ranges.map(() => 0);
  for (const [nr, weight] of profile.weights) {
    // Binary search for the range holding nr.
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ranges[mid]!.lo <= nr) lo = mid;
      else hi = mid - 1;
    }
    weights[lo]! += weight;
  }
  return weights;
}

/**
 * How deep each range may sit, so that the profile can favour frequent syscalls without making
 * the worst call much slower: every path may exceed the least possible worst path over all trees
 * (dispatch and body together) by the slack, except through a range whose body alone costs more
 * than a balanced dispatch plus the slack (a large argument search): that body is the worst case,
 * and the dispatch to it is held to the least.
 */
export function depthLimits(bodyCosts: readonly number[], leastWorst: number): number[] {
  const balanced = Math.ceil(Math.log2(Math.max(2, bodyCosts.length)));
  return bodyCosts.map((body) => leastWorst - body + (body > balanced + SLACK ? 0 : SLACK));
}

export function treeDispatch(profile: SyscallProfile): DispatchStrategy {
  return {
    name: 'tree',
    build(builder, ranges) {
      const memo = new Map<BlockId, number>();
      // Another section's range (x32's numbers in x86-64's tree) is charged a little less than a
      // balanced dispatch, not that section's whole worst path: charged that, it would be pulled
      // to the root and push this section's own syscalls down (Docker's x86-64 mean 6.52 → 7.45);
      // charged nothing, it sinks to the bottom (x32 calls 19.3 on average); charged a whole
      // balanced dispatch, it costs some skewed mixes 3.7% on x86-64. Charged this, Docker's
      // x86-64 calls keep 6.52 and x32 calls take 14.3.
      const balanced = Math.ceil(Math.log2(Math.max(2, ranges.length)));
      const bodyCosts = ranges.map((r) => (r.otherSection ? balanced - 1 : builder.worstPathLength(r.target, memo)));
      const limits = depthLimits(bodyCosts, leastWorstPath(bodyCosts));
      const fallback = (): RangeTree => minimaxTree(bodyCosts).tree;
      // A profile must never make the filter slower on that very profile than the built-in mix would.
      // The exact search within the limits is for a measured mix (`--profile`); the built-in mix is
      // an estimate, laid out by the cheaper search (it costs a cold start 1-5 ms a tree).
      const generic = genericProfile(profile.arch);
      const measured = profile !== generic;
      const alternatives = measured ? [boundedRangeTree(rangeWeights(ranges, generic), limits, { fallback, exact: false }).tree] : [];
      const { tree } = boundedRangeTree(rangeWeights(ranges, profile), limits, { fallback, alternatives, exact: measured });
      return emitTree(builder, tree, ranges);
    },
  };
}

function emitTree(builder: CfgBuilder, tree: RangeTree, ranges: readonly NrRange[]): BlockId {
  if (tree.kind === 'leaf') return ranges[tree.index]!.target;
  const whenFalse = emitTree(builder, tree.left, ranges);
  const whenTrue = emitTree(builder, tree.right, ranges);
  return builder.block([], { kind: 'branch', op: 'jge', k: ranges[tree.split]!.lo, whenTrue, whenFalse });
}
