// OCI/Docker seccomp profiles on the command line: telling them from policies, the options that
// resolve them for a host (--cap, --docker-default-caps, --kernel, --strict, --input), and their
// compilation. Loads neither the policy-language parser nor the constants table: a profile
// compiles without them, and a policy loads them only when it turns out to be one.
import { parseArch } from './arch-option.ts';
import { normalize } from 'node:path';
import type { BackendOptions, CompiledFilter } from '../backend.ts';
import { closestMatch } from '../diagnostics/suggest.ts';
import { KNOWN_CAPS, loadProfile, looksLikeProfile, normalizeCap, parseKernelVersion, runningKernel, type LoadedProfile, type ProfileOptions } from '../oci/index.ts';
import { compileProfile } from '../compile-profile.ts';
import type { KernelVersion } from '../oci/profile.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatKernelVersion, NEWEST_KNOWN_KERNEL } from '../seccomp/kernel-version.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from './errors.ts';
import { decodeText, report, type Input } from './io.ts';

/** The command-line options that concern profiles. */
export interface OciCliOptions {
  /** `oci` or `policy`; default: decided by the content. */
  readonly input?: string;
  readonly cap?: readonly string[];
  readonly dockerDefaultCaps?: boolean;
  readonly kernel?: string;
  readonly strict?: boolean;
  /** `--arch`: the ABI to compile for. */
  readonly arch?: string;
}

/** Whether the text is read as a profile: `--input` decides, else the content (a JSON object). */
export function isProfileInput(text: string, options: OciCliOptions): boolean {
  if (options.input === 'oci') return true;
  if (options.input === 'policy') return false;
  return looksLikeProfile(text);
}

/**
 * `--kernel X.Y`, `--kernel host` (the running kernel), or by default the newest kernel seccompile
 * knows: never the build machine's unasked, so that one command compiles to the same bytes on
 * every machine.
 */
export function parseKernelOption(text: string | undefined): KernelVersion {
  if (text === undefined) return NEWEST_KNOWN_KERNEL;
  if (text === 'host') return runningKernel();
  const kernel = parseKernelVersion(text, false);
  if (!kernel || !/^[0-9]+\.[0-9]+(\.[0-9]+)?$/.test(text)) throw new CliError(`--kernel "${text}" is not a kernel version`, EXIT_USAGE, { hint: 'write MAJOR.MINOR (e.g. --kernel 5.10), or --kernel host for the running kernel' });
  return kernel;
}

/** A note (shown with --verbose) naming the kernel a profile's minKernel conditions were resolved for. */
function kernelNote(path: string, options: OciCliOptions): Diagnostic {
  const kernel = formatKernelVersion(parseKernelOption(options.kernel));
  const why = options.kernel === undefined ? ', the newest seccompile knows (the default, the same on every machine; --kernel host takes the running kernel)'
    : options.kernel === 'host' ? ', the running kernel (--kernel host)' : ' (--kernel)';
  return { code: 'SC7011', severity: 'info', path, message: `Docker's minKernel conditions are resolved for Linux ${kernel}${why}` };
}

/** The profile options the command line gives; unknown capability names are refused. */
export function profileOptions(options: OciCliOptions): ProfileOptions {
  const caps = (options.cap ?? []).map((cap) => {
    const name = normalizeCap(cap);
    if (!KNOWN_CAPS.includes(name)) {
      const suggestion = closestMatch(name, KNOWN_CAPS);
      throw new CliError(`--cap "${cap}" is not a Linux capability`, EXIT_USAGE, suggestion ? { hint: `did you mean ${suggestion}?` } : { hint: 'e.g. --cap CAP_SYS_ADMIN or --cap sys_admin' });
    }
    return name;
  });
  return { caps, kernel: parseKernelOption(options.kernel), arch: parseArch(options.arch), ...(options.dockerDefaultCaps ? { dockerDefaultCaps: true } : {}), ...(options.strict ? { strict: true } : {}) };
}

/** Profile options given for a policy or a raw filter are a mistake worth stopping for, in every command. */
export function refuseProfileOptions(options: OciCliOptions, what = 'a policy'): void {
  const given = [options.cap?.length ? '--cap' : '', options.dockerDefaultCaps ? '--docker-default-caps' : '', options.kernel !== undefined ? '--kernel' : '', options.strict ? '--strict' : ''].filter(Boolean);
  if (given.length > 0) throw new CliError(`${given.join(', ')} only ${given.length === 1 ? 'applies' : 'apply'} to OCI profiles, and this input is ${what}`, EXIT_USAGE, { hint: 'give a profile (a JSON object), or --input oci' });
}

const pathOf = (input: Input): string => (input.path === '<stdin>' ? input.path : normalize(input.path));

/** Loads a profile up to the checked policy, printing its diagnostics; stops with exit 1 on errors. */
export function loadProfileInput(input: Input, text: string, options: OciCliOptions): LoadedProfile & Required<Pick<LoadedProfile, 'policy' | 'profile' | 'resolved' | 'metadata'>> {
  const loaded = loadProfile(text, pathOf(input), profileOptions(options));
  const failed = report([...loaded.diagnostics, kernelNote(pathOf(input), options)]);
  if (failed || !loaded.policy || !loaded.profile || !loaded.resolved || !loaded.metadata) throw new CliError('', EXIT_INPUT_ERROR);
  return loaded as LoadedProfile & Required<Pick<LoadedProfile, 'policy' | 'profile' | 'resolved' | 'metadata'>>;
}

/** Compiles a profile, printing its diagnostics; stops with exit 1 on errors. */
export function compileProfileInput(input: Input, text: string, options: OciCliOptions & BackendOptions): CompiledFilter {
  const { input: _input, cap: _cap, dockerDefaultCaps: _defaults, kernel: _kernel, strict: _strict, arch: _arch, ...backend } = options;
  const result = compileProfile(text, { ...backend, ...profileOptions(options), path: pathOf(input) });
  const failed = report([...result.diagnostics, kernelNote(pathOf(input), options)]);
  if (!result.ok || failed) throw new CliError('', EXIT_INPUT_ERROR);
  return result.filter;
}

/** A policy or a profile, whichever the input is; the policy front end is loaded only for a policy. */
export async function compileAnyInput(input: Input, backend: BackendOptions, options: OciCliOptions): Promise<CompiledFilter> {
  const text = decodeText(input);
  if (isProfileInput(text, options)) return compileProfileInput(input, text, { ...options, ...backend });
  refuseProfileOptions(options);
  return (await import('./policy-input.ts')).compileInput(input, { ...backend, ...(options.arch ? { arch: options.arch } : {}) });
}
