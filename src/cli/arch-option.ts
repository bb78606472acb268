// `--arch NAME`: the ABI a command compiles for (or reads a filter as).
import { ARCH_NAMES, archByName, DEFAULT_ARCH, type Arch } from '../arch/index.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

/** `--arch x86_64,i386`: one filter for several ABIs, in the order of its arch tests. */
export function parseArches(text: string | undefined): Arch[] {
  const arches = (text ?? '').split(',').filter((name) => name !== '').map((name) => parseArch(name.trim()));
  if (new Set(arches).size !== arches.length) throw new CliError(`--arch ${text} names an architecture twice`, EXIT_USAGE);
  return arches.length > 0 ? arches : [parseArch(undefined)];
}

export function parseArch(text: string | undefined): Arch {
  if (text === undefined) return DEFAULT_ARCH;
  if (text.includes(',')) throw new CliError(`--arch ${text}: one architecture here`, EXIT_USAGE, { hint: 'several ABIs in one filter are for policies: compile, sim, stats, verify, diff, lint' });
  const arch = archByName(text);
  if (!arch) throw new CliError(`unknown architecture "${text}"`, EXIT_USAGE, { hint: `one of ${ARCH_NAMES.join(', ')}` });
  return arch;
}
