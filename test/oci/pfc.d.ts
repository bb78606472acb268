import { type SeccompData } from '../../src/bpf/emulate.ts';
export declare class PfcProgram {
    private readonly statements;
    constructor(text: string);
    /** The action the rule database gives the call (x86-64 calls without the x32 bit only). */
    run(data: SeccompData): number;
}
