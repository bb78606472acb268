// `seccompile compile <policy|-> [-o file|-] [--format raw|c|json|asm] [--name NAME]`
import { basename, extname } from 'node:path';
import { encodeProgram } from '../../bpf/insn.ts';
import type { CompiledFilter } from '../../backend.ts';
import { OUTPUT_FORMATS, type EmitOptions, type OutputFormat } from '../../emit/formats.ts';
import type { FilterFlagName } from '../../seccomp/abi.ts';
import { VERSION } from '../../version.ts';
import { compileAnyInput, type OciCliOptions } from '../oci-input.ts';
import { loadProfile } from '../profile-input.ts';
import { CliError, EXIT_USAGE } from '../errors.ts';
import { readInput } from '../io.ts';
import { refuseOutputOverInput, writeOutput } from '../output.ts';

export interface CompileCommandOptions extends OciCliOptions {
  readonly output?: string;
  readonly format?: string;
  readonly name?: string;
  readonly flag?: readonly FilterFlagName[];
  readonly optimize?: boolean;
  readonly profile?: string;
  /** Prove the filter against its policy before writing it (`--verify`), within this many seconds. */
  readonly verify?: boolean;
  readonly verifyTimeout?: string;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, OutputFormat>> = { '.bpf': 'raw', '.bin': 'raw', '.h': 'c', '.json': 'json', '.asm': 'asm', '.txt': 'asm' };

export function chooseFormat(format: string | undefined, output: string | undefined): OutputFormat {
  if (format !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new CliError(`unknown format "${format}"`, EXIT_USAGE, { hint: `choose one of ${OUTPUT_FORMATS.join(', ')}` });
    return format as OutputFormat;
  }
  return (output && output !== '-' && FORMAT_BY_EXTENSION[extname(output).toLowerCase()]) || 'raw';
}

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for', 'goto', 'if',
  'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union',
  'unsigned', 'void', 'volatile', 'while', 'bool', 'true', 'false', 'alignas', 'alignof', 'nullptr', 'static_assert', 'thread_local', 'typeof',
]);

/** A C identifier derived from the file name: `web-server.policy` → `web_server_filter`. */
export function filterName(path: string, name?: string): string {
  if (name !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CliError(`--name "${name}" is not a C identifier`, EXIT_USAGE);
    if (C_KEYWORDS.has(name) || /^_[A-Z_]/.test(name)) throw new CliError(`--name "${name}" is a C keyword or a reserved identifier`, EXIT_USAGE);
    return name;
  }
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  return `${stem === '' || stem === '_stdin_' ? 'seccomp' : stem}_filter`;
}

export async function runCompile(inputPath: string, options: CompileCommandOptions): Promise<void> {
  const format = chooseFormat(options.format, options.output);
  const name = filterName(inputPath === '-' ? 'seccomp' : inputPath, options.name);
  const input = readInput(inputPath);
  const filter = await compileAnyInput(input, { ...(options.flag ? { flags: options.flag } : {}), optimize: options.optimize !== false, profile: loadProfile(options.profile, options.arch) }, options);
  refuseOutputOverInput(options.output, [input.path, ...filter.files.map((f) => f.file.path), ...(options.profile ? [options.profile] : [])]);
  if (options.verify) {
    // Nothing is written unless the proof holds (Z3 loads only here).
    const { budget, reportProof } = await import('./verify.ts');
    const status = await reportProof(filter, filter.program, 'the compiled filter', { timeoutMs: budget(options.verifyTimeout), toStderr: true });
    if (status !== 0) throw new CliError('', status);
  }
  writeOutput(options.output ?? '-', await emitLazily(filter, format, { name, source: input.path, version: VERSION }));
}

/**
 * The output, loading only the emitter it needs: raw bytes need nothing more than the encoder,
 * while the C and JSON emitters pull in the named-constants table for errno names.
 */
async function emitLazily(filter: CompiledFilter, format: OutputFormat, options: EmitOptions): Promise<Uint8Array | string> {
  if (format === 'raw') return encodeProgram(filter.program);
  return (await import('../../emit/index.ts')).emit(filter, format, options);
}
