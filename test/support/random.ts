// A small seeded generator (deterministic test failures) and random policy text.

export class Random {
  private state: bigint;
  constructor(seed: number) {
    this.state = BigInt(seed) ^ 0x9e3779b97f4a7c15n;
  }

  /** splitmix64 */
  next64(): bigint {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
}

/** Values at the edges of 16-, 32- and 64-bit arithmetic. */
export const BOUNDARY_VALUES: readonly bigint[] = [
  0n, 1n, 2n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn,
  0x100000000n, 0x100000001n, 0x1ffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffff00000000n,
  0xffffffff80000000n, 0xfffffffffffffffen, 0xffffffffffffffffn,
];
