// The native helper (native/seccompile-learn.c, built at install time by scripts/build-native.mjs):
// where it is, and running it with the records streamed back on a pipe.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { packageRoot } from '../host/package-root.ts';
import { RecordReader, type LearnedRun, type LearnProgress } from './records.ts';

/** Where the helper is built, relative to the package root. */
export const HELPER_RELATIVE_PATH = join('native', 'build', 'seccompile-learn');
/** Overrides the helper's location (tests, unusual installs). */
export const HELPER_ENV = 'SECCOMPILE_LEARN_HELPER';

export type HelperLocation = { readonly path: string } | { readonly unavailable: string; readonly hint: string };

/** The helper, or why `learn` cannot run here and how to enable it. */
export function locateHelper(env: NodeJS.ProcessEnv = process.env): HelperLocation {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { unavailable: `learn needs Linux on x86-64 (this is ${process.platform} on ${process.arch})`, hint: 'run it on the machine the policy is for' };
  }
  const root = packageRoot();
  const override = env[HELPER_ENV];
  const path = override !== undefined && override !== '' ? override : root !== undefined ? join(root, HELPER_RELATIVE_PATH) : undefined;
  const rebuild = root !== undefined ? `, then run \`npm rebuild seccompile\` (or \`node scripts/build-native.mjs\` in ${root})` : ', then reinstall seccompile';
  if (path === undefined || !existsSync(path)) {
    return {
      unavailable: `learn is unavailable: its native helper${path ? ` (${path})` : ''} was not built, usually because no C compiler was found when seccompile was installed`,
      hint: `install a C compiler and the C library headers (Debian/Ubuntu: apt-get install gcc libc6-dev)${rebuild}`,
    };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { unavailable: `learn is unavailable: its native helper ${path} is not executable`, hint: `rebuild it${rebuild}` };
  }
  return { path };
}

export interface LearnRunOptions {
  readonly helper: string;
  /** The command and its arguments; the first word is looked up in PATH. */
  readonly command: readonly string[];
  /** Arguments whose values the helper records: syscall number and argument index. */
  readonly track?: readonly { readonly nr: number; readonly arg: number }[];
  /** Stop the command after this long: SIGTERM, then SIGKILL for what remains. */
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: LearnProgress) => void;
  /** Forward SIGINT, SIGTERM and SIGHUP received by this process to the helper (default true). */
  readonly forwardSignals?: boolean;
  /** Standard input, output and error of the command (default: this process's). */
  readonly stdio?: readonly ['inherit' | 'ignore' | 'pipe', 'inherit' | 'ignore' | 'pipe', 'inherit' | 'ignore' | 'pipe'];
}

export interface LearnRunResult {
  readonly run: LearnedRun;
  /** The helper's exit status: the command's, or 124 (timeout), 125 (the helper failed), 126, 127. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Lines on the records pipe that were not records. */
  readonly garbage: readonly string[];
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs the command under the helper and collects what it saw. */
export function runLearn(options: LearnRunOptions): Promise<LearnRunResult> {
  const args = ['--records-fd', '3'];
  for (const t of options.track ?? []) args.push('--track', `${t.nr}:${t.arg}`);
  if (options.timeoutMs !== undefined) args.push('--timeout-ms', String(Math.max(1, Math.round(options.timeoutMs))));
  args.push('--', ...options.command);
  return new Promise((resolve, reject) => {
    const child = spawn(options.helper, args, { stdio: [...(options.stdio ?? ['inherit', 'inherit', 'inherit']), 'pipe'] });
    const reader = new RecordReader(options.onProgress);
    const records = child.stdio[3] as Readable;
    records.setEncoding('utf8');
    records.on('data', (chunk: string) => reader.push(chunk));
    // While the command runs, these signals go to the helper, which passes them on to the
    // command (unless the terminal already sent them to the whole process group): seccompile
    // stays to write what was seen.
    const forward = (signal: NodeJS.Signals): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = options.forwardSignals === false ? [] : FORWARDED.map((signal) => [signal, () => forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanup = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on('error', (error) => {
      cleanup();
      reject(error);
    });
    child.on('close', (status, signal) => {
      cleanup();
      resolve({ run: reader.result(), status, signal, garbage: reader.garbage });
    });
  });
}
