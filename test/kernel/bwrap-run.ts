// Running a command under bubblewrap (installed by .ci/run), with a raw filter on fd 3 when given.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export const BWRAP = '/usr/bin/bwrap';
/** The host's files read-only, a private /tmp, /dev and /proc. */
export const SANDBOX = ['--ro-bind', '/', '/', '--tmpfs', '/tmp', '--dev', '/dev', '--proc', '/proc'];

export interface BwrapRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` in the sandbox, with the raw filter at `filterPath` (bwrap's `--seccomp 3`) when given. */
export function runInBwrap(command: readonly string[], filterPath?: string): BwrapRun {
  const fd = filterPath === undefined ? undefined : openSync(filterPath, 'r');
  try {
    const run = spawnSync(BWRAP, [...SANDBOX, ...(fd === undefined ? [] : ['--seccomp', '3']), '--', ...command], {
      stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', fd],
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (run.error) throw new Error(`running ${BWRAP} failed: ${run.error.message}`);
    return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
