// Lint configuration: `--rule ID=LEVEL` on the command line, and the project file
// `.seccompile.json`, found by walking up from the working directory (or named with --config):
//
//   { "lint": { "rules": { "default-allow": "off", "kill-thread": "error" },
//               "targetKernel": "5.10", "maxWarnings": 0,
//               "caps": ["CAP_SYS_ADMIN"], "dockerDefaultCaps": true, "kernel": "6.1",
//               "docsBaseUrl": "https://example.org/seccompile/docs/lint-rules.md" } }
//
// The command line wins over the file, and the file over the rules' defaults.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { closestMatch } from '../diagnostics/suggest.ts';
import { ruleById, RULE_IDS } from './rules/index.ts';
import { LEVELS, type KernelVersion, type Level } from './types.ts';

export const CONFIG_FILE = '.seccompile.json';

export interface LintConfig {
  /** Where it was read from; absent for the built-in defaults. */
  readonly path?: string;
  readonly rules: ReadonlyMap<string, Level>;
  readonly targetKernel?: KernelVersion;
  readonly maxWarnings?: number;
  readonly caps?: readonly string[];
  readonly dockerDefaultCaps?: boolean;
  /** For profiles: the kernel MAJOR.MINOR Docker's minKernel is resolved against. */
  readonly kernel?: string;
  /** Where the rule documentation lives; links are `${docsBaseUrl}#rule-id`. */
  readonly docsBaseUrl?: string;
}

/** A mistake in the configuration: a usage error. */
export class ConfigError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

const LINT_KEYS = ['rules', 'targetKernel', 'maxWarnings', 'caps', 'dockerDefaultCaps', 'kernel', 'docsBaseUrl'] as const;

/** `5.10` → { major: 5, minor: 10 }. */
export function parseKernelVersion(text: string, what: string): KernelVersion {
  const match = /^(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!match) throw new ConfigError(`${what} "${text}" is not a kernel version`, 'write MAJOR.MINOR, e.g. 5.10');
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** Checks a rule ID and a level, with suggestions. */
export function checkRuleLevel(id: string, level: string, where: string): [string, Level] {
  const rule = ruleById(id);
  if (!rule) {
    const suggestion = closestMatch(id, RULE_IDS);
    throw new ConfigError(`${where}: unknown rule "${id}"`, suggestion ? `did you mean ${suggestion}?` : 'run `seccompile lint --list-rules` for the rule IDs');
  }
  if (!(LEVELS as readonly string[]).includes(level)) {
    const suggestion = closestMatch(level, LEVELS);
    throw new ConfigError(`${where}: "${level}" is not a level for ${id}`, `use one of ${LEVELS.join(', ')}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
  if (rule.fatal) throw new ConfigError(`${where}: ${id} cannot be configured`, 'a policy that does not compile always fails the lint');
  return [id, level as Level];
}

/** `--rule ID=LEVEL`. */
export function parseRuleOption(text: string): [string, Level] {
  const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(text);
  if (!match) throw new ConfigError(`--rule "${text}" is not ID=LEVEL`, 'e.g. --rule default-allow=off or --rule kill-thread=error');
  return checkRuleLevel(match[1]!, match[2]!, `--rule ${text}`);
}

/** The nearest .seccompile.json at or above a directory. */
export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKey(key: string, known: readonly string[], where: string): never {
  const suggestion = closestMatch(key, known);
  throw new ConfigError(`${where}: unknown setting "${key}"`, suggestion ? `did you mean "${suggestion}"?` : `the settings are ${known.join(', ')}`);
}

/** Reads and checks a configuration file. */
export function readConfig(path: string): LintConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(data, path);
}

/** Checks the contents of a configuration file. */
export function parseConfig(data: unknown, path: string): LintConfig {
  if (!isObject(data)) throw new ConfigError(`${path}: the configuration must be a JSON object`);
  for (const key of Object.keys(data)) if (key !== 'lint' && key !== '$schema') unknownKey(key, ['lint'], path);
  const lint = data['lint'] ?? {};
  if (!isObject(lint)) throw new ConfigError(`${path}: "lint" must be an object`);
  for (const key of Object.keys(lint)) if (!(LINT_KEYS as readonly string[]).includes(key)) unknownKey(key, LINT_KEYS, `${path}: lint`);

  const rules = new Map<string, Level>();
  const ruleSettings = lint['rules'] ?? {};
  if (!isObject(ruleSettings)) throw new ConfigError(`${path}: lint.rules must be an object of rule ID → level`);
  for (const [id, level] of Object.entries(ruleSettings)) {
    if (typeof level !== 'string') throw new ConfigError(`${path}: lint.rules.${id} must be a string`, `one of ${LEVELS.join(', ')}`);
    rules.set(...checkRuleLevel(id, level, `${path}: lint.rules`));
  }
  const string = (key: string): string | undefined => {
    const value = lint[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ConfigError(`${path}: lint.${key} must be a string`);
    return value;
  };
  const targetKernel = string('targetKernel');
  const kernel = string('kernel');
  if (kernel !== undefined) parseKernelVersion(kernel, `${path}: lint.kernel`);
  const docsBaseUrl = string('docsBaseUrl');
  const maxWarnings = lint['maxWarnings'];
  if (maxWarnings !== undefined && (typeof maxWarnings !== 'number' || !Number.isInteger(maxWarnings) || maxWarnings < 0)) {
    throw new ConfigError(`${path}: lint.maxWarnings must be a whole number, 0 or more`);
  }
  const caps = lint['caps'];
  if (caps !== undefined && (!Array.isArray(caps) || !caps.every((c) => typeof c === 'string'))) throw new ConfigError(`${path}: lint.caps must be a list of capability names`);
  const dockerDefaultCaps = lint['dockerDefaultCaps'];
  if (dockerDefaultCaps !== undefined && typeof dockerDefaultCaps !== 'boolean') throw new ConfigError(`${path}: lint.dockerDefaultCaps must be true or false`);
  return {
    path,
    rules,
    ...(targetKernel !== undefined ? { targetKernel: parseKernelVersion(targetKernel, `${path}: lint.targetKernel`) } : {}),
    ...(maxWarnings !== undefined ? { maxWarnings: maxWarnings as number } : {}),
    ...(caps !== undefined ? { caps: caps as string[] } : {}),
    ...(dockerDefaultCaps !== undefined ? { dockerDefaultCaps } : {}),
    ...(kernel !== undefined ? { kernel } : {}),
    ...(docsBaseUrl !== undefined ? { docsBaseUrl } : {}),
  };
}
