// A policy-language input on the command line, compiled with its includes read from disk. Kept
// apart from the profile and raw-filter inputs: only a policy loads the policy front end.
import { normalize } from 'node:path';
import { compilePolicy, type CompiledFilter, type CompileOptions } from '../compile.ts';
import { nodeFileHost } from '../host/node-host.ts';
import { parseArches } from './arch-option.ts';
import { CliError, EXIT_INPUT_ERROR } from './errors.ts';
import { decodeText, report, type Input } from './io.ts';

/** Compiles a policy, printing its diagnostics; stops with exit 1 on errors. */
export function compileInput(input: Input, options: Pick<CompileOptions, 'flags' | 'optimize' | 'profile'> & { readonly arch?: string } = {}): CompiledFilter {
  const arches = parseArches(options.arch);
  const result = compilePolicy(decodeText(input), { ...options, arch: arches[0]!, ...(arches.length > 1 ? { arches } : {}), path: input.path === '<stdin>' ? input.path : normalize(input.path), host: nodeFileHost });
  const failed = report(result.diagnostics);
  if (!result.ok || failed) throw new CliError('', EXIT_INPUT_ERROR);
  return result.filter;
}
