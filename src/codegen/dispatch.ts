// Dispatch on the syscall number. Every strategy receives the whole number line as ranges with
// their targets (syscall bodies, the default, the x32 rejection) and A holding nr; the optimiser
// brings its own strategy behind this interface.

import type { BlockId, CfgBuilder } from '../bpf/cfg.ts';

export const NR_MAX = 0xffffffff;

/** Numbers lo..hi (inclusive, unsigned 32-bit) go to target. */
export interface NrRange {
  readonly lo: number;
  readonly hi: number;
  readonly target: BlockId;
  /**
   * The range hands its calls to another ABI's section (x32 numbers to x32's): what they cost
   * there is that section's, and must not shape this section's tree.
   */
  readonly otherSection?: true;
}

export interface DispatchStrategy {
  readonly name: string;
  /** Emits the dispatch and returns its entry block. `ranges` cover 0..NR_MAX in order, neighbours differ. */
  build(builder: CfgBuilder, ranges: readonly NrRange[]): BlockId;
}

/** Sorted, covering ranges with equal neighbours merged. */
export function mergeRanges(ranges: readonly NrRange[]): NrRange[] {
  const merged: NrRange[] = [];
  // The last range when it is a copy made here, extended in place as its run goes on (a run of
  // allowed syscalls is one range: no new object for each of them).
  let grown: { -readonly [K in keyof NrRange]: NrRange[K] } | undefined;
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    const last = merged[merged.length - 1];
    if (!last || last.target !== range.target || last.hi + 1 !== range.lo) merged.push(range);
    else if (last === grown) grown.hi = range.hi;
    else merged[merged.length - 1] = grown = { ...last, hi: range.hi };
  }
  return merged;
}

/**
 * A linear scan: `if (A < next range's lo) goto this range's target`, range by range. Cost grows
 * with the position of the range; it only uses `jge` with constants, so the kernel's action cache
 * can follow it.
 */
export const linearDispatch: DispatchStrategy = {
  name: 'linear',
  build(builder, ranges) {
    let next: BlockId = ranges[ranges.length - 1]!.target;
    for (let i = ranges.length - 2; i >= 0; i--) {
      next = builder.block([], { kind: 'branch', op: 'jge', k: ranges[i + 1]!.lo, whenTrue: next, whenFalse: ranges[i]!.target });
    }
    return next;
  },
};

