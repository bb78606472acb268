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
export declare function cleanEnv(extra?: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv;
export declare function run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
/** Runs the built CLI in a fresh process. */
export declare function runCli(args: readonly string[], options?: RunOptions): Promise<RunResult>;
/** This process's umask, which the programs it runs inherit (without process.umask(), deprecated). */
export declare function ownUmask(): number;
