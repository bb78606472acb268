// `seccompile lint [paths…] [--format human|json|sarif|github] [--rule ID=LEVEL]… [--config FILE]
// [--max-warnings N] [--target-kernel X.Y] [--cap CAP]… [--docker-default-caps] [--kernel X.Y]`:
// checks policies and OCI/Docker profiles for CI. Exit status: 0 clean, 1 when an error-level
// finding remains or there are more warnings than --max-warnings, 2 for wrong usage.
import { parseArches } from '../arch-option.ts';
import { ConfigError, findConfig, parseKernelVersion, parseRuleOption, readConfig, type LintConfig } from '../../lint/config.ts';
import { discoverInputs, DiscoveryError } from '../../lint/discover.ts';
import { formatLintReport, LINT_FORMATS, type LintFormat } from '../../lint/report/index.ts';
import { summarize } from '../../lint/report/summary.ts';
import { RULES } from '../../lint/rules/index.ts';
import { lintFiles } from '../../lint/run.ts';
import type { KernelVersion, Level } from '../../lint/types.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from '../errors.ts';
import { useColor } from '../io.ts';
import { writeOutput } from '../output.ts';
import { profileOptions } from '../oci-input.ts';

export interface LintCommandOptions {
  readonly arch?: string;
  readonly format?: string;
  readonly rule?: readonly string[];
  readonly config?: string;
  readonly maxWarnings?: string;
  readonly targetKernel?: string;
  readonly output?: string;
  readonly cap?: readonly string[];
  readonly dockerDefaultCaps?: boolean;
  readonly kernel?: string;
  readonly listRules?: boolean;
}

function usage(error: unknown): never {
  if (error instanceof ConfigError) throw new CliError(error.message, EXIT_USAGE, error.hint ? { hint: error.hint } : {});
  if (error instanceof DiscoveryError) throw new CliError(`${error.path}: ${error.message}`, EXIT_USAGE);
  throw error;
}

function loadConfig(path: string | undefined): LintConfig {
  try {
    if (path !== undefined) return readConfig(path);
    const found = findConfig(process.cwd());
    return found ? readConfig(found) : { rules: new Map() };
  } catch (error) {
    return usage(error);
  }
}

function listRules(output: string): void {
  const width = Math.max(...RULES.map((r) => r.id.length));
  const lines = RULES.map((r) => `${r.id.padEnd(width)}  ${r.category.padEnd(13)}  ${(r.fatal ? 'error*' : r.defaultSeverity).padEnd(7)}  ${r.summary}`);
  writeOutput(output, `${lines.join('\n')}\n\n* not configurable: the input does not compile\nRationale and sources: docs/lint-rules.md\n`);
}

export function runLint(paths: readonly string[], options: LintCommandOptions): void {
  const output = options.output ?? '-';
  if (options.listRules) return listRules(output);
  const format = options.format ?? 'human';
  if (!(LINT_FORMATS as readonly string[]).includes(format)) throw new CliError(`unknown format "${format}"`, EXIT_USAGE, { hint: `choose one of ${LINT_FORMATS.join(', ')}` });

  const config = loadConfig(options.config);
  const levels = new Map<string, Level>(config.rules);
  let maxWarnings = config.maxWarnings;
  let targetKernel: KernelVersion | undefined = config.targetKernel;
  try {
    for (const setting of options.rule ?? []) levels.set(...parseRuleOption(setting));
    if (options.targetKernel !== undefined) targetKernel = parseKernelVersion(options.targetKernel, '--target-kernel');
    if (options.maxWarnings !== undefined) {
      if (!/^\d+$/.test(options.maxWarnings)) throw new ConfigError(`--max-warnings "${options.maxWarnings}" is not a whole number`, 'e.g. --max-warnings 0');
      maxWarnings = Number(options.maxWarnings);
    }
  } catch (error) {
    usage(error);
  }
  // The profile options: the command line's, else the configuration's; checked as `compile` checks them.
  const caps = options.cap?.length ? options.cap : config.caps;
  const kernel = options.kernel ?? config.kernel;
  const profile = profileOptions({
    ...(caps ? { cap: caps } : {}),
    ...(options.dockerDefaultCaps || config.dockerDefaultCaps ? { dockerDefaultCaps: true } : {}),
    ...(kernel !== undefined ? { kernel } : {}),
  });

  let files: string[];
  try {
    files = discoverInputs(paths.length > 0 ? paths : ['.']);
  } catch (error) {
    return usage(error);
  }
  // several ABIs are for policies; a profile is compiled for the first (its host)
  const arches = parseArches(options.arch);
  const results = lintFiles(files, { levels, profile, arch: arches[0]!, ...(arches.length > 1 ? { arches } : {}), ...(targetKernel ? { targetKernel } : {}) });
  const docs = config.docsBaseUrl !== undefined ? { docsBaseUrl: config.docsBaseUrl } : {};
  writeOutput(output, formatLintReport(results, format as LintFormat, { color: output === '-' && useColor(process.stdout), ...docs }));

  const summary = summarize(results);
  if (summary.errors > 0) throw new CliError('', EXIT_INPUT_ERROR);
  if (maxWarnings !== undefined && summary.warnings > maxWarnings) {
    throw new CliError(`${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}, more than --max-warnings ${maxWarnings} allows`, EXIT_INPUT_ERROR);
  }
}
