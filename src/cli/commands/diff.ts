// `seccompile diff A B`: which calls change verdict from A to B (each a policy, a profile or a raw
// filter), exactly, with one example call per change. Exit status: 0 equivalent, 1 different (as
// diff(1)), 2 wrong usage.
import { painter } from '../../diagnostics/paint.ts';
import { positionOf } from '../../diagnostics/source.ts';
import { escapeData, escapeProperty } from '../../lint/report/github.ts';
import { describeCall, verdictText as verdict } from '../../verify/describe.ts';
import { DiffUndecided, diffVerdicts, type DiffSide, type VerdictChange } from '../../verify/diff.ts';
import { budget } from './verify.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from '../errors.ts';
import { isRawFilter, loadFilter } from '../filter-input.ts';
import { decodeText, readInput, useColor } from '../io.ts';
import { isProfileInput, type OciCliOptions } from '../oci-input.ts';
import { writeStdout } from '../stdout.ts';

export interface DiffOptions extends OciCliOptions {
  readonly format?: string;
  readonly timeout?: string;
}

const FORMATS = ['human', 'json', 'markdown', 'github'];

/** The example call, without the verdicts (the line gives them). */
function example(change: VerdictChange): string {
  return describeCall(change.example, change.arch);
}

/** `socket, where family == 16`, or the group alone when the change covers every call of it. */
function headline(change: VerdictChange): string {
  return change.region ? `${change.group}, where ${change.region}` : change.group;
}

type SideKind = 'profile' | 'policy' | 'raw';

/** What an input is: an OCI profile (by content, or --input), a raw filter, else a policy. */
function sideKind(path: string, options: DiffOptions): SideKind {
  const input = readInput(path);
  if (isRawFilter(input)) return 'raw';
  return isProfileInput(decodeText(input), options) ? 'profile' : 'policy';
}

/**
 * A side; the profile options (--cap…) apply to the sides that are profiles. A policy is compiled
 * for --arch, else for `arches` (the ABIs of a profile on the other side, so that a profile and
 * its `convert` output are compared section for section).
 */
function side(path: string, kind: SideKind, options: DiffOptions, arches?: string): DiffSide {
  const { format: _format, timeout: _timeout, ...profileOptions } = options;
  const arch = options.arch ?? arches;
  const loaded = loadFilter(path, kind === 'profile' ? profileOptions : { ...(arch ? { arch } : {}) });
  const compiled = loaded.compiled;
  return compiled ? { policy: compiled.policy, ...(compiled.sections ? { sections: compiled.sections.map((s) => s.policy) } : {}) } : { program: loaded.program };
}

/** The ABIs of a profile's filter of several, as `--arch` takes them. */
function abisOf(s: DiffSide): string | undefined {
  return 'sections' in s && s.sections ? s.sections.map((p) => p.arch.name).join(',') : undefined;
}

/** Both sides; a profile is compiled first, so that a policy on the other side is compiled once, for its ABIs. */
function sides(a: string, b: string, options: DiffOptions): [DiffSide, DiffSide] {
  const [kindA, kindB] = [sideKind(a, options), sideKind(b, options)];
  if (kindA === 'policy' && kindB === 'profile') {
    const after = side(b, kindB, options);
    return [side(a, kindA, options, abisOf(after)), after];
  }
  const before = side(a, kindA, options);
  return [before, side(b, kindB, options, kindA === 'profile' ? abisOf(before) : undefined)];
}

export function formatDiff(changes: readonly VerdictChange[], format: string, names: { a: string; b: string }, color = false): string {
  if (format === 'json') {
    return `${JSON.stringify({
      a: names.a, b: names.b, equivalent: changes.length === 0,
      changes: changes.map((c) => ({ group: c.group, ...(c.nr !== undefined ? { nr: c.nr } : {}), ...(c.region ? { region: c.region } : {}), before: verdict(c.before), after: verdict(c.after), example: example(c) })),
    }, null, 2)}\n`;
  }
  if (changes.length === 0) return format === 'github' ? '' : `${names.a} and ${names.b} give every call the same verdict\n`;
  if (format === 'markdown') {
    const rows = changes.map((c) => `| \`${c.group}\` | ${c.region ? `\`${c.region}\`` : 'every call'} | ${verdict(c.before)} | ${verdict(c.after)} | \`${example(c)}\` |`);
    return [`**seccompile diff**: ${changes.length} verdict change${changes.length === 1 ? '' : 's'} from \`${names.a}\` to \`${names.b}\``, '', '| syscall | where | before | after | for example |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
  }
  if (format === 'github') {
    return changes.map((c) => {
      const at = c.span ? positionOf(c.span.file, c.span.start) : undefined;
      const where = c.span && at ? `file=${escapeProperty(c.span.file.path)},line=${at.line},col=${at.column}` : `file=${escapeProperty(names.b)}`;
      return `::notice ${where},title=seccompile diff::${escapeData(`${headline(c)}: ${verdict(c.before)} → ${verdict(c.after)}, e.g. ${example(c)}`)}`;
    }).join('\n') + '\n';
  }
  const paint = painter(color);
  return changes.map((c) => `${paint.bold(headline(c))}: ${paint.red(verdict(c.before))} → ${paint.green(verdict(c.after))}, e.g. ${paint.dim(example(c))}`).join('\n') + '\n';
}

export async function runDiff(a: string, b: string, options: DiffOptions): Promise<void> {
  const format = options.format ?? 'human';
  if (!FORMATS.includes(format)) throw new CliError(`unknown format "${format}"`, EXIT_USAGE, { hint: `choose one of ${FORMATS.join(', ')}` });
  let changes: VerdictChange[];
  try {
    const [before, after] = sides(a, b, options);
    changes = await diffVerdicts(before, after, { timeoutMs: budget(options.timeout) });
  } catch (error) {
    if (error instanceof DiffUndecided) throw new CliError(`no diff: ${error.message}`, EXIT_INPUT_ERROR, { hint: 'give it more time with --timeout SECONDS' });
    throw error;
  }
  writeStdout(formatDiff(changes, format, { a, b }, useColor(process.stdout)));
  if (changes.length > 0) throw new CliError('', EXIT_INPUT_ERROR);
}
