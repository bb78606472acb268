// Running programs from the tests: to their end, asynchronously (so that many run at once), with
// the caller's colour and debug switches removed from the environment.
import { spawn, type ChildProcessWithoutNullStreams, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, ROOT } from './cli-build.ts';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  /** Standard output as UTF-8 text. */
  readonly out: string;
  readonly stderr: string;
  /** Wall-clock milliseconds. */
  readonly elapsed: number;
}

export interface RunOptions {
  /** Default: the repository. */
  readonly cwd?: string;
  readonly input?: string | Uint8Array;
  /** Variables to set, or to remove (undefined). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The program is killed (SIGKILL) after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** A file descriptor handed to the program as its fd 3 (bwrap's `--seccomp 3`). */
  readonly fd3?: number;
  /** Called once the program runs, to poke it (send it a signal). */
  readonly onSpawn?: (pid: number) => void;
}

/** The environment of a run: colour and debug switches of the caller's shell removed. */
export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR_FORCE', 'SECCOMPILE_DEBUG', 'NODE_OPTIONS']) delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = options.fd3 === undefined ? 'pipe' : ['pipe', 'pipe', 'pipe', options.fd3];
    // The first three are pipes either way.
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), stdio }) as ChildProcessWithoutNullStreams;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A program that exits without reading all its input closes the pipe: not an error here.
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('spawn', () => options.onSpawn?.(child.pid!));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      resolve({ code, signal, stdout, out: stdout.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), elapsed: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the built CLI in a fresh process. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [BIN, ...args], options);
}

/** This process's umask, which the programs it runs inherit (without process.umask(), deprecated). */
export function ownUmask(): number {
  const line = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return line ? parseInt(line[1]!, 8) : 0o022;
}
