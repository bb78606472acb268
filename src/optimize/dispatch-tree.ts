// Syscall-number dispatch as an optimal search tree over ranges: neighbouring numbers with the
// same outcome form one range (the x32 numbers and the numbers beyond the table are ranges too),
// and `jge` splits find a range in about log2(ranges) comparisons, fewer for frequent syscalls.
import type { BlockId, CfgBuilder } from '../bpf/cfg.ts';
import type { DispatchStrategy, NrRange } from '../codegen/dispatch.ts';
import type { SyscallProfile } from './profile.ts';
import { boundedRangeTree, minimaxTree, type RangeTree } from './range-tree.ts';

/** Comparisons beyond a balanced tree that the profile may add to a path, to favour frequent syscalls. */
const SLACK = 1;

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
 * the worst call much slower. A range whose body costs more than a balanced dispatch (a large
 * argument search) is held to the least possible worst path over all trees: its body is the worst
 * case. The other ranges may go one comparison deeper than a balanced tree over the longest of
 * their bodies (or as deep as that least worst path, if it is longer).
 */
export function depthLimits(bodyCosts: readonly number[], leastWorst: number): number[] {
  const balanced = Math.ceil(Math.log2(Math.max(2, bodyCosts.length)));
  const heavy = (body: number): boolean => body > balanced;
  const lightWorst = Math.max(1, ...bodyCosts.filter((b) => !heavy(b))) + balanced + SLACK;
  return bodyCosts.map((body) => (heavy(body) ? leastWorst : Math.max(lightWorst, leastWorst)) - body);
}

export function treeDispatch(profile: SyscallProfile): DispatchStrategy {
  return {
    name: 'tree',
    build(builder, ranges) {
      const memo = new Map<BlockId, number>();
      const bodyCosts = ranges.map((r) => builder.worstPathLength(r.target, memo));
      const least = minimaxTree(bodyCosts);
      const { tree } = boundedRangeTree(rangeWeights(ranges, profile), depthLimits(bodyCosts, least.worst), least.tree);
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
