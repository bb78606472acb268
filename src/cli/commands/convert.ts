// `seccompile convert <profile|-> [-o file] [--cap CAP…] [--docker-default-caps] [--kernel X.Y]`:
// an OCI/Docker seccomp profile written as a policy that compiles to the same verdicts.
import { profileToPolicy } from '../../oci/to-policy.ts';
import { VERSION } from '../../version.ts';
import { decodeText, readInput } from '../io.ts';
import { refuseOutputOverInput, writeOutput } from '../output.ts';
import { capabilitySet } from '../../oci/index.ts';
import { loadProfileInput, profileOptions, type OciCliOptions } from '../oci-input.ts';

export interface ConvertCommandOptions extends OciCliOptions {
  readonly output?: string;
}

export function runConvert(inputPath: string, options: ConvertCommandOptions): void {
  const input = readInput(inputPath);
  const loaded = loadProfileInput(input, decodeText(input), options);
  const resolvedOptions = profileOptions(options);
  const text = profileToPolicy(loaded, {
    source: input.path,
    caps: capabilitySet(resolvedOptions),
    kernel: resolvedOptions.kernel!,
    version: VERSION,
  });
  refuseOutputOverInput(options.output, [input.path]);
  writeOutput(options.output ?? '-', text);
}
