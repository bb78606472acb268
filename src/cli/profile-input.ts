// The `--profile FILE` option: syscall frequencies for the dispatch layout and for `stats`.
import { createSourceFile } from '../diagnostics/source.ts';
import { genericProfile, parseProfile, type SyscallProfile } from '../optimize/profile.ts';
import { CliError, EXIT_INPUT_ERROR } from './errors.ts';
import { decodeText, readInput, report } from './io.ts';

export function loadProfile(path: string | undefined): SyscallProfile {
  if (path === undefined) return genericProfile();
  const input = readInput(path);
  const parsed = parseProfile(createSourceFile(input.path, decodeText(input)));
  const failed = report(parsed.diagnostics);
  if (failed || !parsed.profile) throw new CliError('', EXIT_INPUT_ERROR);
  return parsed.profile;
}
