export declare const ROOT: string;
export declare const BIN: string;
