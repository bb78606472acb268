// Docker's conditional entries, resolved for one host as moby's profiles/seccomp setupSeccomp does:
// the native arch is the target's GOARCH (amd64 for x86_64, arm64 for aarch64, …), the capabilities
// are the container's bounding set (--cap), the kernel is the one given (--kernel). Excludes are
// tested before includes:
//   excludes.arches contains the native arch           → entry dropped
//   excludes.caps has any cap the container has        → dropped
//   excludes.minKernel <= kernel                       → dropped
//   includes.arches given and lacks the native arch    → dropped
//   includes.caps has a cap the container lacks        → dropped
//   includes.minKernel > kernel                        → dropped
// `archMap` becomes the architectures of the native SCMP_ARCH_* entry, sub-architectures included.
import type { Arch } from '../arch/arch.ts';
import { compareKernel, formatKernelVersion } from '../seccomp/kernel-version.ts';
import type { KernelVersion, Located, OciArchitecture, OciProfile, OciSyscallEntry } from './profile.ts';

export interface HostOptions {
  /** The host's ABI: it must have a GOARCH (x32 is no host). */
  readonly arch: Arch;
  /** The container's capabilities, `CAP_…` names. */
  readonly caps: readonly string[];
  readonly kernel: KernelVersion;
}

export interface DroppedEntry {
  readonly entry: OciSyscallEntry;
  /** Why, e.g. `needs CAP_SYS_ADMIN`. */
  readonly reason: string;
}

export interface ResolvedProfile {
  readonly profile: OciProfile;
  /** Entries that apply to this host, in profile order. */
  readonly entries: readonly OciSyscallEntry[];
  readonly dropped: readonly DroppedEntry[];
  /** The architectures a runtime would put in the filter on this host (empty: the native one only). */
  readonly architectures: readonly Located<OciArchitecture>[];
}


/** Why an entry does not apply to this host, or undefined when it does. */
export function exclusionReason(entry: OciSyscallEntry, host: HostOptions): string | undefined {
  const caps = new Set(host.caps);
  const native = host.arch.oci.goArch;
  const { excludes, includes } = entry;
  if (excludes) {
    if (excludes.arches.some((a) => a.value === native)) return `excluded on ${native}`;
    const granted = excludes.caps.find((c) => caps.has(c.value));
    if (granted) return `excluded when the container has ${granted.value}`;
    if (excludes.minKernel && compareKernel(host.kernel, excludes.minKernel.value) >= 0) return `excluded on kernel ${formatKernelVersion(excludes.minKernel.value)} and later (kernel ${formatKernelVersion(host.kernel)})`;
  }
  if (includes) {
    if (includes.arches.length > 0 && !includes.arches.some((a) => a.value === native)) return `only for ${includes.arches.map((a) => a.value).join(', ')}`;
    const missing = includes.caps.filter((c) => !caps.has(c.value));
    if (missing.length > 0) return `needs ${missing.map((c) => c.value).join(', ')}`;
    if (includes.minKernel && compareKernel(host.kernel, includes.minKernel.value) < 0) return `needs kernel ${formatKernelVersion(includes.minKernel.value)} or later (kernel ${formatKernelVersion(host.kernel)})`;
  }
  return undefined;
}

export function resolveProfile(profile: OciProfile, host: HostOptions): ResolvedProfile {
  const entries: OciSyscallEntry[] = [];
  const dropped: DroppedEntry[] = [];
  for (const entry of profile.syscalls) {
    const reason = exclusionReason(entry, host);
    if (reason === undefined) entries.push(entry);
    else dropped.push({ entry, reason });
  }
  let architectures = profile.architectures;
  const mapped = profile.archMap.find((m) => m.architecture.value === host.arch.oci.scmpArch);
  if (mapped) architectures = [mapped.architecture, ...mapped.subArchitectures];
  return { profile, entries, dropped, architectures };
}
