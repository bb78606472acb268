// The `--profile FILE` option: syscall frequencies for the dispatch layout and for `stats`.
import { createSourceFile } from '../diagnostics/source.ts';
import { genericProfile, parseProfile, type SyscallProfile } from '../optimize/profile.ts';
import { parseArches } from './arch-option.ts';
import { CliError, EXIT_INPUT_ERROR } from './errors.ts';
import { decodeText, readInput, report } from './io.ts';

/** The profile by the numbers of `--arch`'s table. */
export function loadProfile(path: string | undefined, arch?: string): SyscallProfile {
  // A filter for several ABIs lays out its first section for the profile.
  const target = parseArches(arch)[0]!;
  if (path === undefined) return genericProfile(target);
  const input = readInput(path);
  const parsed = parseProfile(createSourceFile(input.path, decodeText(input)), target);
  const failed = report(parsed.diagnostics);
  if (failed || !parsed.profile) throw new CliError('', EXIT_INPUT_ERROR);
  return parsed.profile;
}
