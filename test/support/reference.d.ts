import type { CheckedPolicy } from '../../src/check/checked.ts';
import type { Action } from '../../src/seccomp/action.ts';
export interface Call {
    readonly nr: number;
    readonly arch: number;
    readonly args: readonly bigint[];
}
export declare function referenceVerdict(policy: CheckedPolicy, call: Call): Action;
