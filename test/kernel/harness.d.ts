/**
 * How the call enters the kernel. `i386` passes the low 32 bits of each
 * argument, as a 32-bit process would; `i386-wide` is `int $0x80` from
 * 64-bit code with the full registers, whose upper halves seccomp then sees
 * in args[i] (a 64-bit attacker can do this; the i386 system call itself
 * ignores them).
 */
export type Abi = 'x64' | 'x32' | 'i386' | 'i386-wide';
/** One system call to make: up to 6 args, missing ones are 0n. */
export interface KernelCall {
    abi: Abi;
    nr: number;
    args?: readonly bigint[];
}
export type KernelOutcome = {
    outcome: 'returned';
    ret: number;
    errno: number;
}
/** The process died of a signal; `core` is always false, the helper makes children non-dumpable. */
 | {
    outcome: 'killed';
    signal: number;
    core: boolean;
}
/** The calling thread died but the process lived (KILL_THREAD, or the call was exit(2) itself). */
 | {
    outcome: 'thread-killed';
} | {
    outcome: 'trapped';
    data: number;
    syscall: number;
    arch: number;
} | {
    outcome: 'notified';
    nr: number;
    arch: number;
    args: string[];
    ret: number;
} | {
    outcome: 'install-failed';
    errno: number;
}
/** The call ended the process normally (exit_group), so no result came back. */
 | {
    outcome: 'exited';
    status: number;
} | {
    outcome: 'timeout';
};
export interface RunOptions {
    /** Ask for a listener (NEW_LISTENER) and answer notifications with 4242. Default: when the filter has a `ret #USER_NOTIF`. */
    listener?: boolean;
    /** Extra seccomp filter flags (TSYNC is refused: it would bind the supervising thread). */
    flags?: number;
    /** Make the calls without installing the filter. */
    baseline?: boolean;
    /** Per-call time limit in the helper, default 5000 ms. */
    timeoutMs?: number;
}
export declare const AUDIT_ARCH_X86_64 = 3221225534;
export declare const AUDIT_ARCH_I386 = 1073741827;
/** What the helper's supervisor answers to every user notification. */
export declare const NOTIF_REPLY_VALUE = 4242;
/**
 * Path of the compiled helper, building test/.build/run-filter from
 * run-filter.c when it is missing or older than the source. Concurrent
 * callers (vitest workers) each build to a private name and rename, so a
 * reader never sees a half-written binary.
 */
export declare function kernelHelperPath(): string;
/**
 * Make each call in a fresh child process, under `filter` (or without any
 * filter with `baseline`), and return what happened, in order. Synchronous.
 */
export declare function runInKernel(filter: Uint8Array, calls: readonly KernelCall[], opts?: RunOptions): KernelOutcome[];
/**
 * What the kernel does with `call` when the filter returns `ret` (a u32),
 * given the call's unfiltered `baseline` outcome; assumes runInKernel's
 * setup (listener present for USER_NOTIF, no tracer, a live main thread).
 * Mirrors __seccomp_filter in kernel/seccomp.c.
 */
export declare function expectedOutcome(ret: number, baseline: KernelOutcome, call: KernelCall): KernelOutcome;
