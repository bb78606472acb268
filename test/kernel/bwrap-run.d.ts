export declare const BWRAP = "/usr/bin/bwrap";
/** The host's files read-only, a private /tmp, /dev and /proc. */
export declare const SANDBOX: string[];
export interface BwrapRun {
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}
/** Runs `command` in the sandbox, with the raw filter at `filterPath` (bwrap's `--seccomp 3`) when given. */
export declare function runInBwrap(command: readonly string[], filterPath?: string): BwrapRun;
