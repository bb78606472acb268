// Linux versions, MAJOR.MINOR: what the kernel facts (actions, filter flags, syscalls) are dated by
// and what inputs (a profile's minKernel, --kernel, --target-kernel) are compared with.

/** A version as the inputs give it. */
export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

/** Either form: `{ major, minor }` from an input, or `[major, minor]` from the tables of facts. */
export type AnyKernelVersion = KernelVersion | readonly [number, number];

function parts(version: AnyKernelVersion): readonly [number, number] {
  return 'major' in version ? [version.major, version.minor] : version;
}

/** Negative when a is older than b, 0 when they are the same, positive when a is newer. */
export function compareKernel(a: AnyKernelVersion, b: AnyKernelVersion): number {
  const [am, an] = parts(a);
  const [bm, bn] = parts(b);
  return am !== bm ? am - bm : an - bn;
}

export function formatKernelVersion(version: AnyKernelVersion): string {
  const [major, minor] = parts(version);
  return `${major}.${minor}`;
}
