// Syscall-number dispatch as an optimal search tree over ranges: neighbouring numbers with the
// same outcome form one range (the x32 numbers and the numbers beyond the table are ranges too),
// and `jge` splits find a range in about log2(ranges) comparisons, fewer for frequent syscalls.
import type { BlockId, CfgBuilder } from '../bpf/cfg.ts';
import type { DispatchStrategy, NrRange } from '../codegen/dispatch.ts';
import type { SyscallProfile } from './profile.ts';
import { boundedRangeTree, type RangeTree } from './range-tree.ts';

/** Extra comparisons allowed on the deepest path beyond a balanced tree, to favour frequent syscalls. */
const DEPTH_SLACK = 2;

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

export function maxDispatchDepth(rangeCount: number): number {
  return Math.ceil(Math.log2(Math.max(2, rangeCount))) + DEPTH_SLACK;
}

export function treeDispatch(profile: SyscallProfile): DispatchStrategy {
  return {
    name: 'tree',
    build(builder, ranges) {
      const { tree } = boundedRangeTree(rangeWeights(ranges, profile), maxDispatchDepth(ranges.length));
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
