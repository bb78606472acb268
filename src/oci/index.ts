// The OCI/Docker profile front end: JSON text → profile → resolved for the host → checked policy
// (src/compilation.ts runs the back end after it). Each stage is a pure function; this file only
// chains them. Kept free of the policy-language parser and of the named-constants table, so
// compiling a profile starts fast.
import type { Arch } from '../arch/arch.ts';
import { X86_64 } from '../arch/x86_64.ts';
import { release } from 'node:os';
import type { CheckedPolicy } from '../check/checked.ts';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { createSourceFile } from '../diagnostics/source.ts';
import { formatSize, MAX_INPUT_BYTES } from '../host/text.ts';
import { NEWEST_KNOWN_KERNEL } from '../seccomp/kernel-version.ts';
import { DOCKER_DEFAULT_CAPS, normalizeCap } from './caps.ts';
import { parseJson } from './json.ts';
import type { KernelVersion, OciProfile } from './profile.ts';
import { resolveProfile, type ResolvedProfile } from './resolve.ts';
import { parseKernelVersion, readProfile } from './schema.ts';
import { translateProfile, type OciMetadata } from './translate.ts';

export interface ProfileOptions {
  /** The container's capabilities (`CAP_SYS_ADMIN`, `sys_admin`…), for Docker's includes/excludes. */
  readonly caps?: readonly string[];
  /** Add Docker's default capability set to `caps`. */
  readonly dockerDefaultCaps?: boolean;
  /**
   * The kernel to resolve `minKernel` against; default: the newest seccompile knows
   * (NEWEST_KNOWN_KERNEL), never the machine's, so that output is reproducible. `runningKernel()`
   * gives the machine's.
   */
  readonly kernel?: KernelVersion;
  /** Names unknown on the target are errors. */
  readonly strict?: boolean;
  /** The host's ABI (default x86_64): moby's native arch and the filter's target. */
  readonly arch?: Arch;
}

export interface LoadedProfile {
  /** The host's; absent when the profile has errors. */
  readonly policy?: CheckedPolicy;
  /** Each ABI's, host first, when the filter is for several (the architectures the profile lists). */
  readonly policies?: readonly CheckedPolicy[];
  readonly profile?: OciProfile;
  readonly resolved?: ResolvedProfile;
  readonly metadata?: OciMetadata;
  readonly diagnostics: readonly Diagnostic[];
}

/** The running kernel as Docker reads it (`6.1.0-18-amd64` → 6.1). */
export function runningKernel(): KernelVersion {
  return parseKernelVersion(release(), false) ?? { major: 0, minor: 0 };
}

/** The capability set the options describe, normalised to `CAP_…` names. */
export function capabilitySet(options: ProfileOptions): string[] {
  const caps = new Set((options.caps ?? []).map(normalizeCap));
  if (options.dockerDefaultCaps) for (const cap of DOCKER_DEFAULT_CAPS) caps.add(cap);
  return [...caps];
}

/**
 * Whether a text is meant as a profile: its first character, after white space, is `{`. A policy
 * never starts with `{`, and a JSON object without `defaultAction` is better told what it lacks
 * than met with policy syntax errors.
 */
export function looksLikeProfile(text: string): boolean {
  return /^\s*\{/.test(text);
}

/** The front end: every stage up to the checked policy. */
export function loadProfile(text: string, path: string, options: ProfileOptions = {}): LoadedProfile {
  const file = createSourceFile(path, text);
  if (text.length > MAX_INPUT_BYTES) {
    return { diagnostics: [{ code: 'SC5001', severity: 'error', path, message: `the profile is ${formatSize(text.length)}; profiles are limited to ${formatSize(MAX_INPUT_BYTES)}` }] };
  }
  const parsed = parseJson(file);
  if (!parsed.ok) return { diagnostics: [{ code: 'SC7001', severity: 'error', message: `invalid JSON: ${parsed.error.message}`, span: parsed.error.span }] };
  const schema = readProfile(parsed.value);
  if (!schema.profile) return { diagnostics: sortDiagnostics(schema.diagnostics) };
  const arch = options.arch ?? X86_64;
  // A host is an ABI a runtime runs on (Go has a GOARCH for it); x32 is none.
  if (!arch.oci.goArch) {
    return { diagnostics: [{ code: 'SC7008', severity: 'error', path, message: `${arch.title} is no host for OCI profiles (runtimes run on x86_64, i386, aarch64, arm and riscv64)`, hint: 'compile for the host with --arch x86_64: a profile that lists SCMP_ARCH_X32 gets an x32 section there' }] };
  }
  // The profile is resolved as runc does on a host of this architecture; the filter is its ABI's.
  const resolved = resolveProfile(schema.profile, { arch, caps: capabilitySet(options), kernel: options.kernel ?? NEWEST_KNOWN_KERNEL });
  const translated = translateProfile(resolved, arch, { ...(options.strict ? { strict: true } : {}) });
  return {
    profile: schema.profile,
    resolved,
    metadata: translated.metadata,
    diagnostics: sortDiagnostics([...schema.diagnostics, ...translated.diagnostics]),
    ...(translated.policy ? { policy: translated.policy } : {}),
    ...(translated.policies ? { policies: translated.policies } : {}),
  };
}

export type { OciMetadata } from './translate.ts';
export type { KernelVersion, OciProfile } from './profile.ts';
export { DOCKER_DEFAULT_CAPS, KNOWN_CAPS, normalizeCap } from './caps.ts';
export { parseKernelVersion } from './schema.ts';
