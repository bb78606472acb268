// Random CFGs and a direct interpreter of CFGs, for testing the passes that transform them.
import type { Block, BlockId, Cfg, Terminator } from '../../src/bpf/cfg.ts';
import { BPF_ABS, BPF_LD, BPF_W } from '../../src/bpf/insn.ts';
import type { Random } from './random.ts';

/** Runs a CFG directly: the meaning every transformation must keep. */
export function interpret(cfg: Cfg, words: Uint32Array): number {
  let id: BlockId = cfg.entry;
  let a = 0;
  for (;;) {
    const block = cfg.blocks[id]!;
    for (const s of block.body) {
      if (s.code === (BPF_LD | BPF_W | BPF_ABS)) a = words[s.k / 4]!;
      else if (s.code === 0x54) a = (a & s.k) >>> 0;
      else throw new Error(`unexpected opcode ${s.code}`);
    }
    const exit = block.exit;
    if (exit.kind === 'ret') return exit.value;
    if (exit.kind === 'goto') id = exit.target;
    else if (exit.kind === 'branch') {
      const k = exit.k >>> 0;
      const taken = exit.op === 'jeq' ? a === k : exit.op === 'jgt' ? a > k : exit.op === 'jge' ? a >= k : (a & k) !== 0;
      id = taken ? exit.whenTrue : exit.whenFalse;
    } else throw new Error('ret A');
  }
}

/**
 * A random acyclic CFG with long straight runs, so that many jumps are far. Made without
 * CfgBuilder, which would share identical blocks: the passes must meet them too.
 */
export function randomCfg(rng: Random, size: number): Cfg {
  const blocks: Block[] = [];
  const add = (body: Block['body'], exit: Terminator): BlockId => {
    blocks.push({ id: blocks.length, body, exit });
    return blocks.length - 1;
  };
  for (const value of [0x7fff0000, 0x00050001, 0x80000000, 0x00050002]) add([], { kind: 'ret', value });
  for (let i = 0; i < size; i++) {
    const pick = (): BlockId => (rng.chance(0.3) ? rng.int(blocks.length) : Math.max(0, blocks.length - 1 - rng.int(3)));
    const filler = Array.from({ length: rng.int(4) }, () => ({ code: BPF_LD | BPF_W | BPF_ABS, k: 4 * rng.int(16) }));
    // A third of the blocks test A as they find it, so tests of the same value can be threaded.
    const body = rng.chance(0.3) ? [] : [...filler, { code: BPF_LD | BPF_W | BPF_ABS, k: 4 * rng.int(16) }];
    const op = rng.pick(['jeq', 'jgt', 'jge', 'jset'] as const);
    if (rng.chance(0.1)) add(body, { kind: 'goto', target: pick() });
    else add(body, { kind: 'branch', op, k: rng.int(8), whenTrue: pick(), whenFalse: pick() });
  }
  return { entry: blocks.length - 1, blocks };
}

