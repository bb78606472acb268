// Commands that run or inspect a filter (sim, stats) take a policy, an OCI profile or a compiled
// raw filter.
import { extname } from 'node:path';
import { decodeProgram, type Instruction } from '../bpf/insn.ts';
import { validateProgram } from '../bpf/validate.ts';
import type { CompiledFilter, CompileOptions } from '../compile.ts';
import { CliError, EXIT_INPUT_ERROR } from './errors.ts';
import { decodeText, readInput, type Input } from './io.ts';
import { compileProfileInput, isProfileInput, refuseProfileOptions, type OciCliOptions } from './oci-input.ts';
import { compileInput } from './policy-input.ts';

export interface LoadedFilter {
  readonly program: readonly Instruction[];
  /** Present when the input was a policy. */
  readonly compiled?: CompiledFilter;
}

const RAW_EXTENSIONS = new Set(['.bpf', '.bin', '.raw']);

/** A raw filter is recognised by its extension, or by being binary data. */
export function isRawFilter(input: Input): boolean {
  return RAW_EXTENSIONS.has(extname(input.path).toLowerCase()) || input.bytes.includes(0);
}

export function loadRawFilter(input: Input): Instruction[] {
  if (input.bytes.length === 0) throw new CliError('the file is empty', EXIT_INPUT_ERROR, { code: 'SC5003', path: input.path });
  const program = decodeProgram(input.bytes);
  if (!program) {
    throw new CliError(`${input.bytes.length} bytes is not a whole number of 8-byte BPF instructions`, EXIT_INPUT_ERROR, {
      code: 'SC5003', path: input.path, hint: 'a raw filter is an array of struct sock_filter, as `seccompile compile --format raw` writes it',
    });
  }
  return program;
}

export function loadFilter(path: string, options: Pick<CompileOptions, 'optimize' | 'profile'> & OciCliOptions = {}): LoadedFilter {
  const input = readInput(path);
  if (!isRawFilter(input)) {
    const text = decodeText(input);
    if (isProfileInput(text, options)) {
      const compiled = compileProfileInput(input, text, options);
      return { program: compiled.program, compiled };
    }
    refuseProfileOptions(options);
    const compiled = compileInput(input, options);
    return { program: compiled.program, compiled };
  }
  refuseProfileOptions(options, 'a compiled filter');
  const program = loadRawFilter(input);
  const problems = validateProgram(program);
  if (problems.length > 0) {
    const detail = problems.map((p) => (p.index >= 0 ? `instruction ${p.index}: ${p.message}` : p.message)).join('; ');
    throw new CliError(`the kernel would refuse this filter: ${detail}`, EXIT_INPUT_ERROR, { code: 'SC5003', path: input.path, hint: 'use `seccompile disasm` to inspect it' });
  }
  return { program };
}
