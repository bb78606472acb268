// `seccompile verify POLICY [FILTER.bpf] [--format human|json] [--timeout SECONDS]`: proves that a
// filter (compiled from the policy, or any raw filter) gives every possible call the policy's
// verdict. Exit status: 0 proven, 1 a counterexample or no proof within the budget, 2 wrong usage.
import type { Instruction } from '../../bpf/insn.ts';
import type { CompiledFilter } from '../../compile.ts';
import { describeCounterexample } from '../../verify/describe.ts';
import { proveCompiled, type ProofResult } from '../../verify/index.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from '../errors.ts';
import { loadFilter, loadRawFilter } from '../filter-input.ts';
import { readInput } from '../io.ts';
import type { OciCliOptions } from '../oci-input.ts';
import { writeStdout } from '../stdout.ts';

export interface VerifyOptions extends OciCliOptions {
  readonly format?: string;
  readonly timeout?: string;
}

export function budget(text: string | undefined): number {
  if (text === undefined) return 60_000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--timeout "${text}" is not a positive number of seconds`, EXIT_USAGE);
  return seconds * 1000;
}

/** Proves `filter`'s program, or another program (`program`) against its policy (every section's); returns the exit status. */
export async function reportProof(filter: CompiledFilter, program: readonly Instruction[], what: string, options: { format?: string; timeoutMs: number; toStderr?: boolean }): Promise<number> {
  const { policy } = filter;
  const result: ProofResult = await proveCompiled({ ...filter, program }, { timeoutMs: options.timeoutMs });
  if (options.format === 'json') {
    const json = result.status === 'counterexample'
      ? { ...result, counterexample: { ...result.counterexample, instructionPointer: `0x${result.counterexample.instructionPointer.toString(16)}`, args: result.counterexample.args.map((a) => `0x${a.toString(16)}`), description: describeCounterexample(result.counterexample, policy.arch) } }
      : result;
    writeStdout(`${JSON.stringify({ filter: what, ...json }, null, 2)}\n`);
  } else if (result.status === 'proven') {
    const line = `proven: ${what} gives every call the policy's verdict (${result.milliseconds} ms)\n`;
    if (options.toStderr) process.stderr.write(line);
    else writeStdout(line);
  } else if (result.status === 'counterexample') {
    process.stderr.write(`seccompile: error: ${what} does not implement the policy; a call on which they differ:\n  ${describeCounterexample(result.counterexample, policy.arch)}\n`);
  } else {
    process.stderr.write(`seccompile: error: ${what} was not proven: ${result.reason}\n`);
  }
  return result.status === 'proven' ? 0 : EXIT_INPUT_ERROR;
}

export async function runVerify(policyPath: string, filterPath: string | undefined, options: VerifyOptions): Promise<void> {
  if (options.format !== undefined && options.format !== 'human' && options.format !== 'json') throw new CliError(`unknown format "${options.format}"`, EXIT_USAGE, { hint: 'choose human or json' });
  const timeoutMs = budget(options.timeout);
  const loaded = loadFilter(policyPath, options);
  if (!loaded.compiled) throw new CliError('verify needs the policy or profile as its first argument, not a compiled filter', EXIT_USAGE, { hint: 'seccompile verify POLICY [FILTER.bpf]' });
  const program = filterPath === undefined ? loaded.program : loadRawFilter(readInput(filterPath));
  const what = filterPath === undefined ? `the filter compiled from ${policyPath}` : filterPath;
  const status = await reportProof(loaded.compiled, program, what, { ...(options.format ? { format: options.format } : {}), timeoutMs });
  if (status !== 0) throw new CliError('', status);
}
