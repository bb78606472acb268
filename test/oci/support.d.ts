import { type Instruction } from '../../src/bpf/insn.ts';
import { type Action } from '../../src/seccomp/action.ts';
import { Random } from '../support/random.ts';
import { PfcProgram } from './pfc.ts';
export declare const PYTHON = "/usr/bin/python3";
export declare const REFERENCE_SCRIPT: string;
/** Docker's and Podman's default profiles, as published (see the README there). */
export declare const PROFILES_DIR: string;
/** JSON with bigints written as exact integers. */
export declare function toJson(value: unknown, indent?: number): string;
export interface RandomProfile {
    readonly profile: Record<string, unknown>;
    /** Values it compares with, for boundary arguments. */
    readonly values: readonly bigint[];
}
export declare function randomProfile(rng: Random): RandomProfile;
export interface ReferenceCase {
    readonly id: string;
    readonly profile: unknown;
    readonly caps: readonly string[];
    readonly kernel: readonly [number, number];
}
export type ReferenceResult = {
    readonly id: string;
    readonly ok: true;
    readonly program: Instruction[];
    readonly pfc: PfcProgram;
    readonly skipped: string[];
    readonly fallback: string[];
} | {
    readonly id: string;
    readonly ok: false;
    readonly error: string;
};
/** Fails with a clear message when Debian's python3-seccomp is missing (.ci/run installs it). */
export declare function checkReferenceAvailable(): void;
/** Compiles every case with libseccomp, in one Python process. */
export declare function referenceFilters(cases: readonly ReferenceCase[]): {
    version: string;
    results: ReferenceResult[];
};
export interface Call {
    readonly nr: number;
    readonly arch: number;
    readonly args: readonly bigint[];
}
export interface Mismatch {
    readonly call: Call;
    readonly ours: string;
    readonly theirs: string;
    /** What libseccomp's rule database (its PFC) says, for x86-64 calls. */
    readonly database?: string;
}
export interface Comparison {
    /** Calls where our verdict differs from libseccomp's rule database or, where that database and libseccomp's BPF agree, from the BPF. */
    readonly mismatches: Mismatch[];
    /** Calls where libseccomp's BPF contradicts libseccomp's own rule database; we must follow the database. */
    readonly libseccompInconsistent: Mismatch[];
}
/** Argument values around the ones a profile compares with, in both words. */
export declare function interestingValues(values: readonly bigint[]): bigint[];
/**
 * The calls both programs are run on: every x86-64 syscall number and a few beyond the table,
 * with zero and random arguments; many argument vectors for the syscalls the profile names; nr -1;
 * x32 numbers; and calls from i386 and aarch64.
 */
export declare function callsFor(namedSyscalls: readonly number[], values: readonly bigint[], rng: Random, perSyscall?: number): Call[];
export declare function verdict(program: readonly Instruction[], call: Call): Action;
/**
 * Compares our program with libseccomp's, call by call. x32 and foreign-arch calls must be
 * rejected by both: ours with kill_process, libseccomp's with its bad-arch action (KILL, which is
 * kill_thread). Other calls must get libseccomp's verdict; where libseccomp's BPF contradicts its
 * own rule database (PFC), ours must follow the database, and the call is reported apart.
 */
export declare function compareVerdicts(ours: readonly Instruction[], reference: {
    program: readonly Instruction[];
    pfc: PfcProgram;
}, calls: readonly Call[]): Comparison;
/** Numbers of the x86-64 syscalls a profile names. */
export declare function namedSyscalls(profile: {
    syscalls?: {
        names?: string[];
        name?: string;
    }[];
}): number[];
export declare function describeCall(call: Call): string;
