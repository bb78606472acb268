// Properties of the port of libseccomp's rule database that the importer relies on to skip it.
import { describe, expect, it } from 'vitest';
import { SyscallDb, type ScmpArgCmp } from '../../src/oci/libseccomp-db.ts';
import { Random } from '../support/random.ts';

const ACTIONS = [0x7fff0000, 0x00050001, 0x00050005, 0x80000000];
const OPS = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_GT', 'SCMP_CMP_LE', 'SCMP_CMP_MASKED_EQ'] as const;

/** Up to three comparisons of distinct arguments (argument 0 most often). */
function randomArgs(rng: Random): ScmpArgCmp[] {
  const args: ScmpArgCmp[] = [];
  for (const arg of [0, 1, 2]) {
    if (rng.chance(arg === 0 ? 0.7 : 0.3)) args.push({ arg, op: rng.pick(OPS), datumA: BigInt(rng.int(8)), datumB: BigInt(rng.int(8)) });
  }
  return args;
}

describe("libseccomp's rule database", () => {
  it('decides by the first unconditional rule when only rules of one action comparing argument 0 through a multiplexer come before it, whatever comes after', () => {
    const rng = new Random(19);
    for (let trial = 0; trial < 500; trial++) {
      for (const bits of [32, 64] as const) {
        const db = new SyscallDb(bits);
        const action = rng.pick(ACTIONS);
        let origin = 0;
        const before = rng.int(25);
        for (let i = 0; i < before; i++) expect(db.add({ action, args: [], origin: origin++, multiplexed: rng.int(20) })).toBe(0);
        const plain = origin;
        const plainAction = rng.pick(ACTIONS);
        expect(db.add({ action: plainAction, args: [], origin: origin++ })).toBe(0);
        for (let i = rng.int(10); i > 0; i--) {
          const kind = rng.int(3);
          const rule = { action: rng.pick(ACTIONS), origin: origin++ };
          const added = kind === 0 ? db.add({ ...rule, args: [] }) : kind === 1 ? db.add({ ...rule, args: [], multiplexed: rng.int(20) }) : db.add({ ...rule, args: randomArgs(rng) });
          expect(added).toBe(0);
        }
        expect(db.decisions()).toEqual({ kind: 'unconditional', action: plainAction, origin: plain });
      }
    }
  });
});
