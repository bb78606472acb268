// Linux versions, MAJOR.MINOR: what the kernel facts (actions, filter flags, syscalls) are dated by
// and what inputs (a profile's minKernel, --kernel, --target-kernel) are compared with.

/** A version as the inputs give it. */
export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

/**
 * The newest Linux release seccompile's tables describe (the syscall table is Linux 7.0's, see
 * data/README.md). Inputs that depend on the kernel (a profile's minKernel) are resolved for it
 * unless told otherwise, so that a build compiles to the same bytes on every machine.
 */
export const NEWEST_KNOWN_KERNEL: KernelVersion = { major: 7, minor: 0 };

/** Either form: `{ major, minor }` from an input, or `[major, minor]` from the tables of facts. */
export type AnyKernelVersion = KernelVersion | readonly [number, number];

// Read without destructuring: compiles compare versions once per rule, in code V8 has not yet
// optimised, where destructuring allocates an iterator and its results on every call.
function majorOf(version: AnyKernelVersion): number {
  return 'major' in version ? version.major : version[0];
}

function minorOf(version: AnyKernelVersion): number {
  return 'major' in version ? version.minor : version[1];
}

/** Negative when a is older than b, 0 when they are the same, positive when a is newer. */
export function compareKernel(a: AnyKernelVersion, b: AnyKernelVersion): number {
  return majorOf(a) !== majorOf(b) ? majorOf(a) - majorOf(b) : minorOf(a) - minorOf(b);
}

export function formatKernelVersion(version: AnyKernelVersion): string {
  return `${majorOf(version)}.${minorOf(version)}`;
}
