// seccomp(SECCOMP_SET_MODE_FILTER) flags: which a filter needs, and the kernel's rules on combining them.
import { FILTER_FLAGS, type FilterFlagName } from './abi.ts';

/** Oldest kernel that knows each flag, as [major, minor]. */
export const FLAG_MIN_KERNEL: Readonly<Record<FilterFlagName, readonly [number, number]>> = {
  tsync: [3, 17],
  log: [4, 14],
  spec_allow: [4, 17],
  new_listener: [5, 0],
  tsync_esrch: [5, 7],
  wait_killable_recv: [5, 19],
};

export const FLAG_NAMES = Object.keys(FILTER_FLAGS) as FilterFlagName[];

export interface ResolvedFlags {
  /** Every flag to install the filter with, in bit order. */
  readonly flags: readonly FilterFlagName[];
  /** Combinations the kernel refuses with EINVAL (kernel/seccomp.c, seccomp_set_mode_filter). */
  readonly problems: readonly string[];
}

/** The flags requested plus new_listener when the policy uses notify, checked as the kernel checks them. */
export function resolveFilterFlags(requested: readonly FilterFlagName[], needsListener: boolean): ResolvedFlags {
  const set = new Set(requested);
  if (needsListener) set.add('new_listener');
  const problems: string[] = [];
  if (set.has('tsync') && set.has('new_listener') && !set.has('tsync_esrch')) {
    problems.push('tsync with a user-notification listener also needs tsync_esrch (the kernel refuses the combination with EINVAL)');
  }
  if (set.has('wait_killable_recv') && !set.has('new_listener')) {
    problems.push('wait_killable_recv only applies to a filter with a user-notification listener (the policy uses no `notify`)');
  }
  return { flags: FLAG_NAMES.filter((f) => set.has(f)), problems };
}

export function flagsValue(flags: readonly FilterFlagName[]): number {
  return flags.reduce((sum, f) => sum | FILTER_FLAGS[f], 0);
}
