// `seccompile disasm <file.bpf|->`: a raw filter as a listing; problems the kernel would reject are reported.
import { parseArch } from '../arch-option.ts';
import { validateProgram } from '../../bpf/validate.ts';
import { listing } from '../../emit/index.ts';
import { isRawFilter, loadRawFilter } from '../filter-input.ts';
import { CliError, EXIT_INPUT_ERROR } from '../errors.ts';
import { readInput } from '../io.ts';
import { writeOutput } from '../output.ts';

export function runDisasm(inputPath: string, options: { output?: string; arch?: string }): void {
  const input = readInput(inputPath);
  if (!isRawFilter(input) && input.bytes.length > 0) {
    throw new CliError('this is text (a policy or a profile), not a compiled filter', EXIT_INPUT_ERROR, {
      code: 'SC5003', path: input.path, hint: `compile it first: \`seccompile compile ${inputPath} --format asm\` prints its listing (\`sim\` and \`stats\` take policies as they are)`,
    });
  }
  const program = loadRawFilter(input);
  writeOutput(options.output ?? '-', listing(program, options.arch === undefined ? undefined : parseArch(options.arch)));
  const problems = validateProgram(program);
  if (problems.length > 0) {
    const detail = problems.map((p) => (p.index >= 0 ? `instruction ${p.index}: ${p.message}` : p.message)).join('\n  ');
    throw new CliError(`the kernel would refuse this filter:\n  ${detail}`, EXIT_INPUT_ERROR, { code: 'SC5003', path: input.path });
  }
}
