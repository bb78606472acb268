// `seccompile learn [-o POLICY] [--args] [--groups] [--default ACTION] [--merge POLICY] [--profile TSV]
//  [--timeout SECONDS] -- COMMAND [ARG]...`: runs the command under the native helper, which
// sees every system call of every process and thread it starts through seccomp user
// notification, and writes a policy that allows exactly those calls (docs/learn.md).
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { compilePolicy } from '../../compile.ts';
import type { CheckedPolicy } from '../../check/checked.ts';
import { formatDiagnostics } from '../../diagnostics/format.ts';
import { nodeFileHost } from '../../host/node-host.ts';
import { resolvedTracking } from '../../learn/args.ts';
import { endOrphans, locateHelper, runLearn } from '../../learn/helper.ts';
import { learnedPolicy, learnedProfile, mergeLearned } from '../../learn/policy.ts';
import { LEARN_PROTOCOL, type LearnedRun, type LearnProgress } from '../../learn/records.ts';
import { archByName } from '../../arch/index.ts';
import { VERSION } from '../../version.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from '../errors.ts';
import { decodeText, readInput, report } from '../io.ts';
import { checkOutputPath, writeOutput } from '../output.ts';

export interface LearnCommandOptions {
  readonly output?: string;
  readonly args?: boolean;
  readonly groups?: boolean;
  readonly default?: string;
  readonly merge?: string;
  readonly profile?: string;
  readonly timeout?: string;
}

/** learn's own failures, as timeout(1) and env(1) report theirs: 125; 126 and 127 for the command. */
export const EXIT_LEARN_FAILED = 125;
// ENOSYS, as a kernel without the syscall answers: C libraries fall back from a new syscall to an
// old one only on ENOSYS (lint's new-syscall-not-enosys).
const DEFAULT_ACTION = 'errno(ENOSYS)';

/** `--default ACTION`: any action the language accepts after `default`. */
function checkDefaultAction(text: string): string {
  const action = text.trim();
  const compiled = compilePolicy(`default ${action}\n`, { path: '--default' });
  if (action === '' || /[\n#]/.test(action) || !compiled.ok || compiled.diagnostics.length > 0) {
    const why = compiled.diagnostics.map((d) => d.message).join('; ');
    throw new CliError(`--default "${text}" is not an action${why ? `: ${why}` : ''}`, EXIT_USAGE, { hint: 'e.g. --default errno(EPERM), --default kill_process, --default log' });
  }
  return action;
}

function checkTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--timeout "${text}" is not a positive number of seconds`, EXIT_USAGE);
  return seconds * 1000;
}

/** The policy to merge into, checked before the command runs. */
function loadMergeBase(path: string): { text: string; policy: CheckedPolicy; path: string } {
  const input = readInput(path);
  const text = decodeText(input);
  const compiled = compilePolicy(text, { path: input.path, host: nodeFileHost });
  if (report(compiled.diagnostics) || !compiled.ok) throw new CliError('', EXIT_INPUT_ERROR);
  return { text, policy: compiled.filter.policy, path: input.path };
}

/**
 * The base policy's section for each other ABI the run made calls through (compiled for x86_64 and
 * that ABI), so that the merge leaves to its `arch` blocks what they decide.
 */
function mergeSections(base: { text: string; path: string }, run: LearnedRun): Map<string, CheckedPolicy> {
  const sections = new Map<string, CheckedPolicy>();
  for (const [abi, counts] of run.foreign) {
    const arch = abi === 'i386' || abi === 'x32' ? archByName(abi) : undefined;
    if (!arch || counts.size === 0) continue;
    const compiled = compilePolicy(base.text, { path: base.path, host: nodeFileHost, arches: [archByName('x86_64')!, arch] });
    const section = compiled.ok ? compiled.filter.sections?.[1]?.policy : undefined;
    if (section) sections.set(abi, section);
  }
  return sections;
}

/** The progress line: on a terminal only, rewritten in place, erased at the end. */
function progressLine(): { update(progress: LearnProgress): void; clear(): void } {
  if (process.stderr.isTTY !== true) return { update() {}, clear() {} };
  let shown = false;
  return {
    update(p) {
      const line = `seccompile learn: ${p.calls} calls of ${p.distinct} syscalls, ${p.processes} ${p.processes === 1 ? 'process' : 'processes'}, ${p.threads} ${p.threads === 1 ? 'thread' : 'threads'}`;
      // Never wider than the terminal, or the next update could not erase it (0: size unknown).
      const columns = process.stderr.columns || 80;
      process.stderr.write(`\r\x1b[K${line.slice(0, Math.max(20, columns - 1))}`);
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

function warn(message: string): void {
  process.stderr.write(`seccompile: warning: ${message}\n`);
}

/** Programs that gain privileges when run (set-user-ID or set-group-ID), by path. */
function privilegedPrograms(paths: readonly (string | undefined)[]): { path: string; bits: string }[] {
  const found: { path: string; bits: string }[] = [];
  for (const path of new Set(paths)) {
    if (path === undefined) continue;
    try {
      const { mode } = statSync(path);
      const bits = [mode & 0o4000 ? 'set-user-ID' : '', mode & 0o2000 ? 'set-group-ID' : ''].filter(Boolean).join(' and ');
      if (bits) found.push({ path, bits });
    } catch {
      // not a file we can see
    }
  }
  return found;
}

function privilegeWarning(program: { path: string; bits: string }): string {
  return `${program.path} is ${program.bits}: under learn it ran without those privileges (no_new_privs), so this run may have taken other paths than a real one`;
}

/** The file a command name runs, found as execvp would (for the privilege check only). */
function resolveCommand(name: string): string | undefined {
  if (name.includes('/')) return name;
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const path = resolve(dir || '.', name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Writes the policy; if the file cannot be written after all (the disk filled up while the command
 * ran), the policy goes to standard output instead, so that the run is not lost.
 */
function saveLearned(output: string | undefined, text: string): void {
  try {
    writeOutput(output ?? '-', text);
  } catch (error) {
    if (!(error instanceof CliError) || output === undefined || output === '-') throw error;
    writeOutput('-', text);
    throw new CliError(`${error.message}; the learned policy was written to standard output instead`, error.exitCode);
  }
}

export async function runLearnCommand(command: readonly string[], options: LearnCommandOptions): Promise<void> {
  if (command.length === 0) throw new CliError('no command to run', EXIT_USAGE, { hint: 'seccompile learn -o app.policy -- COMMAND [ARG]...' });
  if (options.merge !== undefined && options.groups === true) {
    throw new CliError('--groups and --merge do not go together: a merge appends the syscalls the policy lacks, by name', EXIT_USAGE);
  }
  if (options.merge !== undefined && options.default !== undefined) {
    throw new CliError('--default and --merge do not go together: the merged policy keeps its own default', EXIT_USAGE);
  }
  const defaultAction = checkDefaultAction(options.default ?? DEFAULT_ACTION);
  const timeoutMs = checkTimeout(options.timeout);
  const base = options.merge !== undefined ? loadMergeBase(options.merge) : undefined;
  // Before the command runs, which may take long: the outputs must be writable.
  checkOutputPath(options.output);
  checkOutputPath(options.profile);
  const helper = locateHelper();
  if (!('path' in helper)) throw new CliError(helper.unavailable, EXIT_LEARN_FAILED, { hint: helper.hint });

  const track = resolvedTracking(options.args === true).map((t) => ({ nr: t.nr, arg: t.arg.index }));
  const progress = progressLine();
  let result;
  try {
    result = await runLearn({ helper: helper.path, command, track, ...(timeoutMs !== undefined ? { timeoutMs } : {}), onProgress: (p) => progress.update(p) });
  } catch (error) {
    throw new CliError(`cannot run the learn helper ${helper.path}: ${(error as Error).message}`, EXIT_LEARN_FAILED, { hint: 'rebuild it: npm rebuild seccompile' });
  } finally {
    progress.clear();
  }
  // execve calls that failed (a PATH search tries several names) name files that do not exist.
  const run = { ...result.run, programs: result.run.programs.filter((path) => !isAbsolute(path) || existsSync(path)) };
  const status = result.status ?? 128 + (result.signal ? (constants.signals[result.signal] ?? 0) : 0);
  if (result.signal !== null && !run.complete) {
    // The helper was killed: the command's processes lost their supervisor, and each of their
    // calls would fail from now on. End them rather than leave them spinning.
    const ended = endOrphans(run.pids, result.helperStart);
    throw new CliError(`the learn helper was killed by ${result.signal} before the command ended${ended > 0 ? `; ended ${ended} process${ended === 1 ? '' : 'es'} of the command it left without a supervisor` : ''}; no policy written`, EXIT_LEARN_FAILED);
  }
  if (run.protocol !== LEARN_PROTOCOL) {
    const garbage = result.garbage.length > 0 ? ` (it wrote: ${result.garbage[0]})` : '';
    throw new CliError(`the learn helper ${helper.path} does not speak protocol ${LEARN_PROTOCOL}${garbage}`, EXIT_LEARN_FAILED, { hint: 'rebuild it: npm rebuild seccompile' });
  }
  // The helper has said why on standard error (command not found, filter refused, …).
  if (!run.complete || run.errors.length > 0 || run.counts.size === 0) {
    throw new CliError(run.complete && run.errors.length === 0 ? 'no system call was seen; no policy written' : '', status === 0 ? EXIT_LEARN_FAILED : status);
  }

  const outputPath = options.output !== undefined && options.output !== '-' ? options.output : undefined;
  const privileged = privilegedPrograms([resolveCommand(command[0]!), ...run.programs]);
  for (const program of privileged) warn(privilegeWarning(program));
  let text: string;
  let checkPath: string;
  if (base) {
    const merged = mergeLearned(base.text, base.policy, run, { args: options.args === true, command, version: VERSION }, mergeSections(base, run));
    text = merged.text;
    // Includes are resolved relative to the policy's file: check the result where it will live.
    checkPath = outputPath ?? base.path;
    if (outputPath && resolve(dirname(outputPath)) !== resolve(dirname(base.path)) && /^\s*include\b/m.test(base.text)) {
      warn(`${base.path} has includes, which are resolved relative to the file: they may not be found from ${outputPath}`);
    }
  } else {
    text = learnedPolicy(run, { defaultAction, args: options.args === true, groups: options.groups === true, command, version: VERSION, warnings: privileged.map(privilegeWarning) });
    checkPath = outputPath ?? '<learned policy>';
  }
  // What is written must compile; a new policy, without a single warning (the tests hold it to
  // that). A merged one shows only errors here: the base's warnings were reported above.
  const check = compilePolicy(text, { path: checkPath, host: nodeFileHost });
  const shown = base ? check.diagnostics.filter((d) => d.severity === 'error') : check.diagnostics;
  if (shown.length > 0) process.stderr.write(`${formatDiagnostics(shown, { color: false })}\n`);
  if (!check.ok) throw new CliError('the learned policy does not compile; it was not written (please report this)', EXIT_LEARN_FAILED);
  saveLearned(options.output, text);
  if (options.profile !== undefined) writeOutput(options.profile, learnedProfile(run));

  const how = { x32: 'through the x32 ABI', i386: 'through the i386 ABI (int $0x80)', other: 'of another architecture' } as const;
  for (const [abi, counts] of run.foreign) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    warn(abi === 'other'
      ? `${total} ${total === 1 ? 'call' : 'calls'} ${how[abi]} seen; a policy cannot allow them one by one (they get the foreign_arch action)`
      : `${total} ${total === 1 ? 'call' : 'calls'} ${how[abi]} seen; the policy allows them in an \`arch ${abi}\` block, which a filter compiled with --arch x86_64,${abi} applies (for x86_64 alone they get the ${abi === 'x32' ? 'x32' : 'foreign_arch'} action)`);
  }
  if (process.stderr.isTTY === true) {
    const where = outputPath ?? 'the policy to standard output';
    process.stderr.write(`seccompile learn: wrote ${where}: ${run.counts.size} syscalls (${run.calls} calls from ${run.processes} ${run.processes === 1 ? 'process' : 'processes'}, ${run.threads} ${run.threads === 1 ? 'thread' : 'threads'})\n`);
  }
  if (status !== 0) throw new CliError('', status);
}
