// The native helper (native/seccompile-learn.c, built at install time by scripts/build-native.mjs):
// where it is, and running it with the records streamed back on a pipe.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
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
  /** When the helper started (clock ticks since boot, /proc/PID/stat), if it could be read. */
  readonly helperStart?: number;
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs the command under the helper and collects what it saw. */
export function runLearn(options: LearnRunOptions): Promise<LearnRunResult> {
  // Descriptors this process inherited (`3<filter.bpf` for `bwrap --seccomp 3`) reach the command
  // at the same numbers, as a plain run would pass them; the records pipe goes above them.
  const inherited = inheritedDescriptors();
  const recordsFd = Math.max(2, ...inherited) + 1;
  const passed = Array.from({ length: recordsFd - 3 }, (_, i) => (inherited.includes(i + 3) ? i + 3 : 'ignore' as const));
  const args = ['--records-fd', String(recordsFd)];
  for (const t of options.track ?? []) args.push('--track', `${t.nr}:${t.arg}`);
  if (options.timeoutMs !== undefined) args.push('--timeout-ms', String(Math.max(1, Math.round(options.timeoutMs))));
  args.push('--', ...options.command);
  return new Promise((resolve, reject) => {
    const child = spawn(options.helper, args, { stdio: [...(options.stdio ?? ['inherit', 'inherit', 'inherit']), ...passed, 'pipe'] });
    const reader = new RecordReader(options.onProgress);
    let helperStart: number | undefined;
    child.on('spawn', () => {
      helperStart = child.pid === undefined ? undefined : processStat(child.pid)?.start;
    });
    const records = child.stdio[recordsFd] as Readable;
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
      resolve({ run: reader.result(), status, signal, garbage: reader.garbage, ...(helperStart !== undefined ? { helperStart } : {}) });
    });
  });
}

/**
 * File descriptors above 2 that this process inherited (`3<filter.bpf`), to pass on to the command.
 * Node marks descriptors 0-15 close-on-exec at start, its own and inherited ones alike, so below 16
 * Node's own are told apart by kind: an epoll, eventfd or signalfd instance, or a pipe with both
 * ends open here (its self-pipes). From 16 up, inherited ones are those without close-on-exec.
 */
export function inheritedDescriptors(): number[] {
  const O_CLOEXEC = 0o2000000;
  const described: { fd: number; target: string; cloexec: boolean }[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  for (const entry of entries) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      described.push({ fd, target, cloexec: flags !== null && (parseInt(flags[1]!, 8) & O_CLOEXEC) !== 0 });
    } catch {
      // closed meanwhile (the directory listing's own descriptor)
    }
  }
  const count = new Map<string, number>();
  for (const { target } of described) count.set(target, (count.get(target) ?? 0) + 1);
  const nodes = (d: { target: string }): boolean => /^anon_inode:\[(eventpoll|eventfd|signalfd)\]$/.test(d.target) || (/^pipe:/.test(d.target) && count.get(d.target)! > 1);
  return described.filter((d) => (d.fd < 16 ? !nodes(d) : !d.cloexec)).map((d) => d.fd).sort((a, b) => a - b);
}

/** A process's session and start time (clock ticks since boot), from /proc/PID/stat. */
function processStat(pid: number | 'self'): { session: number; start: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: the fields follow its last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { session: Number(fields[3]), start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/**
 * Ends what is left of the command when the helper died before it. With the helper gone, every call
 * its processes make fails, so they are ended: the processes the run reported, and those the helper
 * had not yet seen (a child between fork and its first call): processes of this session, under a
 * seccomp filter, started after the helper. Anything else is left alone.
 */
export function endOrphans(pids: readonly number[], helperStart: number | undefined): number {
  const self = processStat('self');
  const candidates = new Set(pids);
  if (self && helperStart !== undefined) {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const stat = processStat(pid);
      if (stat && stat.session === self.session && stat.start >= helperStart) candidates.add(pid);
    }
  }
  let ended = 0;
  for (const pid of candidates) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Seccomp:\s*2$/m.test(status) || /^State:\s*Z/m.test(status)) continue;
      process.kill(pid, 'SIGKILL');
      ended++;
    } catch {
      // gone already
    }
  }
  return ended;
}
