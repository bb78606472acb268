// The typed contents of an OCI runtime-spec seccomp profile with Docker's and containers/common's
// extensions, as schema.ts reads it from the JSON. Every value keeps its place in the file.
import type { Span } from '../diagnostics/source.ts';
import type { KernelVersion } from '../seccomp/kernel-version.ts';

export interface Located<T> {
  readonly value: T;
  readonly span: Span;
}

export const OCI_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
export type OciActionName = (typeof OCI_ACTIONS)[number];

export const OCI_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type OciOperator = (typeof OCI_OPERATORS)[number];

/** libseccomp's architecture names, as runc accepts them (libcontainer/seccomp/config.go). */
export const OCI_ARCHITECTURES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X',
  'SCMP_ARCH_LOONGARCH64',
] as const;
export type OciArchitecture = (typeof OCI_ARCHITECTURES)[number];

/** The runtime-spec's filter flags. runc knows the first three (TSYNC is implied, it always syncs). */
export const OCI_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] as const;
export type OciFlag = (typeof OCI_FLAGS)[number];

/** Go's runtime architecture names, which Docker's `includes.arches`/`excludes.arches` compare with. */
export const DOCKER_NATIVE_ARCHES = ['x86', 'amd64', 'x32', 'arm', 'arm64', 'mips', 'mips64', 'mips64n32', 'mipsel', 'mipsle', 'mipsel64', 'mipsel64n32', 'mips3l64n32', 'ppc', 'ppc64', 'ppc64le', 'riscv64', 's390', 's390x', 'loong64'] as const;

export type { KernelVersion };

export interface OciProfile {
  readonly defaultAction: Located<OciActionName>;
  /** errno for SCMP_ACT_ERRNO (and data for SCMP_ACT_TRACE) as the default; EPERM when absent. */
  readonly defaultErrnoRet?: Located<bigint>;
  readonly architectures: readonly Located<OciArchitecture>[];
  /** Docker: the architectures to use by native arch. */
  readonly archMap: readonly ArchMapEntry[];
  /** Absent and empty differ: runc adds SPEC_ALLOW only when `flags` is absent. */
  readonly flags?: readonly Located<OciFlag>[];
  readonly listenerPath?: Located<string>;
  readonly listenerMetadata?: Located<string>;
  readonly syscalls: readonly OciSyscallEntry[];
  /** The whole profile object. */
  readonly span: Span;
}

export interface ArchMapEntry {
  readonly architecture: Located<OciArchitecture>;
  readonly subArchitectures: readonly Located<OciArchitecture>[];
  readonly span: Span;
}

export interface OciSyscallEntry {
  /** Position in `syscalls[]`. */
  readonly index: number;
  /** From `names`, or Docker's older `name`. */
  readonly names: readonly Located<string>[];
  readonly action: Located<OciActionName>;
  readonly errnoRet?: Located<bigint>;
  readonly args: readonly OciArg[];
  readonly comment?: string;
  readonly includes?: DockerFilter;
  readonly excludes?: DockerFilter;
  /** The entry object. */
  readonly span: Span;
}

export interface OciArg {
  readonly index: Located<number>;
  readonly value: Located<bigint>;
  /** 0 when absent. */
  readonly valueTwo: Located<bigint>;
  readonly op: Located<OciOperator>;
  /** Position in the entry's `args[]`. */
  readonly position: number;
  readonly span: Span;
}

/** Docker's conditions on an entry. */
export interface DockerFilter {
  readonly caps: readonly Located<string>[];
  readonly arches: readonly Located<string>[];
  readonly minKernel?: Located<KernelVersion>;
  readonly span: Span;
}
