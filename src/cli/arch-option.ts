// `--arch NAME`: the ABI a command compiles for (or reads a filter as).
import { ARCH_NAMES, archByName, DEFAULT_ARCH, type Arch } from '../arch/index.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

export function parseArch(text: string | undefined): Arch {
  if (text === undefined) return DEFAULT_ARCH;
  const arch = archByName(text);
  if (!arch) throw new CliError(`unknown architecture "${text}"`, EXIT_USAGE, { hint: `one of ${ARCH_NAMES.join(', ')}` });
  return arch;
}
