import { type Cfg } from '../../src/bpf/cfg.ts';
import type { Random } from './random.ts';
/** Runs a CFG directly: the meaning every transformation must keep. */
export declare function interpret(cfg: Cfg, words: Uint32Array): number;
/** A random acyclic CFG with long straight runs, so that many jumps are far. */
export declare function randomCfg(rng: Random, size: number): Cfg;
