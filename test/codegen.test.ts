import { X86_64 } from '../src/arch/index.ts';
import { describe, expect, it } from 'vitest';
import { CfgBuilder, compactCfg, reversePostorder, type BlockId } from '../src/bpf/cfg.ts';
import { emulate, seccompDataWords, x86_64Call } from '../src/bpf/emulate.ts';
import { BPF_ABS, BPF_JA, BPF_JMP, BPF_LD, BPF_RET, BPF_W, isConditionalJump } from '../src/bpf/insn.ts';
import { validateProgram } from '../src/bpf/validate.ts';
import { mergeRanges } from '../src/codegen/dispatch.ts';
import { lowerToCfg } from '../src/codegen/lower.ts';
import { layoutBlocks, resolveJumps } from '../src/codegen/resolve.ts';
import { compilePolicy } from '../src/compile.ts';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../src/seccomp/abi.ts';
import { Random } from './support/random.ts';
import { interpret, randomCfg } from './support/cfg.ts';

describe('CfgBuilder', () => {
  it('makes one block of identical ones, and keeps blocks that differ in anything apart', () => {
    const builder = new CfgBuilder();
    const allow = builder.ret(0x7fff0000);
    const deny = builder.ret(0);
    expect(builder.ret(0x7fff0000)).toBe(allow);
    const body = [{ code: BPF_LD | BPF_W | BPF_ABS, k: 16 }];
    const test = builder.block(body, { kind: 'branch', op: 'jeq', k: 1, whenTrue: allow, whenFalse: deny });
    expect(builder.block([{ code: BPF_LD | BPF_W | BPF_ABS, k: 16 }], { kind: 'branch', op: 'jeq', k: 1, whenTrue: allow, whenFalse: deny })).toBe(test);
    const others = [
      builder.block([{ code: BPF_LD | BPF_W | BPF_ABS, k: 20 }], { kind: 'branch', op: 'jeq', k: 1, whenTrue: allow, whenFalse: deny }),
      builder.block(body, { kind: 'branch', op: 'jge', k: 1, whenTrue: allow, whenFalse: deny }),
      builder.block(body, { kind: 'branch', op: 'jeq', k: 2, whenTrue: allow, whenFalse: deny }),
      builder.block(body, { kind: 'branch', op: 'jeq', k: 1, whenTrue: deny, whenFalse: allow }),
      builder.block(body, { kind: 'branch', op: 'jeq', k: 1, useX: true, whenTrue: allow, whenFalse: deny }),
      builder.block(body, { kind: 'goto', target: allow }),
      builder.block([], { kind: 'goto', target: allow }),
      builder.block([], { kind: 'retA' }),
    ];
    expect(new Set([allow, deny, test, ...others]).size).toBe(others.length + 3);
    expect(builder.finish(test).blocks).toHaveLength(others.length + 3);
  });
});

describe('jump resolution', () => {
  it('lays blocks out in a topological order', () => {
    const cfg = randomCfg(new Random(1), 300);
    const order = layoutBlocks(cfg);
    const position = new Map(order.map((id, i) => [id, i]));
    for (const id of order) {
      const exit = cfg.blocks[id]!.exit;
      const targets = exit.kind === 'branch' ? [exit.whenTrue, exit.whenFalse] : exit.kind === 'goto' ? [exit.target] : [];
      for (const t of targets) expect(position.get(t)!).toBeGreaterThan(position.get(id)!);
    }
  });

  it('orders exactly the reachable blocks, whenTrue first, and refuses a cycle', () => {
    const builder = new CfgBuilder();
    const allow = builder.ret(0x7fff0000);
    const deny = builder.ret(0);
    builder.ret(1); // unreachable
    const right = builder.block([], { kind: 'goto', target: allow });
    const left = builder.block([], { kind: 'branch', op: 'jeq', k: 1, whenTrue: allow, whenFalse: deny });
    const entry = builder.block([], { kind: 'branch', op: 'jeq', k: 0, whenTrue: left, whenFalse: right });
    const cfg = builder.finish(entry);
    expect(reversePostorder(cfg)).toEqual([entry, right, left, deny, allow]);
    const cyclic = { entry, blocks: cfg.blocks.map((b) => (b.id === allow ? { ...b, exit: { kind: 'goto' as const, target: entry } } : b)) };
    expect(() => reversePostorder(cyclic)).toThrow(`the filter graph has a cycle through block ${entry}`);
  });

  it('numbers a compacted graph in its own reverse postorder, which the order it records says', () => {
    const rng = new Random(11);
    for (let round = 0; round < 30; round++) {
      const compacted = compactCfg(randomCfg(rng, 50 + rng.int(300)));
      const identity = compacted.blocks.map((_, i) => i);
      expect(reversePostorder(compacted)).toEqual(identity);
      // a copy the memo has not seen is walked: the walk agrees
      const copy = { entry: compacted.entry, blocks: compacted.blocks.map((b) => ({ ...b })) };
      expect(reversePostorder(copy)).toEqual(identity);
    }
  });

  it('keeps the meaning of random graphs with far jumps, through trampolines', () => {
    const rng = new Random(7);
    let farJumps = 0;
    for (let round = 0; round < 20; round++) {
      const cfg = randomCfg(rng, 400 + rng.int(400));
      const program = resolveJumps(cfg);
      expect(validateProgram(program)).toEqual([]);
      farJumps += program.filter((insn) => insn.code === (BPF_JMP | BPF_JA)).length;
      for (let i = 0; i < 300; i++) {
        const words = new Uint32Array(16).map(() => rng.int(10));
        expect(emulate(program, words).value).toBe(interpret(cfg, words));
      }
    }
    expect(farJumps).toBeGreaterThan(50);
  });

  it('copies a far return instead of jumping to it', () => {
    const builder = new CfgBuilder();
    const far = builder.ret(0x7fff0000);
    let next: BlockId = builder.ret(1);
    for (let i = 0; i < 300; i++) next = builder.block([{ code: BPF_LD | BPF_W | BPF_ABS, k: 0 }], { kind: 'branch', op: 'jeq', k: i, whenTrue: far, whenFalse: next });
    const program = resolveJumps(builder.finish(next));
    expect(validateProgram(program)).toEqual([]);
    expect(program.filter((i) => i.code === (BPF_JMP | BPF_JA))).toHaveLength(0);
    expect(program.filter((i) => i.code === (BPF_RET) && i.k === 0x7fff0000).length).toBeGreaterThan(1);
    for (const nr of [0, 150, 299, 300]) expect(emulate(program, x86_64Call(nr)).value).toBe(nr < 300 ? 0x7fff0000 : 1);
  });

  it('compiles a policy whose rule bodies are far apart', () => {
    const conditions = Array.from({ length: 60 }, (_, i) => `fd == ${i}`).join(' or ');
    const text = `default errno(1)\nallow read, write, close if ${conditions}\nallow exit_group\n` + X86_64.syscalls.all().slice(60, 160).map((s, i) => `errno(2) ${s.name} if arg0 in {${i}, ${i + 1000}, ${i + 2000}}`).join('\n');
    const result = compilePolicy(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const program = result.filter.program;
    expect(program.length).toBeGreaterThan(600);
    expect(program.some((insn) => isConditionalJump(insn.code) && (insn.jt === 255 || insn.jf > 200 || insn.jt > 200))).toBe(true);
    expect(emulate(program, x86_64Call(3, [59n])).value).toBe(0x7fff0000);
    expect(emulate(program, x86_64Call(3, [60n])).value).toBe(0x00050001);
    expect(emulate(program, x86_64Call(231)).value).toBe(0x7fff0000);
  });
});

describe('dispatch ranges', () => {
  it('merges neighbours with the same target', () => {
    expect(mergeRanges([{ lo: 0, hi: 0, target: 1 }, { lo: 1, hi: 4, target: 1 }, { lo: 5, hi: 5, target: 2 }, { lo: 6, hi: 9, target: 1 }])).toEqual([
      { lo: 0, hi: 4, target: 1 }, { lo: 5, hi: 5, target: 2 }, { lo: 6, hi: 9, target: 1 },
    ]);
  });
});

describe('the mandatory prologue', () => {
  const result = compilePolicy('default errno(1)\nx32 errno(2)\nforeign_arch errno(3)\nallow read, write, exit_group');
  if (!result.ok) throw new Error('policy does not compile');
  const program = result.filter.program;

  it('checks the architecture first', () => {
    expect(program[0]).toEqual({ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 4 });
    expect(program[1]!.k).toBe(AUDIT_ARCH_X86_64);
    expect(emulate(program, { nr: 0, arch: AUDIT_ARCH_I386 }).value).toBe(0x00050003);
    expect(emulate(program, { nr: 0, arch: 0 }).value).toBe(0x00050003);
  });

  it('sends every x32 number to the x32 action, and nr -1 to the default', () => {
    for (const nr of [0, 1, 231, 0x3fffffff, 0x7fffffff, 0xbffffffe]) {
      const x32 = (nr | 0x40000000) >>> 0;
      expect(emulate(program, x86_64Call(x32)).value).toBe(0x00050002);
    }
    expect(emulate(program, x86_64Call(0xffffffff)).value).toBe(0x00050001);
    expect(emulate(program, x86_64Call(0x80000000)).value).toBe(0x00050002);
  });

  it('gives every x86-64 number its verdict', () => {
    for (let nr = 0; nr < 1024; nr++) {
      const expected = nr === 0 || nr === 1 || nr === 231 ? 0x7fff0000 : 0x00050001;
      expect(emulate(program, x86_64Call(nr)).value).toBe(expected);
    }
  });

  it('is deterministic', () => {
    const again = compilePolicy('default errno(1)\nx32 errno(2)\nforeign_arch errno(3)\nallow read, write, exit_group');
    expect(again.ok && again.filter.program).toEqual(program);
  });

  it('rejects a program over 4096 instructions with a clear error', () => {
    const huge = `default errno(1)\n` + X86_64.syscalls.all().slice(0, 300).map((s, i) => `allow ${s.name} if arg0 in {${Array.from({ length: 20 }, (_, j) => i * 1000 + 7 * j).join(', ')}}`).join('\n');
    const failed = compilePolicy(huge);
    expect(failed.ok).toBe(false);
    expect(failed.diagnostics.find((d) => d.code === 'SC4001')!.message).toMatch(/^the compiled filter has \d+ instructions; the kernel accepts at most 4096$/);
  });
});

describe('CFG lowering', () => {
  it('shares the body of syscalls with identical decisions', () => {
    const result = compilePolicy('default errno(1)\nallow read, write if arg0 == 1');
    if (!result.ok) throw new Error('no');
    const cfg = lowerToCfg(result.filter.ir);
    const loadsOfArg0 = cfg.blocks.filter((b) => b.body.some((s) => s.code === (BPF_LD | BPF_W | BPF_ABS) && s.k === 16));
    expect(loadsOfArg0).toHaveLength(1);
    const words = seccompDataWords(x86_64Call(1, [1n]));
    expect(interpret(cfg, words)).toBe(0x7fff0000);
  });
});

