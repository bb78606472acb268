export declare class Random {
    private state;
    constructor(seed: number);
    /** splitmix64 */
    next64(): bigint;
    int(n: number): number;
    pick<T>(items: readonly T[]): T;
    chance(p: number): boolean;
}
/** Values at the edges of 16-, 32- and 64-bit arithmetic. */
export declare const BOUNDARY_VALUES: readonly bigint[];
