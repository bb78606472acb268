import { archByName, X86_64 } from '../src/arch/index.ts';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFileHost } from '../src/host/node-host.ts';
import { isCachedAllow } from '../src/analysis/action-cache.ts';
import { rangeTreeBound } from '../src/analysis/bound.ts';
import { filterStats } from '../src/analysis/stats.ts';
import { emulate, x86_64Call } from '../src/bpf/emulate.ts';
import { validateProgram } from '../src/bpf/validate.ts';
import { resolveJumps } from '../src/codegen/resolve.ts';
import { compilePolicy } from '../src/compile.ts';
import { createSourceFile } from '../src/diagnostics/source.ts';
import { compileProfile } from '../src/compile-profile.ts';
import { removeDeadLoads, removeRedundantLoads } from '../src/optimize/passes/loads.ts';
import { mergeIdenticalBlocks } from '../src/optimize/passes/merge.ts';
import { shortcutJumps } from '../src/optimize/passes/shortcut.ts';
import { threadJumps } from '../src/optimize/passes/thread.ts';
import { optimizeCfg, PASSES } from '../src/optimize/pipeline.ts';
import { createOptimizer } from '../src/optimize/index.ts';
import { sectionsToCfg } from '../src/backend.ts';
import { compactCfg } from '../src/bpf/cfg.ts';
import { genericProfile, parseProfile } from '../src/optimize/profile.ts';
import { depthLimits } from '../src/optimize/dispatch-tree.ts';
import { boundedRangeTree, leafDepths, leastWorstPath, limitedOptimalTree, minimaxTree, optimalRangeTree, treeDepth, weightedCost, type RangeTree } from '../src/optimize/range-tree.ts';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../src/seccomp/abi.ts';
import { RET_ALLOW } from '../src/seccomp/action.ts';
import { interpret, randomCfg } from './support/cfg.ts';
import { PROFILES_DIR } from './oci/support.ts';
import { Random } from './support/random.ts';
import { proveFilter } from '../src/verify/index.ts';

/** Every tree shape, by brute force: the reference for the dynamic programme. */
function bruteForceCost(weights: readonly number[], i = 0, j = weights.length - 1): number {
  if (i === j) return 0;
  let best = Infinity;
  const total = weights.slice(i, j + 1).reduce((a, b) => a + b, 0);
  for (let k = i + 1; k <= j; k++) best = Math.min(best, bruteForceCost(weights, i, k - 1) + bruteForceCost(weights, k, j));
  return best + total;
}

/** The plain O(n³) dynamic programme over intervals: the reference for larger trees. */
function intervalDpCost(weights: readonly number[]): number {
  const n = weights.length;
  const cost = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let length = 2; length <= n; length++) {
    for (let i = 0; i + length - 1 < n; i++) {
      const j = i + length - 1;
      let best = Infinity;
      for (let k = i + 1; k <= j; k++) best = Math.min(best, cost[i]![k - 1]! + cost[k]![j]!);
      cost[i]![j] = best + weights.slice(i, j + 1).reduce((a, b) => a + b, 0);
    }
  }
  return cost[0]![n - 1]!;
}

function leaves(tree: RangeTree): number[] {
  return tree.kind === 'leaf' ? [tree.index] : [...leaves(tree.left), ...leaves(tree.right)];
}

describe('optimal range trees', () => {
  it('match the brute-force optimum and keep the leaves in order', () => {
    const rng = new Random(3);
    for (let round = 0; round < 200; round++) {
      const n = 1 + rng.int(9);
      const weights = Array.from({ length: n }, () => (rng.chance(0.2) ? 0 : rng.int(1000)));
      const { tree, cost, depth } = optimalRangeTree(weights);
      expect(cost).toBeCloseTo(bruteForceCost(weights), 9);
      expect(weightedCost(tree, weights)).toBeCloseTo(cost, 9);
      expect(leaves(tree)).toEqual(weights.map((_, i) => i));
      expect(depth).toBe(treeDepth(tree));
    }
  });

  it('match the interval dynamic programme on larger inputs, ties and zeros included', () => {
    const rng = new Random(11);
    for (let round = 0; round < 150; round++) {
      const n = 10 + rng.int(50);
      const scale = rng.chance(0.5) ? 4 : 100_000;
      const weights = Array.from({ length: n }, () => (rng.chance(0.3) ? 0 : rng.int(scale)));
      const { tree, cost } = optimalRangeTree(weights);
      expect(cost).toBeCloseTo(intervalDpCost(weights), 6);
      expect(weightedCost(tree, weights)).toBeCloseTo(cost, 6);
      expect(leaves(tree)).toEqual(weights.map((_, i) => i));
    }
  });

  it('put frequent ranges near the root', () => {
    const { tree } = optimalRangeTree([1000, 1, 1, 1, 1, 1, 1, 1]);
    expect(tree.kind === 'split' && tree.left).toEqual({ kind: 'leaf', index: 0 });
  });

  it('bound the depth when most ranges are never hit', () => {
    const weights = Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? 1 : 0));
    expect(boundedRangeTree(weights, weights.map(() => 11)).depth).toBeLessThanOrEqual(11);
    const limits = weights.map((_, i) => (i === 123 ? 2 : 12));
    expect(leafDepths(boundedRangeTree(weights, limits).tree)[123]).toBeLessThanOrEqual(2);
  });
});

/** The cheapest tree whose leaves sit within their limits, by a dynamic programme over (interval, depth): the reference for boundedRangeTree. */
function limitedOptimumCost(weights: readonly number[], limits: readonly number[]): number {
  const n = weights.length;
  const levels = Math.max(...limits) + 1;
  const prefix = [0];
  for (const w of weights) prefix.push(prefix[prefix.length - 1]! + w);
  const memo = new Map<number, number>();
  const cost = (i: number, j: number, depth: number): number => {
    if (i === j) return depth <= limits[i]! ? 0 : Infinity;
    if (depth >= levels) return Infinity;
    const key = (i * n + j) * levels + depth;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let best = Infinity;
    for (let k = i + 1; k <= j; k++) best = Math.min(best, cost(i, k - 1, depth + 1) + cost(k, j, depth + 1));
    best += prefix[j + 1]! - prefix[i]!;
    memo.set(key, best);
    return best;
  };
  return cost(0, n - 1, 0);
}

/**
 * `n` ranges with skewed weights, as real mixes are (a few hot syscalls, many rare ones, a share
 * `unused` never made), bodies of 1–3 instructions and some argument searches, and the depth
 * limits the compiler would give them.
 */
function randomLimitedMix(rng: Random, n: number, unused: number): { weights: number[]; bodies: number[]; limits: number[] } {
  const weights = Array.from({ length: n }, () => (rng.chance(unused) ? 0 : (rng.int(1000) / 1000) ** 4 * 1000));
  const bodies = Array.from({ length: n }, () => 1 + (rng.chance(0.15) ? rng.int(20) : rng.int(3)));
  return { weights, bodies, limits: depthLimits(bodies, leastWorstPath(bodies)) };
}

describe('depth-limited trees', () => {
  it('fit every limit and are the cheapest tree that does, over 600 random mixes', () => {
    for (const seed of [41, 7, 99]) {
      const rng = new Random(seed);
      for (let round = 0; round < 200; round++) {
        const { weights, limits } = randomLimitedMix(rng, 2 + rng.int(70), 0.3);
        const found = boundedRangeTree(weights, limits);
        leafDepths(found.tree).forEach((depth, i) => expect(depth).toBeLessThanOrEqual(limits[i]!));
        // The unbounded search over every split (the Knuth bound of the compiler's is not proven here).
        const best = limitedOptimumCost(weights, limits);
        expect(found.cost, `seed ${seed} round ${round}`).toBeGreaterThanOrEqual(best - 1e-9);
        expect(found.cost, `seed ${seed} round ${round}`).toBeLessThanOrEqual(best * (1 + 1e-12) + 1e-9);
      }
    }
  });

  it('by the Lagrangian search (the built-in mix\'s) stay near the cheapest within the limits, over 600 random mixes', () => {
    // As the compiler calls it: without the exact search, the least-worst-path tree as the fallback.
    const ratios: number[] = [];
    for (const seed of [41, 7, 99]) {
      const rng = new Random(seed);
      for (let round = 0; round < 200; round++) {
        const { weights, bodies, limits } = randomLimitedMix(rng, 8 + rng.int(120), 0.4);
        // only where the limits bind: elsewhere both searches return the unconstrained optimum
        if (leafDepths(optimalRangeTree(weights).tree).every((depth, i) => depth <= limits[i]!)) continue;
        const found = boundedRangeTree(weights, limits, { exact: false, fallback: () => minimaxTree(bodies).tree });
        leafDepths(found.tree).forEach((depth, i) => expect(depth).toBeLessThanOrEqual(limits[i]!));
        const best = weightedCost(limitedOptimalTree(weights, limits)!, weights);
        ratios.push(best === 0 ? 1 : found.cost / best);
      }
    }
    // 571 mixes bind. The search since 2026-12-03 (raises ×1.25 + 2^-(limit+½) of the total): mean
    // 1.0041, worst 1.148; the one before (×1.5 + 2^-(limit+4)), in two to three times the rounds:
    // mean 1.0045, worst 1.231.
    expect(ratios.length).toBe(571);
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeLessThanOrEqual(1.005);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(1.16);
  });

  it('fit every limit beyond the leaves the exact search takes', () => {
    const { weights, limits } = randomLimitedMix(new Random(3), 300, 0.3);
    const found = boundedRangeTree(weights, limits);
    expect(leafDepths(optimalRangeTree(weights).tree).some((depth, i) => depth > limits[i]!)).toBe(true); // the limits bind
    leafDepths(found.tree).forEach((depth, i) => expect(depth).toBeLessThanOrEqual(limits[i]!));
  });

  it('are never beaten by an alternative on offer that fits', () => {
    const weights = [5, 1, 1, 1, 1, 1, 1, 9];
    const limits = weights.map(() => 3);
    const balanced = boundedRangeTree(weights.map(() => 1), limits).tree;
    expect(boundedRangeTree(weights, limits, { alternatives: [balanced] }).cost).toBeLessThanOrEqual(weightedCost(balanced, weights));
    const alternative: RangeTree = { kind: 'split', split: 7, left: boundedRangeTree(weights.slice(0, 7), limits.slice(0, 7)).tree, right: { kind: 'leaf', index: 7 } };
    expect(boundedRangeTree(weights, limits.map(() => 7), { alternatives: [alternative] }).cost).toBeLessThanOrEqual(weightedCost(alternative, weights));
  });
});

describe('profiles', () => {
  it('read name<TAB>weight lines, numbers, comments, and report problems with positions', () => {
    const file = createSourceFile('p.tsv', '# header\nread\t0.5\nopenat 0.25\n0\t0.25\nopne\t1\n');
    const { profile, diagnostics } = parseProfile(file, X86_64);
    expect(profile!.weights.get(0)).toBe(0.75);
    expect(profile!.weights.get(X86_64.syscalls.byName('openat')!.nr)).toBe(0.25);
    expect(diagnostics).toMatchObject([{ code: 'SC6002', severity: 'warning', hint: 'did you mean `open`?' }]);
    const bad = parseProfile(createSourceFile('q.tsv', 'read\tlots\n'), X86_64);
    expect(bad.profile).toBeUndefined();
    expect(bad.diagnostics[0]).toMatchObject({ code: 'SC6001', span: { start: 0 } });
    expect(parseProfile(createSourceFile('e.tsv', '# nothing\n'), X86_64).diagnostics[0]!.message).toBe('the profile lists no syscalls');
  });

  it('has a built-in mix led by the calls real programs make most', () => {
    const weights = genericProfile(X86_64).weights;
    expect(weights.get(X86_64.syscalls.byName('newfstatat')!.nr)).toBeGreaterThan(0.2);
    expect([...weights.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  });
});

describe('each pass keeps the meaning of random graphs', () => {
  for (const pass of [...PASSES, { name: 'pipeline', run: (cfg: Parameters<typeof optimizeCfg>[0]) => ({ cfg: optimizeCfg(cfg), changed: true }) }]) {
    it(pass.name, () => {
      const rng = new Random(11);
      let changes = 0;
      for (let round = 0; round < 30; round++) {
        const cfg = randomCfg(rng, 60 + rng.int(200));
        const result = pass.run(cfg);
        if (result.changed) changes++;
        const program = resolveJumps(result.cfg);
        expect(validateProgram(program)).toEqual([]);
        for (let i = 0; i < 200; i++) {
          const words = new Uint32Array(16).map(() => rng.int(10));
          expect(interpret(result.cfg, words)).toBe(interpret(cfg, words));
          expect(emulate(program, words).value).toBe(interpret(cfg, words));
        }
      }
      expect(changes).toBeGreaterThan(0);
    });
  }
});

describe('what the passes remove', () => {
  const length = (text: string, optimize: boolean): number => {
    const result = compilePolicy(text, { optimize });
    if (!result.ok) throw new Error('does not compile');
    return result.filter.program.length;
  };

  it('loads an argument once for several tests of it', () => {
    const text = 'default errno(1)\nallow close if fd == 1\nerrno(2) close if fd == 2\nerrno(3) close if fd == 3';
    const result = compilePolicy(text);
    if (!result.ok) throw new Error('no');
    expect(result.filter.program.filter((i) => i.code === 0x20 && i.k === 16)).toHaveLength(1);
    expect(length(text, true)).toBeLessThan(length(text, false));
  });

  it('shares identical tails and returns', () => {
    const result = compilePolicy('default errno(1)\nallow read if fd == 1\nallow write if fd == 1 and count == 2\nallow pread64 if fd == 1 and count == 2');
    if (!result.ok) throw new Error('no');
    const rets = result.filter.program.filter((i) => i.code === 0x06);
    expect(new Set(rets.map((r) => r.k)).size).toBe(rets.length);
  });

  it('drops tests whose outcome does not matter', () => {
    const result = compilePolicy('default allow\nallow read if fd == 1');
    if (!result.ok) throw new Error('no');
    expect(result.filter.program.some((i) => i.code === 0x20 && i.k >= 16)).toBe(false);
  });

  it.each([
    ['shortcut-jumps', shortcutJumps], ['thread-jumps', threadJumps], ['remove-redundant-loads', removeRedundantLoads],
    ['remove-dead-loads', removeDeadLoads], ['merge-identical-blocks', mergeIdenticalBlocks],
  ])('%s reaches a fixed point', (_name, pass) => {
    const cfg = optimizeCfg(randomCfg(new Random(5), 200));
    expect(pass.run(cfg).changed).toBe(false);
  });

  // The passes run until none changes anything: lowering that leaves them nothing to change costs
  // a cold start one round of five passes (before 2026-12-03, Docker's three sections took two:
  // equal dispatch subtrees and bodies of two sections, x32's reload of the number, a chain of
  // intervals testing again what its first test had decided). Policies still leave work: a
  // compound condition loads its word for each test of it (`flags & A and not (flags & B)`).
  it.each([
    ['docker-default.json', true], ['podman-default.json', true], ['podman-default.json', false],
  ])('lowering leaves the passes nothing to change on a profile: %s (Docker caps: %s)', (input, caps) => {
    const r = compileProfile(readFileSync(join(PROFILES_DIR, input as string), 'utf8'), { dockerDefaultCaps: caps as boolean, kernel: { major: 6, minor: 18 } });
    if (!r.ok) throw new Error(input as string);
    const sections = r.filter.sections ?? [{ policy: r.filter.policy, ir: r.filter.ir }];
    const cfg = compactCfg(sectionsToCfg(sections, sections.map((s) => createOptimizer(s.policy.arch)), undefined, true));
    for (const pass of PASSES) expect(pass.run(cfg).changed, pass.name).toBe(false);
  });
});

describe('large sets', () => {
  // 1,000 distinct ioctl requests, spread out so that no two are neighbours.
  const requests = Array.from({ length: 1000 }, (_, i) => 0x5400 + 7 * i + (i % 3));
  const policy = `default kill_process\nallow read, write, close, exit_group\nallow ioctl if cmd in {${requests.join(', ')}}\n`;
  const result = compilePolicy(policy);
  if (!result.ok) throw new Error('the ioctl policy does not compile');
  const program = result.filter.program;
  const ioctl = X86_64.syscalls.byName('ioctl')!.nr;

  it('compile below 2,500 instructions', () => {
    expect(program.length).toBeLessThan(2500);
  });

  it('take at most 20 instructions for any ioctl call, and decide it right', () => {
    const inSet = new Set(requests);
    const probes = [...requests, ...requests.map((r) => r + 1), ...requests.map((r) => r - 1), 0, 1, 0xffffffff, 0x80000000];
    let worst = 0;
    for (const cmd of probes) {
      const { value, trace } = emulate(program, x86_64Call(ioctl, [3n, BigInt(cmd >>> 0)]));
      expect(value).toBe(inSet.has(cmd >>> 0) ? RET_ALLOW : 0x80000000);
      worst = Math.max(worst, trace.length);
    }
    expect(worst).toBeLessThanOrEqual(20);
  });

  it('search 64-bit values by word, and runs of values as intervals', () => {
    const values = [0x100000005n, 0x100000007n, 0x200000000n, ...Array.from({ length: 50 }, (_, i) => BigInt(1000 + i))];
    const r = compilePolicy(`default errno(1)\nallow lseek if offset in {${values.map((v) => `0x${v.toString(16)}`).join(', ')}}`);
    if (!r.ok) throw new Error('no');
    expect(r.filter.program.length).toBeLessThan(30);
    for (const v of [...values, 0x100000006n, 999n, 1050n, 0x0000000500000000n, 0x1_00000000n, 5n]) {
      expect(emulate(r.filter.program, x86_64Call(8, [0n, v])).value).toBe(values.includes(v) ? RET_ALLOW : 0x00050001);
    }
  });
});

describe("Docker's default profile (the optimiser's targets)", () => {
  const docker = readFileSync(join(PROFILES_DIR, 'docker-default.json'), 'utf8');
  const r = compileProfile(docker, { dockerDefaultCaps: true, kernel: { major: 6, minor: 18 } });
  if (!r.ok) throw new Error('the Docker profile does not compile');
  const profile = genericProfile(X86_64);
  // The profile's filter has x86-64, i386 and x32 sections: these are the x86-64 ABI's figures.
  const abis = r.filter.sections!.map((s) => s.policy.arch);
  const stats = filterStats(r.filter.program, profile, X86_64, abis);

  it('evaluates within 1.03x of the best range tree on the mean, within 16 in the worst case', () => {
    const { bound } = rangeTreeBound(r.filter.ir, r.filter.program, profile);
    expect(bound).toBeGreaterThan(6);
    expect(stats.meanRaw / bound).toBeLessThanOrEqual(1.03);
    expect(stats.worstRaw).toBeLessThanOrEqual(16);
    // three sections of about 100 instructions each
    expect(stats.length).toBeLessThanOrEqual(110 * abis.length);
  });

  it('a later section\'s bound counts the arch tests before it: the i386 section is within 1.03x of its bound', () => {
    const i386 = archByName('i386')!;
    const policy = 'default errno(EPERM)\nallow read, write, close, openat, mmap, exit_group\nallow socket if family == 1\n';
    const alone = compilePolicy(policy, { arch: i386 });
    const second = compilePolicy(policy, { arches: [X86_64, i386] });
    if (!alone.ok || !second.ok) throw new Error('the policy does not compile');
    const mix = genericProfile(i386);
    const own = rangeTreeBound(alone.filter.ir, alone.filter.program, mix);
    const later = rangeTreeBound(second.filter.sections![1]!.ir, second.filter.program, mix);
    // the same dispatch and bodies, behind one arch test more (jeq x86-64 fails first)
    expect(later.comparisons).toBeCloseTo(own.comparisons, 9);
    expect(later.bound - own.bound).toBeCloseTo(1, 9);
    const dockerI386 = rangeTreeBound(r.filter.sections![1]!.ir, r.filter.program, mix).bound;
    expect(filterStats(r.filter.program, mix, i386, abis).meanRaw / dockerI386).toBeLessThanOrEqual(1.03);
  });

  it('x32 calls, which pass through the x86-64 tree, cost no more than in libseccomp\'s tree (14.3)', () => {
    const x32 = archByName('x32')!;
    const figures = filterStats(r.filter.program, genericProfile(x32), x32, abis);
    expect(figures.meanRaw).toBeLessThanOrEqual(14.5);
    expect(figures.worstRaw).toBeLessThanOrEqual(23);
  });

  it('is never slower on a profile when compiled for it than for the built-in mix, and stays near the bound', () => {
    const rng = new Random(5);
    const ratios: number[] = [];
    for (let round = 0; round < 80; round++) {
      // A program's mix: a few dozen syscalls, heavily skewed.
      const weights = new Map<number, number>();
      for (let k = 5 + rng.int(60); k > 0; k--) weights.set(rng.int(335), (rng.int(1000) / 1000) ** 4 * 100 + 0.01);
      const mix = { weights, source: `random mix ${round}`, arch: X86_64 };
      const own = compileProfile(docker, { dockerDefaultCaps: true, kernel: { major: 6, minor: 18 }, profile: mix });
      if (!own.ok) throw new Error('the Docker profile does not compile');
      const mine = filterStats(own.filter.program, mix, X86_64, abis);
      expect(mine.meanRaw).toBeLessThanOrEqual(filterStats(r.filter.program, mix, X86_64, abis).meanRaw + 1e-9);
      expect(mine.worstRaw).toBeLessThanOrEqual(16);
      ratios.push(mine.meanRaw / rangeTreeBound(own.filter.ir, own.filter.program, mix).bound);
    }
    expect(Math.max(...ratios)).toBeLessThanOrEqual(1.02);
  });

  it('keeps every argument-free allowed syscall cacheable', () => {
    const conditional = new Set(r.filter.ir.syscalls.filter((d) => d.rules.some((rule) => rule.condition.kind !== 'true')).map((d) => d.nr));
    const expected = stats.syscalls.filter((s) => s.verdict === RET_ALLOW && !conditional.has(s.nr));
    expect(expected.length).toBeGreaterThan(300);
    expect(expected.filter((s) => !s.cached).map((s) => s.name)).toEqual([]);
  });
});

describe('dispatch', () => {
  it('costs 5 instructions for an allowed call in a policy with nothing to test', () => {
    // ld arch, jeq, ld nr, one jge (x32 numbers start a range), ret.
    const r = compilePolicy('default allow');
    if (!r.ok) throw new Error('no');
    expect(emulate(r.filter.program, x86_64Call(0)).trace).toHaveLength(5);
    expect(emulate(r.filter.program, x86_64Call(0x40000000)).value).toBe(0x80000000);
    expect(emulate(r.filter.program, x86_64Call(0xffffffff)).value).toBe(RET_ALLOW);
  });

  it('keeps every argument-free allowed syscall cacheable by the kernel', () => {
    for (const policy of ['examples/web-server.policy', 'examples/deny-list.policy']) {
      const r = compilePolicy(readFileSync(policy, 'utf8'), { path: policy, host: nodeFileHost });
      if (!r.ok) throw new Error(policy);
      const conditional = new Set(r.filter.ir.syscalls.filter((d) => d.rules.some((rule) => rule.condition.kind !== 'true')).map((d) => d.nr));
      const stats = filterStats(r.filter.program, genericProfile(X86_64));
      for (const s of stats.syscalls) {
        if (s.verdict === RET_ALLOW && !conditional.has(s.nr)) expect(s.cached, `${policy}: ${s.name}`).toBe(true);
      }
    }
  });

  it('never caches a foreign arch, x32 numbers or a syscall that reads its arguments', () => {
    const r = compilePolicy('default allow\nerrno(1) read if fd == 0');
    if (!r.ok) throw new Error('no');
    expect(isCachedAllow(r.filter.program, 1, AUDIT_ARCH_X86_64)).toBe(true);
    expect(isCachedAllow(r.filter.program, 0, AUDIT_ARCH_X86_64)).toBe(false);
    expect(isCachedAllow(r.filter.program, 1, AUDIT_ARCH_I386)).toBe(false);
    expect(isCachedAllow(r.filter.program, 0x40000001, AUDIT_ARCH_X86_64)).toBe(false);
  });

  it('follows the profile: a syscall made often costs fewer instructions', () => {
    const text = 'default errno(1)\n' + ['read', 'write', 'openat', 'close', 'mmap', 'brk', 'futex', 'getpid', 'kill', 'uname'].map((s, i) => `errno(${i + 2}) ${s}`).join('\n');
    const hot = (name: string) => parseProfile(createSourceFile('p', `${name}\t1000\nread\t1\n`), X86_64).profile!;
    const cost = (profileFor: string, call: string): number => {
      const r = compilePolicy(text, { profile: hot(profileFor) });
      if (!r.ok) throw new Error('no');
      return emulate(r.filter.program, x86_64Call(X86_64.syscalls.byName(call)!.nr)).trace.length;
    };
    expect(cost('uname', 'uname')).toBeLessThan(cost('read', 'uname'));
    expect(cost('read', 'read')).toBeLessThan(cost('uname', 'read'));
  });
});

describe('runs of exact values with different actions', () => {
  const worstOf = (program: Parameters<typeof emulate>[0], nr: number, arg: number, values: readonly bigint[]): number =>
    Math.max(...values.map((v) => emulate(program, x86_64Call(nr, Object.assign([0n, 0n, 0n], { [arg]: v }))).trace.length));

  it('are searched by bisection: 1,000 values of a 64-bit argument in about 2·log2(values) tests', () => {
    const values = Array.from({ length: 1000 }, (_, i) => BigInt(0x1000 + i * 7) + (BigInt(i % 3) << 32n));
    const text = 'default allow\n' + values.map((v, i) => `errno(${1 + (i % 100)}) read if count == ${v}`).join('\n');
    const r = compilePolicy(text);
    if (!r.ok) throw new Error('no');
    values.forEach((v, i) => expect(emulate(r.filter.program, x86_64Call(0, [0n, 0n, v])).value).toBe(0x00050000 + 1 + (i % 100)));
    for (const miss of [0n, 0x1001n, 1n << 32n, 0xffffffffffffffffn]) expect(emulate(r.filter.program, x86_64Call(0, [0n, 0n, miss])).value).toBe(RET_ALLOW);
    // The chain took 4 instructions per value (over 4,000 in all, refused by the kernel).
    expect(worstOf(r.filter.program, 0, 2, values)).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)) + 14);
  });

  it('take few tests on a 32-bit argument too, and fall back to a chain when a search would not fit the kernel', () => {
    const cmds = Array.from({ length: 300 }, (_, i) => BigInt(0x5400 + i * 3));
    const text = 'default allow\n' + cmds.map((c, i) => `errno(${1 + (i % 50)}) ioctl if cmd == ${c}`).join('\n');
    const r = compilePolicy(text);
    if (!r.ok) throw new Error('no');
    expect(worstOf(r.filter.program, 16, 1, cmds)).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(300)) + 8);
    // 1,800 values: a search takes ~5,000 instructions, a chain ~3,400; the chain is what compiles.
    const many = Array.from({ length: 1800 }, (_, i) => `errno(${1 + (i % 50)}) ioctl if cmd == ${0x5400 + i * 3}`);
    const big = compilePolicy('default allow\n' + many.join('\n'));
    if (!big.ok) throw new Error(big.diagnostics.map((d) => d.message).join('; '));
    expect(big.filter.program.length).toBeLessThanOrEqual(4096);
    expect(emulate(big.filter.program, x86_64Call(16, [0n, BigInt(0x5400 + 1799 * 3)])).value).toBe(0x00050000 + 1 + (1799 % 50));
  });

  it('keep first-match order with repeated values, sets, masks and other rules around them (proven)', async () => {
    const rng = new Random(77);
    for (let round = 0; round < 12; round++) {
      const lines = ['default ' + rng.pick(['allow', 'errno(99)', 'kill'])];
      if (rng.chance(0.5)) lines.push('errno(98) read if fd == 3');
      const pool = Array.from({ length: 12 }, () => (rng.chance(0.3) ? (BigInt(rng.int(3)) << 32n) + BigInt(rng.int(20)) : BigInt(rng.int(20))));
      const lhs = rng.pick(['count', 'count & 0xff']);
      for (let k = 6 + rng.int(20); k > 0; k--) {
        const action = `errno(${1 + rng.int(6)})`;
        if (rng.chance(0.2)) lines.push(`${action} read if ${lhs} in {${rng.pick(pool)}, ${rng.pick(pool)}}`);
        else lines.push(`${action} read if ${lhs} == ${rng.pick(pool)}`);
        if (rng.chance(0.05)) lines.push('errno(97) read if count > 15');
      }
      if (rng.chance(0.5)) lines.push('allow read');
      const text = lines.join('\n');
      const r = compilePolicy(text);
      if (!r.ok) throw new Error(`${text}\n${r.diagnostics.map((d) => d.message).join('; ')}`);
      const proof = await proveFilter(r.filter.policy, r.filter.program);
      expect(proof.status, text).toBe('proven');
    }
  }, 60_000);
});

describe('least worst path', () => {
  it('is found by interval packing as by the dynamic programme, on large inputs too', () => {
    const rng = new Random(23);
    for (let round = 0; round < 100; round++) {
      const costs = Array.from({ length: 1 + rng.int(120) }, () => 1 + (rng.chance(0.2) ? rng.int(40) : 0));
      expect(leastWorstPath(costs)).toBe(minimaxTree(costs).worst);
    }
  });


  it('is reached above the dynamic programme\'s range too, by the tree of the packing', () => {
    const leaves = (tree: RangeTree): number[] => (tree.kind === 'leaf' ? [tree.index] : [...leaves(tree.left), ...leaves(tree.right)]);
    const rng = new Random(29);
    for (let round = 0; round < 60; round++) {
      const small = round % 2 === 0;
      const n = small ? 1 + rng.int(120) : 129 + rng.int(600);
      const costs = Array.from({ length: n }, () => 1 + (rng.chance(0.2) ? rng.int(rng.chance(0.1) ? 90 : 20) : rng.int(3)));
      // exactUpTo 0: the packed tree even where the programme would run, to compare the two
      const packed = minimaxTree(costs, small ? 0 : undefined);
      expect(packed.worst).toBe(leastWorstPath(costs));
      if (small) expect(packed.worst).toBe(minimaxTree(costs).worst);
      expect(leaves(packed.tree)).toEqual(costs.map((_, i) => i));
      expect(Math.max(...leafDepths(packed.tree).map((d, i) => d + costs[i]!))).toBe(packed.worst);
    }
  });

  it('matches trying every split', () => {
    // The reference: every tree shape, by brute force.
    const worst = (costs: readonly number[], i = 0, j = costs.length - 1): number => {
      if (i === j) return costs[i]!;
      let best = Infinity;
      for (let k = i + 1; k <= j; k++) best = Math.min(best, Math.max(worst(costs, i, k - 1), worst(costs, k, j)) + 1);
      return best;
    };
    const rng = new Random(17);
    for (let round = 0; round < 200; round++) {
      const costs = Array.from({ length: 1 + rng.int(9) }, () => 1 + (rng.chance(0.3) ? rng.int(15) : 0));
      const { tree, worst: found } = minimaxTree(costs);
      expect(found).toBe(worst(costs));
      expect(leastWorstPath(costs)).toBe(found);
      expect(Math.max(...leafDepths(tree).map((d, i) => d + costs[i]!))).toBe(found);
    }
  });
});
