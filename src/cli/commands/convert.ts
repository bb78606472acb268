// `seccompile convert <input|-> [--to policy|oci] [-o file] …`:
// - an OCI/Docker seccomp profile written as a policy that compiles to the same verdicts (the
//   default for a profile, `--to policy`);
// - a policy (or profile) written as an OCI profile, or a Kubernetes SeccompProfile with
//   `--k8s-name`, proven to give the policy's verdicts before it is written (`--to oci`).
import { profileToPolicy } from '../../oci/to-policy.ts';
import { VERSION } from '../../version.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from '../errors.ts';
import { decodeText, readInput, report } from '../io.ts';
import { refuseOutputOverInput, writeOutput } from '../output.ts';
import { capabilitySet } from '../../oci/index.ts';
import { compileAnyInput, isProfileInput, loadProfileInput, profileOptions, type OciCliOptions } from '../oci-input.ts';

export interface ConvertCommandOptions extends OciCliOptions {
  readonly output?: string;
  readonly to?: 'policy' | 'oci';
  readonly k8sName?: string;
  readonly verifyTimeout?: string;
  readonly approximate?: 'deny' | 'allow';
}

export async function runConvert(inputPath: string, options: ConvertCommandOptions): Promise<void> {
  const input = readInput(inputPath);
  const text = decodeText(input);
  const to = options.to ?? (isProfileInput(text, options) ? 'policy' : 'oci');
  if (options.k8sName !== undefined && to !== 'oci') throw new CliError('--k8s-name wraps an OCI profile: use it with --to oci', EXIT_USAGE);
  if (options.approximate !== undefined && to !== 'oci') throw new CliError('--approximate is for --to oci', EXIT_USAGE);
  if (to === 'oci') return toOci(input, options);
  if (!isProfileInput(text, options)) throw new CliError(`${input.path} is a policy; --to policy converts OCI profiles`, EXIT_USAGE, { hint: 'convert a policy to a profile with --to oci' });
  const loaded = loadProfileInput(input, text, options);
  const resolvedOptions = profileOptions(options);
  const policy = profileToPolicy(loaded, {
    source: input.path,
    caps: capabilitySet(resolvedOptions),
    kernel: resolvedOptions.kernel!,
    version: VERSION,
  });
  refuseOutputOverInput(options.output, [input.path]);
  writeOutput(options.output ?? '-', policy);
}

async function toOci(input: ReturnType<typeof readInput>, options: ConvertCommandOptions): Promise<void> {
  const filter = await compileAnyInput(input, { optimize: false }, options);
  refuseOutputOverInput(options.output, [input.path, ...filter.files.map((f) => f.file.path)]);
  const { exportOciProfile } = await import('../../oci/export-profile.ts');
  const { budget } = await import('./verify.ts');
  const sections = filter.sections?.map((s) => s.policy) ?? [filter.policy];
  const exported = await exportOciProfile(sections, {
    path: input.path, timeoutMs: budget(options.verifyTimeout),
    ...(options.k8sName !== undefined ? { k8sName: options.k8sName } : {}),
    ...(options.approximate !== undefined ? { approximate: options.approximate } : {}),
  });
  if (report(exported.diagnostics) || exported.text === undefined) throw new CliError('', EXIT_INPUT_ERROR);
  writeOutput(options.output ?? '-', exported.text);
}
